import { describe, expect, it } from 'vitest';
import { simplify } from './strokes';

describe('a stroke as sent', () => {
  it('keeps at most the given number of points, first and last included, rounded', () => {
    const points = Array.from({ length: 1000 }, (_, i): [number, number] => [i / 999, 0.123456]);
    const out = simplify(points, 400);
    expect(out).toHaveLength(400);
    expect(out[0]).toEqual([0, 0.1235]);
    expect(out.at(-1)).toEqual([1, 0.1235]);
  });

  it('drops points that barely moved but keeps where the stroke ended', () => {
    const out = simplify(
      [
        [0.5, 0.5],
        [0.5001, 0.5],
        [0.5002, 0.5001],
      ],
      400,
    );
    expect(out).toEqual([[0.5, 0.5]]);
    expect(
      simplify(
        [
          [0.1, 0.1],
          [0.2, 0.2],
          [0.2005, 0.2],
        ],
        400,
      ),
    ).toEqual([
      [0.1, 0.1],
      [0.2005, 0.2],
    ]);
  });

  it('keeps a dot (one point) and never leaves the page', () => {
    expect(simplify([[1.2, -0.1]], 400)).toEqual([[1, 0]]);
  });
});
