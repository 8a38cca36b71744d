import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paretoFrontier } from '../../../shared/chart/pareto';
import type { FrontierPoint } from '../../../shared/chart/pareto';

/** a dominates b: no more energy, no worse score, better on at least one. */
function dominates(a: FrontierPoint, b: FrontierPoint, higherIsBetter: boolean): boolean {
  const better = higherIsBetter ? a.y >= b.y : a.y <= b.y;
  return a.x <= b.x && better && (a.x < b.x || a.y !== b.y);
}

// Small integer grids make ties and duplicates common.
const point = fc.record({
  id: fc.string({ minLength: 1, maxLength: 3 }),
  x: fc.integer({ min: 1, max: 8 }),
  y: fc.integer({ min: 0, max: 8 }),
});
const points = fc.array(point, { maxLength: 40 });

describe('paretoFrontier properties', () => {
  it.each([true, false])(
    'higherIsBetter=%s: no frontier point is dominated by any point',
    (hib) => {
      fc.assert(
        fc.property(points, (ps) => {
          for (const f of paretoFrontier(ps, hib)) {
            expect(ps.some((p) => dominates(p, f, hib))).toBe(false);
          }
        }),
      );
    },
  );

  it.each([true, false])(
    'higherIsBetter=%s: every other point is dominated by, or identical to, a frontier point',
    (hib) => {
      fc.assert(
        fc.property(points, (ps) => {
          const frontier = paretoFrontier(ps, hib);
          for (const p of ps) {
            if (frontier.includes(p)) continue;
            expect(frontier.some((f) => dominates(f, p, hib) || (f.x === p.x && f.y === p.y))).toBe(
              true,
            );
          }
        }),
      );
    },
  );

  it('is sorted by x, never repeats a position, and does not depend on input order', () => {
    fc.assert(
      fc.property(points, fc.boolean(), (ps, hib) => {
        const frontier = paretoFrontier(ps, hib);
        for (let i = 1; i < frontier.length; i++) {
          expect(frontier[i].x).toBeGreaterThan(frontier[i - 1].x);
        }
        const reversed = paretoFrontier([...ps].reverse(), hib);
        expect(reversed.map((p) => [p.id, p.x, p.y])).toEqual(
          frontier.map((p) => [p.id, p.x, p.y]),
        );
      }),
    );
  });
});

describe('paretoFrontier cases', () => {
  const p = (id: string, x: number, y: number): FrontierPoint => ({ id, x, y });

  it('keeps the staircase of cheapest-best runs (higher is better)', () => {
    const ps = [p('a', 1, 10), p('b', 2, 20), p('c', 3, 15), p('d', 4, 30), p('e', 5, 30)];
    expect(paretoFrontier(ps, true).map((f) => f.id)).toEqual(['a', 'b', 'd']);
  });

  it('turns around when lower is better (TER, perplexity)', () => {
    const ps = [p('a', 1, 60), p('b', 2, 50), p('c', 3, 55), p('d', 4, 40)];
    expect(paretoFrontier(ps, false).map((f) => f.id)).toEqual(['a', 'b', 'd']);
    expect(paretoFrontier(ps, true).map((f) => f.id)).toEqual(['a']);
  });

  it('on equal energy keeps only the better score', () => {
    const ps = [p('worse', 2, 10), p('better', 2, 12), p('cheap', 1, 5)];
    expect(paretoFrontier(ps, true).map((f) => f.id)).toEqual(['cheap', 'better']);
    expect(paretoFrontier(ps, false).map((f) => f.id)).toEqual(['cheap']);
  });

  it('on equal score keeps only the cheaper run', () => {
    expect(paretoFrontier([p('dear', 3, 10), p('cheap', 2, 10)], true).map((f) => f.id)).toEqual([
      'cheap',
    ]);
  });

  it('keeps one of identical points: the smallest id', () => {
    const ps = [p('run-b', 2, 10), p('run-a', 2, 10), p('run-c', 2, 10)];
    expect(paretoFrontier(ps, true)).toEqual([p('run-a', 2, 10)]);
  });

  it('ignores points that cannot be placed and handles empty input', () => {
    expect(paretoFrontier([], true)).toEqual([]);
    expect(paretoFrontier([p('nan', NaN, 1), p('inf', 1, Infinity), p('ok', 2, 1)], true)).toEqual([
      p('ok', 2, 1),
    ]);
  });

  it('does not reorder the caller’s array', () => {
    const ps = [p('b', 2, 2), p('a', 1, 1)];
    paretoFrontier(ps, true);
    expect(ps.map((x) => x.id)).toEqual(['b', 'a']);
  });
});
