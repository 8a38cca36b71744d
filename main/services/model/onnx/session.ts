/**
 * Opens an exported model (export.json + .onnx files) as onnxruntime sessions: checks each file
 * against the manifest first (size, then sha256), so a truncated or damaged file is reported as
 * such instead of as an opaque protobuf parse error, then creates the sessions on the chosen
 * execution provider with the requested intra-op thread count.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError } from './checkpoint';
import { readExportManifest } from './export';
import type { ExportManifest, GraphRole } from './export';
import { loadOrt } from './ort';
import type { OrtSession } from './ort';
import { chooseProvider } from './providers';
import type { ProviderAttempt, ProviderName } from './providers';

export interface SessionSettings {
  /** 'auto' (default) probes CUDA, WebGPU, DirectML, CoreML, CPU in that order. */
  provider?: ProviderName | 'auto';
  /** onnxruntime intra-op threads; default: onnxruntime's own choice (one per physical core). */
  intraOpThreads?: number;
  /**
   * Let idle intra-op threads spin (onnxruntime's default). Off by default here: on a machine
   * shared with other work (training, the UI), spinning threads steal the cores the real work
   * needs — measured 3× slower on this 2-core machine under load, and no faster when idle.
   */
  spinning?: boolean;
}

export interface OpenedExport {
  dir: string;
  manifest: ExportManifest;
  sessions: Partial<Record<GraphRole, OrtSession>>;
  provider: ProviderName;
  providerAttempts: ProviderAttempt[];
  intraOpThreads: number | null;
  release(): Promise<void>;
}

const REEXPORT = 'Run `ecoeval export` again to rewrite it.';

/** Reads one exported file and checks it against the manifest. */
async function readChecked(
  dir: string,
  entry: ExportManifest['files'][number],
): Promise<Uint8Array> {
  const path = join(dir, entry.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckpointError(
      `${path}: ${missing ? 'missing' : `cannot read it (${(e as Error).message})`}. ${REEXPORT}`,
    );
  }
  if (bytes.length !== entry.bytes) {
    throw new CheckpointError(
      `${path}: ${bytes.length < entry.bytes ? 'truncated' : 'has extra bytes'}: ${bytes.length} bytes, export.json records ${entry.bytes}. ${REEXPORT}`,
    );
  }
  if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
    throw new CheckpointError(
      `${path}: corrupt: its sha256 does not match export.json. ${REEXPORT}`,
    );
  }
  return bytes;
}

/** Creates a session from ONNX bytes; onnxruntime's parse errors become a CheckpointError. */
export async function createSession(
  bytes: Uint8Array,
  label: string,
  provider: ProviderName,
  settings: SessionSettings = {},
): Promise<OrtSession> {
  const ort = await loadOrt();
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      ...(settings.intraOpThreads ? { intraOpNumThreads: settings.intraOpThreads } : {}),
      extra: { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } },
      logSeverityLevel: 3,
    });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new CheckpointError(
      `${label}: onnxruntime cannot load this model (${reason}). ${REEXPORT}`,
    );
  }
}

/** Opens the export in `dir` (a folder holding export.json). */
export async function openExport(
  dir: string,
  settings: SessionSettings = {},
): Promise<OpenedExport> {
  const root = resolve(dir);
  const manifest = await readExportManifest(root);
  const choice = await chooseProvider(settings.provider ?? 'auto');
  const sessions: Partial<Record<GraphRole, OrtSession>> = {};
  try {
    for (const entry of manifest.files) {
      const bytes = await readChecked(root, entry);
      sessions[entry.role] = await createSession(
        bytes,
        join(root, entry.file),
        choice.provider,
        settings,
      );
    }
  } catch (error) {
    await Promise.all(Object.values(sessions).map((s) => s.release()));
    throw error;
  }
  if (!sessions.decoder || (manifest.config.kind === 'encoder-decoder' && !sessions.encoder)) {
    throw new CheckpointError(`${join(root, 'export.json')}: a graph is missing. ${REEXPORT}`);
  }
  return {
    dir: root,
    manifest,
    sessions,
    provider: choice.provider,
    providerAttempts: choice.attempts,
    intraOpThreads: settings.intraOpThreads ?? null,
    release: async () => {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
    },
  };
}
