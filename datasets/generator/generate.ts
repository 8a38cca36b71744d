/**
 * Generates all built-in datasets into one folder and writes the folder's README (the table of
 * datasets). Used by `main.ts` and by the determinism test, which regenerates into a temp dir.
 */
import { basename } from 'node:path';
import type { GeneratedDataset } from './dataset';
import { GENERATOR_SCRIPT, formatBytes, groupThousands } from './dataset';
import { writeText } from './output';
import { generateStories } from './stories/index';
import { generateSummarization } from './summarization/index';
import { generateTranslation } from './translation/index';

/** Generates every dataset under `outRoot` and returns what was written, in a fixed order. */
export function generateAll(outRoot: string): GeneratedDataset[] {
  const datasets = [
    generateTranslation(outRoot),
    generateSummarization(outRoot),
    generateStories(outRoot),
  ];
  writeText(outRoot, 'README.md', readme(datasets));
  return datasets;
}

function rows(dataset: GeneratedDataset, split: string): number {
  const file = dataset.files.find((candidate) => basename(candidate.path).startsWith(`${split}.`));
  return file?.lines ?? 0;
}

function readme(datasets: readonly GeneratedDataset[]): string {
  const table = datasets.map((dataset) => {
    const { id, kind, format } = dataset.descriptor;
    const bytes = dataset.files.reduce((sum, file) => sum + file.bytes, 0);
    const counts = ['train', 'valid', 'test'].map((split) => groupThousands(rows(dataset, split)));
    return `| [\`${id}\`](${id}/README.md) | ${kind} | ${format} | ${counts.join(' / ')} | ${formatBytes(bytes)} |`;
  });
  const total = datasets.reduce(
    (sum, dataset) => sum + dataset.files.reduce((inner, file) => inner + file.bytes, 0),
    0,
  );
  return `# Built-in datasets

Three small datasets that ship with EcoEval, so a model can be trained and scored without
downloading anything. All of them are **generated** by our own deterministic generator
(\`${GENERATOR_SCRIPT}\`) from word lists and grammars written for EcoEval; no text comes from
elsewhere. They are small enough for a small Transformer to learn on a CPU in minutes, and hard
enough that larger models score visibly better.

| Dataset | Task | Format | Rows (train / valid / test) | Data size |
| --- | --- | --- | --- | ---: |
${table.join('\n')}

Total data size: ${formatBytes(total)}. Each folder has a \`dataset.json\` (read by the app's
importer) and a \`README.md\` card that says how the data was made.

## Regenerating

\`\`\`sh
npx tsx ${GENERATOR_SCRIPT}            # rewrites the folders next to generator/
npx tsx ${GENERATOR_SCRIPT} --out DIR  # writes them somewhere else
\`\`\`

The output is byte-identical on every run (seeded PRNG, no clock, fixed iteration order); the unit
test \`test/unit/datasets-generator.test.ts\` regenerates everything into a temp folder and
compares SHA-256 hashes with the committed files. After changing the generator, regenerate, bump
\`GENERATOR_VERSION\` in \`generator/dataset.ts\` and commit the data together with the code.
This README is generated too, by \`generator/generate.ts\`.
`;
}
