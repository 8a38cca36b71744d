import { describe, expect, it } from 'vitest';
import { sumStatistics } from '../../../shared/metrics/base';

describe('sumStatistics', () => {
  it('sums all rows or the selected ones', () => {
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    expect(sumStatistics(rows)).toEqual([9, 12]);
    expect(sumStatistics(rows, [0, 0, 2])).toEqual([7, 10]);
    expect(sumStatistics([])).toEqual([]);
  });
});
