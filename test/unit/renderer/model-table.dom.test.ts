import { describe, expect, it } from 'vitest';
import { mount, unmount } from 'svelte';
import ModelTable from '../../../renderer/src/components/ModelTable.svelte';
import type { ModelInfo } from '../../../shared/api/types';

const base: ModelInfo = {
  id: 'm',
  name: 'Model',
  kind: 'encoder-decoder',
  preset: 'tiny',
  parameters: 1000,
  vocabSize: 4000,
  srcVocabSize: null,
  status: 'completed',
  step: 300,
  joules: 12_340,
  bestBleu: 21.5,
  backend: 'wasm',
  bytes: 1,
  createdAt: '',
};

describe('ModelTable', () => {
  it('labels the energy by how it was obtained and says why the backend was chosen', () => {
    const target = document.createElement('div');
    const component = mount(ModelTable, {
      target,
      props: {
        models: [
          {
            ...base,
            id: 'a',
            energyMethod: 'counter',
            energyGrade: 'B',
            backendReasons: [
              { backend: 'node-gpu', reason: 'failed: @tensorflow/tfjs-node-gpu is not installed' },
              { backend: 'cpu', reason: 'skipped: wasm already chosen' },
            ],
          },
          { ...base, id: 'b', energyMethod: 'estimate', energyGrade: 'D' },
          { ...base, id: 'c', energyMethod: 'counter+estimate' },
          { ...base, id: 'd' }, // an older record: no method stored
          { ...base, id: 'e', joules: null, energyMethod: 'off', srcVocabSize: 3000 },
        ],
      },
    });
    const labels = [...target.querySelectorAll('[data-testid="model-energy-method"]')].map(
      (e) => e.textContent,
    );
    expect(labels).toEqual([
      'measured (counter), grade B',
      'estimate, grade D',
      'mixed (counter+estimate)',
      'estimate',
    ]);
    const rows = target.querySelectorAll('tbody tr');
    const vocab = [...target.querySelectorAll('[data-testid="model-vocab"]')].map((e) =>
      e.textContent!.trim(),
    );
    expect(vocab[0]).toBe('4,000 shared');
    expect(vocab[4]).toBe('3,000 src / 4,000 tgt');
    expect(rows[0].textContent).toContain('12.34 kJ');
    expect(rows[4].textContent).toContain('—');
    const why = target.querySelectorAll('[data-testid="backend-why"]');
    expect(why).toHaveLength(1);
    expect(why[0].querySelector('summary')!.textContent).toBe('why wasm?');
    expect(why[0].textContent).toContain(
      'node-gpu failed: @tensorflow/tfjs-node-gpu is not installed',
    );
    expect(why[0].textContent).toContain('cpu skipped: wasm already chosen');
    unmount(component);
  });
});
