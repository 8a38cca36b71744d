/**
 * Builds `headlines-sum`: short synthetic news reports and one-line headlines. A report has one
 * key event, sentences elaborating it and distractors about other organisations and numbers
 * (cued by "Meanwhile", "Last year"...). The headline names the key event's actor, its verb in
 * the present tense, its number in digits and its place, so it cannot be copied from the first
 * sentence: the model has to find the key event, drop the date and rewrite tense and number.
 */
import { basename, join } from 'node:path';
import type { DatasetDescriptor, GeneratedDataset } from '../dataset';
import {
  GENERATOR_SCRIPT,
  GENERATOR_VERSION,
  LICENSE,
  fileTable,
  groupThousands,
  writeDescriptorAndCard,
} from '../dataset';
import { writeJsonLines } from '../output';
import type { WrittenFile } from '../output';
import { Rng } from '../rng';
import { drawSplits } from '../splits';
import type { ActorKind, EventKind } from './vocab';
import {
  ACTOR_NAMES,
  DAYS,
  EVENTS,
  GENERIC_DETAILS,
  INDUSTRIES,
  MONTHS,
  PEOPLE,
  SURNAMES,
  TOWNS,
  WEATHER,
} from './vocab';

/** Folder name and dataset id. */
export const SUMMARIZATION_ID = 'headlines-sum';
/** Seed of the report sampler. */
export const SUMMARIZATION_SEED = 20_260_202;
/** Reports per split. */
export const SUMMARIZATION_SIZES = { valid: 500, test: 500, train: 10_000 } as const;

/** One example as stored in the JSON Lines files. */
export interface Report {
  document: string;
  summary: string;
}

const SMALL_NUMBERS = 'zero one two three four five six seven eight nine ten eleven twelve'.split(
  ' ',
);

/** Numbers up to twelve are spelled out in reports, as newspapers do; headlines use digits. */
export function spellNumber(value: number): string {
  return value < SMALL_NUMBERS.length ? SMALL_NUMBERS[value] : String(value);
}

interface Actor {
  long: string;
  short: string;
  root: string;
}

