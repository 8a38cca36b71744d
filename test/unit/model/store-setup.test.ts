// A model folder whose training is still writing its step-0 checkpoint (no manifest yet) belongs
// to that training: another process neither lists it as broken nor deletes it from under the
// trainer. Once the claiming process is gone the folder is an ordinary broken one again.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelStore, SETUP_CLAIM, writeSetupClaim } from '../../../main/services/model/store';
import { Workspace } from '../../../main/services/workspace/workspace';
import { tempDir } from '../../helpers/temp';

describe('a model folder being set up', () => {
  it('is neither listed as broken nor deleted while its trainer lives', async () => {
    const workspace = await Workspace.open(await tempDir('ecoeval-setup-claim-'));
    const store = new ModelStore(workspace);
    const dir = join(workspace.modelsDir, 'starting');
    await mkdir(dir, { recursive: true });
    // Another live process (a trainer elsewhere) holds the claim.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
      stdio: 'ignore',
    });
    try {
      await writeFile(
        join(dir, SETUP_CLAIM),
        JSON.stringify({ pid: other.pid, since: new Date().toISOString() }),
      );
      expect((await store.list()).broken).toEqual([]);
      await expect(store.delete('starting')).rejects.toThrow(
        new RegExp(`being set up by process ${other.pid}`),
      );
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    // Its trainer died before the first checkpoint: an ordinary broken folder, deletable.
    expect((await store.list()).broken.map((b) => b.folder)).toEqual(['starting']);
    await expect(store.delete('starting')).resolves.toEqual({ deleted: 'starting' });
  });

  it('this process’s own claim does not stop it deleting', async () => {
    const workspace = await Workspace.open(await tempDir('ecoeval-setup-claim-'));
    const dir = join(workspace.modelsDir, 'mine');
    await mkdir(dir, { recursive: true });
    await writeSetupClaim(dir);
    await expect(new ModelStore(workspace).delete('mine')).resolves.toEqual({ deleted: 'mine' });
  });
});
