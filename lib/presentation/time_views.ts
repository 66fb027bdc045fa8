/**
 * Training time as notebooks show it: idle timings of recipes or configs (measured once, stored in
 * `data/measurements/`), as seconds per epoch, images per second and ratios.
 *
 * @module
 */
import type { ExperimentConfig } from "../training/config.ts";
import { type RecipeTimes } from "../training/timing.ts";
import type { Measurement } from "../analysis/measurements.ts";
import { summarize } from "../analysis/diagnosis.ts";
import { UserError } from "../errors.ts";
import { plural, showTable } from "./notebook.ts";

/** Mean idle seconds of a whole run of `experiment` (epoch seconds times its epochs). */
export function runSeconds(times: RecipeTimes, experiment: string): number {
  const epochs = times.epochSeconds[experiment];
  if (!epochs) throw new UserError(`no idle timing of ${experiment}; time it with timeRecipes`);
  return summarize(epochs).mean * times.epochs[experiment];
}

/**
 * Idle timings of labelled configs (from `measureTimes(name, configs)`) as a table: seconds per epoch,
 * images per second and the ratio to the first config, for example one recipe at two batch sizes. Returns
 * nothing, so that a notebook cell ending with it shows only the table.
 */
export async function showTrainingSpeed(
  measured: Measurement<RecipeTimes>,
  configs: Record<string, ExperimentConfig>,
): Promise<void> {
  const { value: times, machine, measuredOn } = measured;
  const labels = Object.keys(configs);
  const mean = (label: string) => summarize(times.epochSeconds[label]).mean;
  await showTable(
    labels.map((label) => ({
      config: label,
      "batch size": configs[label].batchSize,
      "s per epoch": `${mean(label).toFixed(1)} (${Math.min(...times.epochSeconds[label]).toFixed(1)}-${
        Math.max(...times.epochSeconds[label]).toFixed(1)
      })`,
      "images per s": Math.round(times.epochImages[label] / mean(label)),
      "time ratio": Number((mean(label) / mean(labels[0])).toFixed(2)),
    })),
    {
      caption: `Training speed: one epoch on ${times.images.toLocaleString("en-US")} images timed ` +
        `${
          plural(times.rounds, "time")
        } per config on an idle machine (${machine}, ${measuredOn}), scaled to ` +
        `the full epoch (${times.epochImages[labels[0]].toLocaleString("en-US")} images)`,
    },
  );
}
