/**
 * Small number helpers every layer shares, so a percentage reads the same in a table, a title and a log
 * line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { argmax, mean, percent, points, round } from "./format.ts";
 * assert.equal(percent(0.8825), "88.3%");
 * assert.equal(points(0.8825), "88.25");
 * assert.equal(round(0.123456, 3), 0.123);
 * assert.equal(mean([1, 2, 3]), 2);
 * assert.equal(argmax([0.1, 0.7, 0.2]), 1);
 * ```
 *
 * @module
 */

/** A fraction on [0, 1] as a percentage with its sign: 0.8825 → "88.3%". */
export const percent = (fraction: number, digits = 1): string => `${(100 * fraction).toFixed(digits)}%`;

/** A fraction on [0, 1] in percentage points, without the sign: 0.8825 → "88.25". */
export const points = (fraction: number, digits = 2): string => (100 * fraction).toFixed(digits);

/** A number rounded to `digits` decimals, as a number (so tables print it without trailing zeros). */
export const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** The arithmetic mean (NaN for no values). */
export const mean = (values: ArrayLike<number>): number =>
  Array.from(values).reduce((a, b) => a + b, 0) / values.length;

/** The index of the largest value (the first, on ties). */
export const argmax = (values: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
};
