/**
 * Live measurements (latencies, throughput) stored like training runs: measured once, written to
 * `data/measurements/<name>.json`, and shown from there afterwards, so that re-running a notebook
 * leaves it byte-identical. `FMNIST_REMEASURE=1` (`deno task figures:remeasure`) measures again.
 * `FMNIST_MEASUREMENTS_DIR` moves the store (smoke runs use a temporary one).
 *
 * @module
 */
import { writeAtomically } from "../data/files.ts";
import { currentProfile, REPO_ROOT } from "../training/profile.ts";
import type { ExperimentConfig } from "../training/config.ts";
import { experiment } from "../training/experiments.ts";
import { type RecipeTimes, timeConfigs } from "../training/timing.ts";
import { initBackend } from "../backend/select.ts";
import { UserError } from "../errors.ts";

/** A stored measurement: its value and when and where it was taken. */
export interface Measurement<T> {
  name: string;
  value: T;
  /** ISO date (day) of the measurement. */
  measuredOn: string;
  /** The machine, in a few words (cores, and the backend the caller names). */
  machine: string;
  /** True when this call measured it (nothing was stored, or FMNIST_REMEASURE=1). */
  fresh: boolean;
}

/** Where measurements live: `FMNIST_MEASUREMENTS_DIR`, default `data/measurements/`. */
export function measurementsDir(): string {
  return Deno.env.get("FMNIST_MEASUREMENTS_DIR") ?? `${REPO_ROOT}data/measurements`;
}

/**
 * The stored measurement `name`, or measure it now with `measure` and store it.
 *
 * @example
 * ```ts
 * const { value, measuredOn } = await storedMeasurement("04_latency", "wasm", () => timeIt());
 * ```
 */
export async function storedMeasurement<T>(
  name: string,
  backend: string,
  measure: () => T | Promise<T>,
): Promise<Measurement<T>> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new UserError(`measurement name "${name}" must be letters, digits, '-', '_' or '.'`);
  }
  const path = `${measurementsDir()}/${name}.json`;
  if (Deno.env.get("FMNIST_REMEASURE") !== "1") {
    try {
      const stored = JSON.parse(await Deno.readTextFile(path)) as Measurement<T>;
      if (stored.name === name && stored.value !== undefined) return { ...stored, fresh: false };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !(e instanceof SyntaxError)) throw e;
    }
  }
  const value = await measure();
  const record = {
    name,
    value,
    measuredOn: new Date().toISOString().slice(0, 10),
    machine: `${navigator.hardwareConcurrency} cores, ${backend}`,
  };
  await Deno.mkdir(measurementsDir(), { recursive: true });
  await writeAtomically(path, JSON.stringify(record, null, 1) + "\n");
  return { ...record, fresh: true };
}

/**
 * Idle training times of labelled configs (seconds per epoch over a few timed rounds; see `timeConfigs`),
 * measured once on an idle machine and stored as measurement `name`. Under `smoke` a few batches only.
 *
 * @example
 * ```ts
 * const times = await measureTimes("06_batch-speed", { "batch 64": { ...experiment("001-basic"), batchSize: 64 } });
 * ```
 */
export async function measureTimes(
  name: string,
  configs: Record<string, ExperimentConfig>,
): Promise<Measurement<RecipeTimes>> {
  const options = currentProfile() === "smoke" ? { images: 256, rounds: 1 } : {};
  return storedMeasurement(name, (await initBackend()).name, () => timeConfigs(configs, options));
}

/** {@link measureTimes} of experiments' recipes at the paper's settings, labelled by experiment name. */
export function measureRecipeTimes(name: string, experiments: string[]): Promise<Measurement<RecipeTimes>> {
  const configs = Object.fromEntries([...new Set(experiments)].map((e) => [e, experiment(e, "paper")]));
  return measureTimes(name, configs);
}
