/**
 * Finds a model folder from what the user typed: a checkpoint folder path, or a model id in the
 * workspace's `models/<id>` store. The error names both places looked at.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError, MODEL_JSON } from './checkpoint';

const MODEL_ID = /^[a-z0-9][a-z0-9._-]{0,79}$/i;

async function hasManifest(dir: string): Promise<boolean> {
  return stat(join(dir, MODEL_JSON)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Absolute folder of the model `pathOrId`, trying the path first, then `<workspace>/models/<id>`. */
export async function resolveModelDir(
  pathOrId: string,
  options: { cwd: string; workspace: string | null },
): Promise<string> {
  const asPath = resolve(options.cwd, pathOrId);
  if (await hasManifest(asPath)) return asPath;
  const looked = [asPath];
  if (options.workspace && MODEL_ID.test(pathOrId) && !pathOrId.includes('..')) {
    const inStore = join(options.workspace, 'models', pathOrId);
    if (await hasManifest(inStore)) return inStore;
    looked.push(inStore);
  }
  throw new CheckpointError(
    `no model "${pathOrId}": looked for ${MODEL_JSON} in ${looked.join(' and ')}. Give a checkpoint folder, or the id of a model in the workspace.`,
  );
}
