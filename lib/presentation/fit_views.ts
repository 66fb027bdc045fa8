/**
 * Reading long runs epoch by epoch: the epoch of lowest validation loss, and a run of fit states as spans
 * ("1-5: in between; 6: good fit"). Awasthi & Soni 2024's own fit views build on these in their folder.
 *
 * @module
 */
import type { EpochRecord } from "../training/fit.ts";
import { type FitState } from "../analysis/diagnosis.ts";

/** The epoch (1-based) of the lowest validation loss. */
export function bestEpoch(history: EpochRecord[]): number {
  let best = 0;
  history.forEach((h, i) => {
    if ((h.valLoss ?? Infinity) < (history[best].valLoss ?? Infinity)) best = i;
  });
  return history[best].epoch;
}

/** Consecutive epochs in one state, as "1-5: in between; 6: good fit". */
export function spans(states: FitState[]): string {
  const out: string[] = [];
  let start = 0;
  for (let i = 1; i <= states.length; i++) {
    if (i === states.length || states[i] !== states[start]) {
      out.push(`${start + 1}${i - 1 > start ? `-${i}` : ""}: ${states[start]}`);
      start = i;
    }
  }
  return out.join("; ");
}
