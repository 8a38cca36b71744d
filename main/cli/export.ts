/**
 * `ecoeval export --model DIR_OR_ID --precision fp32|fp16|int8 [--out DIR] [--json]`: writes the
 * model's ONNX graphs (encoder + decoder with key/value cache, or the language-model graph) at a
 * precision, with export.json recording each file's size. Also home of the option helpers the
 * model commands share (model lookup, numbers, service errors → user errors).
 */
import { resolve } from 'node:path';
import { ServiceError } from '../services/errors';
import { resolveWorkspaceDir } from '../services/workspace/workspace';
import { loadCheckpoint } from '../services/model/onnx/checkpoint';
import { parameterCount } from '../services/model/onnx/config';
import { exportOnnx } from '../services/model/onnx/export';
import type { ExportManifest } from '../services/model/onnx/export';
import { resolveModelDir } from '../services/model/onnx/model-dir';
import type { Int8Kernel } from '../services/model/onnx/transformer-graphs';
import type { CliCommand, CliIO } from './io';
import { EXIT_OK, UserError } from './io';
import { parseFlags, parsePrecision, usageError } from './args';

export { PRECISIONS, parsePrecision, parseWhole, usageError } from './args';

const USAGE =
  'usage: ecoeval export --model DIR_OR_ID --precision fp32|fp16|int8 [--out DIR] [--json]';

const HELP = `${USAGE}

Writes the model as ONNX for onnxruntime: encoder.onnx + decoder.onnx (with a key/value cache)
for an encoder-decoder model, one decoder.onnx for a language model, and export.json recording
each file's size and sha256. Default folder: <model>/onnx/<precision>.

  --model DIR_OR_ID     checkpoint folder (holding model.json), or a model id in the workspace
  --precision P         fp32 (default), fp16 (float16 weights), int8 (dynamic quantization)
  --out DIR             output folder
  --int8-kernel K       DynamicQuantizeMatMul (default) or MatMulInteger
  --fp16-compute        fp16 only: also compute in float16 (for GPU providers; slow on CPU)
  --workspace DIR       workspace for model ids (default: ECOEVAL_WORKSPACE)
  --json                print the export manifest as JSON
  -h, --help            this help
`;

/** The model folder named by --model, looked up as a path, then in the workspace. */
export async function modelDirFromArgs(
  io: CliIO,
  model: string | undefined,
  workspace: string | undefined,
  usage: string,
): Promise<string> {
  if (!model) throw usageError('--model is required', usage);
  return resolveModelDir(model, {
    cwd: io.cwd,
    workspace: resolveWorkspaceDir(workspace, io.env, io.cwd),
  });
}

/** Runs `body`, turning service errors into one-line user errors and Ctrl-C into exit 130. */
export async function asCommand(
  name: string,
  io: CliIO,
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (io.signal.aborted) {
      io.stderr(`ecoeval ${name}: cancelled.\n`);
      return 130;
    }
    if (error instanceof ServiceError) throw new UserError(error.message);
    throw error;
  }
}

export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

function describe(dir: string, manifest: ExportManifest, seconds: number): string {
  const fp32Bytes = parameterCount(manifest.config) * 4;
  const lines = [
    `Exported ${manifest.config.kind} model at ${manifest.precision} to ${dir} in ${seconds.toFixed(1)} s`,
    ...manifest.files.map((f) => `  ${f.role.padEnd(8)} ${f.file}  ${humanBytes(f.bytes)}`),
    `  total    ${humanBytes(manifest.totalBytes)} (${(fp32Bytes / manifest.totalBytes).toFixed(2)}× smaller than the float32 weights, ${humanBytes(fp32Bytes)})`,
  ];
  return `${lines.join('\n')}\n`;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      model: { type: 'string', short: 'm' },
      precision: { type: 'string', short: 'p' },
      out: { type: 'string', short: 'o' },
      'int8-kernel': { type: 'string' },
      'fp16-compute': { type: 'boolean' },
      workspace: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    io.stdout(HELP);
    return EXIT_OK;
  }
  const precision = parsePrecision(values.precision, USAGE);
  const kernel = values['int8-kernel'];
  if (kernel !== undefined && kernel !== 'DynamicQuantizeMatMul' && kernel !== 'MatMulInteger') {
    throw usageError(`--int8-kernel must be DynamicQuantizeMatMul or MatMulInteger`, USAGE);
  }
  return asCommand('export', io, async () => {
    const dir = await modelDirFromArgs(io, values.model, values.workspace, USAGE);
    const started = performance.now();
    const checkpoint = await loadCheckpoint(dir);
    io.stderr(`Exporting ${checkpoint.dir} at ${precision}…\n`);
    const result = await exportOnnx(checkpoint, {
      precision,
      ...(values.out ? { outDir: resolve(io.cwd, values.out) } : {}),
      ...(kernel ? { int8Kernel: kernel as Int8Kernel } : {}),
      fp16Compute: values['fp16-compute'] ?? false,
    });
    const seconds = (performance.now() - started) / 1000;
    io.stdout(
      values.json
        ? `${JSON.stringify({ dir: result.dir, ...result.manifest }, null, 2)}\n`
        : describe(result.dir, result.manifest, seconds),
    );
    return EXIT_OK;
  });
}

/** `ecoeval export`: see the module header. */
export const exportCommand: CliCommand = async (argv, io) => {
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.stderr(`ecoeval export: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
};