interface Event {
  kind: EventKind;
  actor: Actor;
  count: number;
  objects: string;
  adjective: string;
  place: string;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template slot {${key}} has no value`);
    return value;
  });
}

class ReportWriter {
  readonly #rng: Rng;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  actor(kinds: readonly ActorKind[], avoidRoot?: string): Actor {
    const rng = this.#rng;
    for (;;) {
      const kind = rng.pick(kinds);
      const naming = ACTOR_NAMES[kind];
      let root = naming.from === 'town' ? rng.pick(TOWNS) : rng.pick(SURNAMES);
      if (kind === 'company') root = `${root} ${rng.pick(INDUSTRIES)}`;
      if (
        root === avoidRoot ||
        (avoidRoot !== undefined && avoidRoot.startsWith(root.split(' ')[0]))
      )
        continue;
      return { long: naming.long(root), short: naming.short(root), root };
    }
  }

  event(kind: EventKind, avoidRoot?: string, avoidPlace?: string): Event {
    const rng = this.#rng;
    const actor = this.actor(kind.actors, avoidRoot);
    let place = rng.pick(TOWNS);
    while (place === avoidPlace) place = rng.pick(TOWNS);
    return {
      kind,
      actor,
      count: rng.int(kind.range[0], kind.range[1]),
      objects: rng.pick(kind.objects),
      adjective: rng.pick(kind.adjectives),
      place,
    };
  }

  /** Interleaves two lists at random, keeping the order within each. */
  riffle(first: readonly string[], second: readonly string[]): string[] {
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    while (i < first.length || j < second.length) {
      const takeFirst = j >= second.length || (i < first.length && this.#rng.chance(0.6));
      merged.push(takeFirst ? first[i++] : second[j++]);
    }
    return merged;
  }

  report(): Report {
    const rng = this.#rng;
    const key = this.event(rng.pick(EVENTS));
    const otherKind = rng.pick(EVENTS.filter((kind) => kind !== key.kind));
    const other = this.event(otherKind, key.actor.root, key.place);
    const person = rng.pick(PEOPLE);
    const day = rng.pick(DAYS);
    const values: Record<string, string> = {
      n: spellNumber(key.count),
      objects: key.objects,
      place: key.place,
      actor: key.actor.short,
      day: rng.pick(DAYS),
      month: rng.pick(MONTHS),
      m: String(rng.int(2, 30)),
      person: person.name,
      pronoun: person.pronoun,
      weather: rng.pick(WEATHER),
    };
    const what = [key.kind.past, spellNumber(key.count), key.adjective, key.objects]
      .filter((word) => word !== '')
      .join(' ');
    const keySentence = rng.pick([
      `On ${day}, ${key.actor.long} ${what} in ${key.place}.`,
      `${key.actor.long} ${what} in ${key.place} on ${day}.`,
      `In ${key.place}, ${key.actor.long} ${what} on ${day}.`,
    ]);
    const otherWhat = `${spellNumber(other.count)} ${other.objects}`;
    const leading = [
      `Last year, ${other.actor.long} ${other.kind.past} ${otherWhat} in ${key.place}.`,
      `${key.place} has about ${values.m} thousand residents.`,
      `It was a busy week in ${key.place}.`,
      `The weather in ${key.place} was ${values.weather} on ${day}.`,
    ];
    const distractors = [
      `Meanwhile, ${other.actor.long} ${other.kind.past} ${otherWhat} in ${other.place}.`,
      `Separately, ${other.actor.long} said it plans to ${other.kind.base} ${otherWhat} next year.`,
      `The weather in ${other.place} is expected to stay ${rng.pick(WEATHER)} until ${rng.pick(DAYS)}.`,
      `Earlier this month, ${other.actor.short} reported ${rng.int(2, 30)} more calls than usual.`,
    ];
    const details = [...key.kind.details, ...GENERIC_DETAILS];
    const before = rng.sample(leading, rng.chance(0.45) ? 1 : 0);
    const detailSentences = rng.sample(details, rng.int(1, 3)).map((t) => fill(t, values));
    const after = this.riffle(detailSentences, rng.sample(distractors, rng.int(1, 3)));
    // At most 1 + 1 + 3 + 3 = 8 sentences, at least 3.
    const sentences = [...before, keySentence, ...after].map(capitalize);
    const summary = `${capitalize(key.actor.short)} ${key.kind.present} ${key.count} ${key.objects} in ${key.place}`;
    return { document: sentences.join('\n'), summary };
  }
}

/** Generates the dataset into `<outRoot>/headlines-sum/`. */
export function generateSummarization(outRoot: string): GeneratedDataset {
  const dir = join(outRoot, SUMMARIZATION_ID);
  const writer = new ReportWriter(new Rng(SUMMARIZATION_SEED));
  const splits = drawSplits<Report>(
    SUMMARIZATION_SIZES,
    () => writer.report(),
    (report) => report.document,
  );
  const files: WrittenFile[] = [];
  const descriptorSplits: DatasetDescriptor['splits'] = {};
  for (const name of ['train', 'valid', 'test'] as const) {
    files.push(writeJsonLines(dir, `${name}.jsonl`, splits[name]));
    descriptorSplits[name] = {
      file: `${name}.jsonl`,
      mapping: { source: 'document', references: ['summary'] },
    };
  }
  const descriptor: DatasetDescriptor = {
    schema: 1,
    id: SUMMARIZATION_ID,
    name: 'Local news headlines',
    kind: 'summarization',
    description:
      'Synthetic local news reports of three to eight sentences, each summarised by a one-line headline naming the key event, its actor, number and place.',
    format: 'jsonl',
    splits: descriptorSplits,
    generator: { script: GENERATOR_SCRIPT, version: GENERATOR_VERSION, seed: SUMMARIZATION_SEED },
    license: LICENSE,
  };
  const example = splits.valid[0];
  writeDescriptorAndCard(dir, descriptor, card(files, example));
  return { descriptor, files };
}

function card(files: readonly WrittenFile[], example: Report): string {
  const { train, valid, test } = SUMMARIZATION_SIZES;
  return `# headlines-sum: local news reports → headlines

Summarisation of short synthetic news reports into one-line headlines. Generated by
\`npx tsx ${GENERATOR_SCRIPT}\` (seed ${SUMMARIZATION_SEED}) from hand-written word lists (invented
towns, people and organisations); no text was taken from anywhere else. License: ${LICENSE}.

## Splits

${groupThousands(train)} train, ${groupThousands(valid)} valid and ${groupThousands(test)} test reports, every document unique across splits.

${fileTable(files, basename)}

JSON Lines, one object per line: \`{"document": "...", "summary": "..."}\`. The document's sentences
are separated by \`\\n\`, so ROUGE-Lsum's newline sentence splitting applies.

## How a report is built

Each report has three to eight sentences:

- at most one **background** sentence before the key event ("Last year, ...", population, weather);
- the **key sentence**: an organisation, a past-tense event, a number, an object and a town, plus a day
  ("On Friday, the Ostvale city council opened four new parks in Saltmere.");
- one to three **details** about the key event (spokespeople, costs, reactions), some with their own
  numbers;
- one to three **distractors** about a different organisation and event ("Meanwhile, ...",
  "Separately, ... plans to ...", another town's weather).

The headline is \`<short actor name> <present-tense verb> <number in digits> <objects> in <town>\`
("Ostvale council opens 4 parks in Saltmere"). Getting it right means finding the key event among
distractors of the same shape, shortening the actor's name, switching tense, turning number words
into digits and dropping the date and adjectives.

## Example (first valid report)

Document:

\`\`\`
${example.document}
\`\`\`

Headline: ${example.summary}
`;
}
