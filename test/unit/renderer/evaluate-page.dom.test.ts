// The Evaluate page: one model in three precisions is one click, the run count follows the
// choices, errors sit next to the field that caused them, perplexity is offered only when every
// system has log-probabilities, and Start sends the sweep the contract describes.
import { describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import EvaluatePage from '../../../renderer/src/components/EvaluatePage.svelte';
import { Workbench } from '../../../renderer/src/lib/workbench.svelte';
import type { EvaluateInput } from '../../../renderer/src/lib/workbench.svelte';
import { DATASET, FakeTransport, MODEL, settle } from './run-fixtures';

async function setup(evaluate?: (request: EvaluateInput) => unknown) {
  const transport = new FakeTransport({
    listModels: () => [MODEL, { ...MODEL, id: 'busy', name: 'busy model', status: 'running' }],
    ...(evaluate ? { evaluate: evaluate as never } : {}),
  });
  const workbench = new Workbench(transport);
  workbench.datasets = [DATASET];
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(EvaluatePage, { target, props: { workbench } });
  await settle();
  return {
    transport,
    workbench,
    target,
    done: () => {
      unmount(component);
      target.remove();
    },
  };
}

const button = (root: ParentNode, text: string) =>
  [...root.querySelectorAll('button')].find((b) => b.textContent!.trim() === text)!;
const box = (root: ParentNode, label: string) =>
  root.querySelector(`input[aria-label="${label}"]`) as HTMLInputElement;

describe('EvaluatePage', () => {
  it('puts each missing choice next to its field', async () => {
    const { target, transport, done } = await setup(() => []);
    button(target, 'Start').click();
    await settle();
    const alerts = [...target.querySelectorAll('[role="alert"]')].map((a) => a.textContent);
    expect(alerts.some((a) => a!.startsWith('Choose at least one system'))).toBe(true);
    expect(alerts).toContain('Choose at least one dataset.');
    expect(transport.count('evaluate')).toBe(0);
    // The error for systems sits inside the systems fieldset.
    expect(target.querySelector('fieldset [id="err-models"]')).not.toBeNull();
    done();
  });

  it('ticks three precisions in one click, counts the runs and starts the sweep', async () => {
    const requests: EvaluateInput[] = [];
    const { target, workbench, done } = await setup((request) => {
      requests.push(request);
      return [0, 1].map((i) => ({
        jobId: `j${i}`,
        kind: 'evaluate',
        label: `job ${i}`,
        position: i,
        state: i ? 'queued' : 'running',
        runId: null,
        queuedAt: '',
      }));
    });
    // A model still training has no checkpoint to evaluate.
    expect(box(target, 'busy model fp32').disabled).toBe(true);
    (
      target.querySelector('[aria-label="tiny grammar: all three precisions"]') as HTMLButtonElement
    ).click();
    flushSync();
    expect(['fp32', 'fp16', 'int8'].every((p) => box(target, `tiny grammar ${p}`).checked)).toBe(
      true,
    );
    box(target, 'tiny grammar fp16').click();
    flushSync();
    const dataset = target.querySelector(
      '[data-testid="dataset-choices"] input',
    ) as HTMLInputElement;
    dataset.click();
    flushSync();
    const split = target.querySelector(
      'select[aria-label="Grammar EN→Kelvari split"]',
    ) as HTMLSelectElement;
    expect(split.value).toBe('test');
    expect(target.querySelector('[data-testid="run-count"]')!.textContent).toMatch(
      /2 systems × 1 dataset = 2 runs/,
    );
    // Models give log-probabilities, so perplexity is offered.
    const perplexity = [...target.querySelectorAll('label.check')]
      .find((l) => l.textContent!.includes('Perplexity'))!
      .querySelector('input')!;
    expect(perplexity.disabled).toBe(false);
    const beam = [...target.querySelectorAll('input[type="radio"]')].find(
      (r) => (r as HTMLInputElement).value === 'beam',
    ) as HTMLInputElement;
    beam.click();
    flushSync();
    button(target, 'Start').click();
    await settle();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toEqual({
      systems: [
        { type: 'model', model: 'tiny-grammar', precision: 'fp32', beam: 4, lengthPenalty: 1 },
        { type: 'model', model: 'tiny-grammar', precision: 'int8', beam: 4, lengthPenalty: 1 },
      ],
      datasets: [{ dataset: 'grammar-en-xx', split: 'test' }],
      metrics: ['bleu', 'chrf'],
      tags: [],
      force: false,
    });
    expect(target.querySelector('[data-testid="evaluate-queued"]')!.textContent).toContain(
      'Queued 2 runs',
    );
    expect(workbench.queue.map((j) => j.jobId)).toEqual(['j0', 'j1']);
    done();
  });

  it('offers perplexity only when imported outputs bring log-probabilities', async () => {
    const { target, done } = await setup(() => []);
    button(target, '+ Imported outputs…').click();
    flushSync();
    const perplexity = () =>
      [...target.querySelectorAll('label.check')]
        .find((l) => l.textContent!.includes('Perplexity'))!
        .querySelector('input')!;
    expect(perplexity().disabled).toBe(true);
    expect(target.textContent).toContain('Imported outputs need a log-probability file');
    const imported = target.querySelector('[data-testid="imported-system"]')!;
    button(target, 'Start').click();
    await settle();
    expect(imported.textContent).toContain('Give these outputs a name');
    expect(imported.textContent).toContain('Choose the hypotheses file.');
    done();
  });

  it("puts the host's refusal next to the field it names", async () => {
    const { target, done } = await setup(() => {
      throw new Error('invalid request for evaluate (datasets.0.split): not a valid split name');
    });
    box(target, 'tiny grammar fp32').click();
    (target.querySelector('[data-testid="dataset-choices"] input') as HTMLInputElement).click();
    flushSync();
    button(target, 'Start').click();
    await settle();
    const datasets = target.querySelector('[data-testid="dataset-choices"]')!.closest('fieldset')!;
    expect(datasets.querySelector('[role="alert"]')!.textContent).toContain(
      'not a valid split name',
    );
    done();
  });
});
