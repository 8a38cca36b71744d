// Training as a child-process job: progress events arrive, cancel stops it with a checkpoint
// that loads and translates; the model store and `ecoeval models` see it; `ecoeval train`
// rejects bad arguments with usage errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { startTraining } from '../../../main/services/model/training-job';
import type { TrainingEvent } from '../../../main/services/model/training-types';
import { generateText, loadModel, scoreReferences } from '../../../main/services/model/inference';
import { ModelStore } from '../../../main/services/model/store';
import { Workspace } from '../../../main/services/workspace/workspace';
import { modelsCommand } from '../../../main/cli/models';
import { trainCommand } from '../../../main/cli/train';
import { captureIO } from '../../../main/cli/io';
import { tinyRequest, workspaceWithDataset } from './helpers';

let workspace: string;

beforeAll(async () => {
  workspace = await workspaceWithDataset();
}, 120_000);

describe('training job in a child process', () => {
  it('reports progress, cancels with a loadable checkpoint, and the store lists it', async () => {
    const events: TrainingEvent[] = [];
    const handle = startTraining(tinyRequest(workspace, { steps: 5000 }), {
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'progress' && event.step >= 3) handle.cancel();
      },
    });
    expect(handle.pid).toBeGreaterThan(0);
    const result = await handle.done;
    expect(result.record.status).toBe('cancelled');
    expect(result.record.step).toBeGreaterThanOrEqual(3);
    expect(result.record.step).toBeLessThan(5000);
    const started = events.find((e) => e.type === 'started');
    expect(started && started.type === 'started' && started.backend.name).toBe('wasm');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ type: 'progress', maxSteps: 5000 });

    const loaded = await loadModel(result.modelDir, { backend: 'wasm' });
    expect(loaded.manifest.training.step).toBe(result.record.step);
    const [translation] = await generateText(loaded, ['The barn was cold.'], { maxNewTokens: 8 });
    expect(typeof translation).toBe('string');
    const [scored] = await scoreReferences(
      loaded,
      ['The barn was cold.'],
      ['Su krumen tufosa beset.'],
    );
    expect(scored.tokens.at(-1)).toBe('</s>');
    expect(scored.logprobs).toHaveLength(scored.tokens.length);
    expect(scored.logprobs.every((p) => p <= 0)).toBe(true);
    loaded.dispose();

    const store = new ModelStore(await Workspace.open(workspace));
    const { models } = await store.list();
    const listed = models.find((m) => m.id === result.modelId);
    expect(listed?.status).toBe('cancelled');

    const show = captureIO();
    expect(await modelsCommand(['show', result.modelId, '--workspace', workspace], show)).toBe(0);
    expect(show.out()).toMatch(/backend: wasm/);
    expect(show.out()).toMatch(/training: cancelled/);
    const refuse = captureIO();
    await expect(
      modelsCommand(['delete', result.modelId, '--workspace', workspace], refuse),
    ).rejects.toThrow(/--yes/);
    const del = captureIO();
    expect(
      await modelsCommand(['delete', result.modelId, '--yes', '--workspace', workspace], del),
    ).toBe(0);
    expect((await store.list()).models.some((m) => m.id === result.modelId)).toBe(false);
  }, 120_000);
});

describe('ecoeval train arguments', () => {
  it('refuses missing or wrong options with usage errors', async () => {
    const io = captureIO();
    await expect(trainCommand(['--preset', 'tiny', '--workspace', workspace], io)).rejects.toThrow(
      /--dataset is required/,
    );
    await expect(
      trainCommand(
        ['--dataset', 'grammar-en-xx', '--preset', 'huge', '--workspace', workspace],
        io,
      ),
    ).rejects.toThrow(/--preset must be one of tiny, small, base/);
    await expect(
      trainCommand(['--dataset', 'x', '--preset', 'tiny', '--backend', 'tpu'], io),
    ).rejects.toThrow(/--backend must be one of/);
    await expect(
      trainCommand(['--dataset', 'x', '--preset', 'tiny', '--steps', '0'], io),
    ).rejects.toThrow(/--steps must be a positive whole number/);
    await expect(trainCommand(['--resume', 'nope', '--workspace', workspace], io)).rejects.toThrow(
      /No model with id "nope"/,
    );
    const help = captureIO();
    expect(await trainCommand(['--help'], help)).toBe(0);
    expect(help.out()).toMatch(
      /small d_model 128, 4 heads, 2\+2 layers, ff 512: 1\.44 M parameters/,
    );
  });
});
