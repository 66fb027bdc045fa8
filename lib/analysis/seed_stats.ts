/**
 * The statistics the rulebook weighs seeds with: mean and spread, and Student's t quantiles for the
 * prediction interval of one more run and for paired comparisons.
 *
 * @module
 */
import { mean } from "../format.ts";

/** Two-sided 95% quantiles of Student's t, by degrees of freedom 1-30 (1.96 beyond). */
// deno-fmt-ignore
export const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
/** One-sided 95% quantiles of Student's t, by degrees of freedom 1-30 (1.645 beyond). */
// deno-fmt-ignore
export const T_95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753,
  1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];
/** The t quantile of a table at `df` degrees of freedom, `beyond` past its end. */
export const quantile = (table: number[], beyond: number, df: number) =>
  df <= table.length ? table[df - 1] : beyond;

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(values: number[]): { mean: number; sd: number } {
  const average = mean(values);
  const sd = values.length < 2
    ? 0
    : Math.sqrt(values.reduce((a, b) => a + (b - average) ** 2, 0) / (values.length - 1));
  return { mean: average, sd };
}
