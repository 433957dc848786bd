/** A point on a page, as fractions of its width and height. */
export type Point = [number, number];

/**
 * A stroke as sent: points closer than `minStep` to the last kept one are
 * dropped, then at most `max` are kept evenly (first and last always), each
 * rounded to four decimals (a tenth of a pixel on a 1000-pixel page).
 */
export function simplify(points: readonly Point[], max: number, minStep = 0.002): Point[] {
  const kept: Point[] = [];
  for (const p of points) {
    const last = kept.at(-1);
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) >= minStep) kept.push(p);
  }
  const end = points.at(-1);
  if (end && kept.length > 1 && kept.at(-1) !== end) kept[kept.length - 1] = end;
  let out = kept;
  if (kept.length > max) {
    out = [];
    for (let i = 0; i < max; i++) out.push(kept[Math.round((i * (kept.length - 1)) / (max - 1))]!);
  }
  return out.map(([x, y]) => [round(x), round(y)]);
}

function round(v: number): number {
  return Math.min(1, Math.max(0, Math.round(v * 10_000) / 10_000));
}
