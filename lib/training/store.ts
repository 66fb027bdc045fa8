/**
 * The run store: results keyed by config, layer topology, backend and training version, written
 * atomically with a checksum and verified on load (a corrupt entry is retrained, never used), and
 * per-epoch checkpoints so an interrupted run resumes from its last completed epoch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createHash } from "node:crypto";
import { notify } from "../kernel.ts";
import { fromBase64, writeAtomically } from "../data/files.ts";
import { makeOptimizer } from "./losses.ts";
import { type Framework, type ParamCounts } from "../models/spec.ts";
import { buildModel } from "../papers/registry.ts";
import { REPO_ROOT } from "./profile.ts";
import { type EpochRecord } from "./fit.ts";
import { TRAINING_VERSION } from "./version.ts";
import { checkConfig, type ExperimentConfig } from "./config.ts";

/** What a run produced. Stored as JSON under its key. */
export interface RunResult {
  format: 1;
  key: string;
  config: ExperimentConfig;
  /** {@link TRAINING_VERSION} when it ran. */
  trainingVersion: number;
  /** Before keys were versioned: a hash of the training modules' source (kept for provenance). */
  codeHash?: string;
  history: EpochRecord[];
  stoppedEarly: boolean;
  params: ParamCounts;
  test: {
    count: number;
    loss: number;
    accuracy: number;
    /** confusion[true][predicted]. */
    confusion: number[][];
    /** Base64 of the true labels, predicted labels (bytes) and confidences (float32). */
    labels: string;
    predicted: string;
    confidence: string;
    /**
     * The full class probabilities of a few test images, for prediction galleries: the first
     * {@link SHOWN_FIRST} images and the {@link SHOWN_MISTAKES} most confident mistakes (base64 float32, ten
     * per image, in the order of `indices`). Absent from results stored before it was added.
     */
    shown?: { indices: number[]; probabilities: string };
  };
  timing: {
    /** Wall-clock seconds of training in the process that finished the run (after resuming, if it did). */
    trainSeconds: number;
    /** Mean over the epochs that process trained. */
    meanEpochSeconds: number;
    imagesPerSecond: number;
    inferenceImagesPerSecond: number;
  };
  backend: string;
  /**
   * Which path trained it, when recorded (`onednn` or `wasm` under the wasm backend): not in the key,
   * since both serve the same runs (see README, Run keys); absent in runs stored before it was recorded.
   */
  backendChoice?: string;
  versions: { tfjs: string; deno: string };
  /** Epochs that came from a checkpoint rather than this process (0 when not resumed). */
  resumedFromEpoch: number;
  createdAt: string;
  /** SHA-256 of the JSON of everything above. */
  checksum: string;
}

let storedHere = 0;

/** Runs stored by this process so far: judgements cached against it go stale when it changes. */
export function runsStoredHere(): number {
  return storedHere;
}

/** Count a run this process has just stored (see {@link runsStoredHere}). */
export function noteRunStored(): void {
  storedHere++;
}

/** Where results live: `FMNIST_RUNS_DIR`, default `data/runs/` in the repository. */
export function runsDir(): string {
  return Deno.env.get("FMNIST_RUNS_DIR") ?? `${REPO_ROOT}data/runs`;
}

// ---------------------------------------------------------------------------------------------
// keys

/** JSON with object keys sorted, so equal configs hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string | Uint8Array) => createHash("sha256").update(text).digest("hex");

/**
 * The model's layer topology: every layer's class and configuration, without names (tfjs numbers layer
 * names globally: conv2d_Conv2D7, ...). Editing one model's layers changes only its runs' keys.
 */
export function modelTopology(model: string, framework?: Framework): string {
  const built = buildModel(model, 0, framework);
  const topology = stableStringify(built.layers.map((l) => {
    const { name: _name, ...layerConfig } = l.getConfig();
    return [l.getClassName(), layerConfig];
  }));
  built.dispose();
  return topology;
}

/**
 * The store key of a config: a readable prefix, then a hash of the config, the model's layer
 * topology, the backend and {@link TRAINING_VERSION}. Source code is not in it: moving, reformatting or
 * commenting code keeps every stored run; a change to what training computes bumps the version. The
 * backend's speed-ups (and the oneDNN path, which keeps the key of tfjs's `wasm` backend) compute the same
 * gradients to rounding (checked against the cpu backend in the backend tests), so they are not in it
 * either: a run retrained after such a change starts from last-digit differences, which training grows
 * into a trajectory that differs like another machine's would, well inside the seed-to-seed spread
 * (measured in README's Run keys), and the stored result stays the record of that config.
 */
export function runKey(config: ExperimentConfig, backend: string): { key: string } {
  checkConfig(config);
  const hash = sha256(stableStringify({
    config,
    topology: modelTopology(config.model, config.framework),
    trainingVersion: TRAINING_VERSION,
    backend,
  })).slice(0, 16);
  return { key: `${config.model}.${config.profile}.s${config.seed}.${hash}` };
}

// ---------------------------------------------------------------------------------------------
// atomic files, results and checkpoints

/** Test images whose full class probabilities a result keeps: the first ones, and the most confident mistakes. */
export const SHOWN_FIRST = 18;
export const SHOWN_MISTAKES = 18;

/** The indices a result keeps probabilities for, from its predictions (see `RunResult.test.shown`). */
export function shownIndices(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  confidence: ArrayLike<number>,
): number[] {
  const first = Array.from({ length: Math.min(SHOWN_FIRST, labels.length) }, (_, i) => i);
  const mistakes = Array.from({ length: labels.length }, (_, i) => i)
    .filter((i) => predicted[i] !== labels[i])
    .sort((a, b) => confidence[b] - confidence[a] || a - b)
    .slice(0, SHOWN_MISTAKES);
  return [...new Set([...first, ...mistakes])];
}

/** The kept probabilities of a result, by test index (empty for results stored before they were kept). */
export function shownProbabilities(result: RunResult): Map<number, Float32Array> {
  const shown = result.test.shown;
  if (!shown) return new Map();
  const bytes = fromBase64(shown.probabilities);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  return new Map(shown.indices.map((index, i) => [index, all.slice(10 * i, 10 * i + 10)]));
}

/** The test-set labels, predictions and confidences of a result. */
export function testPredictions(
  result: RunResult,
): { labels: Uint8Array; predicted: Uint8Array; confidence: Float32Array } {
  const conf = fromBase64(result.test.confidence);
  return {
    labels: fromBase64(result.test.labels),
    predicted: fromBase64(result.test.predicted),
    confidence: new Float32Array(conf.buffer, conf.byteOffset, conf.length / 4),
  };
}

/** A result with its checksum (SHA-256 of everything else) set. */
export function withChecksum(result: Omit<RunResult, "checksum">): RunResult {
  return { ...result, checksum: sha256(stableStringify(result)) };
}

/**
 * Read a stored result, or null when there is none. A file that does not parse, fails its
 * checksum, or belongs to another key is reported through `log` and treated as absent.
 */
export async function loadResult(
  key: string,
  dir = runsDir(),
  log: (m: string) => unknown = notify,
  onCorrupt?: (path: string, reason: string) => void,
): Promise<RunResult | null> {
  const path = `${dir}/${key}.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  try {
    const { checksum, ...rest } = JSON.parse(text) as RunResult;
    if (rest.format !== 1 || rest.key !== key) throw new Error("it belongs to another key or format");
    if (sha256(stableStringify(rest)) !== checksum) throw new Error("checksum mismatch");
    return { ...rest, checksum };
  } catch (e) {
    onCorrupt?.(path, (e as Error).message);
    await log(`stored run ${path} is corrupt (${(e as Error).message}); it will be retrained`);
    return null;
  }
}

interface CheckpointState {
  key: string;
  /** The run's config, so a checkpoint can be checked and migrated on its own. */
  config?: ExperimentConfig;
  history: EpochRecord[];
  weights: { shape: number[] }[];
  optimizer: { name: string; shape: number[] }[];
  /** Adam's bias-correction accumulators, restored exactly (tfjs recomputes them with pow otherwise). */
  accBeta: number[] | null;
  dataSha256: string;
  /** The file in the run store that holds the weights (absent in checkpoints from before 2026-12-06). */
  weightsFile?: string;
}

/**
 * A checkpoint is a manifest (`<key>.ckpt.json`) naming a weights file written before it, one per epoch
 * (`<key>.ckpt.e<epochs>.bin`): the manifest's rename makes a checkpoint visible all at once, and a kill
 * at any point leaves the previous manifest with the weights it names, so the run resumes from the
 * previous epoch instead of starting over.
 */
function weightsFileName(key: string, epochs: number): string {
  return `${key}.ckpt.e${epochs}.bin`;
}

/** Every weights file of `key`'s checkpoints in `dir` (the legacy `<key>.ckpt.bin` included). */
async function weightsFiles(dir: string, key: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(`${key}.ckpt.`) && entry.name.endsWith(".bin")) names.push(entry.name);
  }
  return names;
}

export async function saveCheckpoint(
  dir: string,
  key: string,
  config: ExperimentConfig,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  history: EpochRecord[],
) {
  const weights = model.getWeights();
  const named = await optimizer.getWeights();
  const tensors = [...weights, ...named.map((n) => n.tensor)];
  const total = tensors.reduce((n, t) => n + t.size, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    data.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  const bytes = new Uint8Array(data.buffer);
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  const state: CheckpointState = {
    key,
    config,
    history,
    weights: weights.map((w) => ({ shape: w.shape })),
    optimizer: named.map((n) => ({ name: n.name, shape: n.tensor.shape })),
    accBeta: o.accBeta1 && o.accBeta2 ? [o.accBeta1.dataSync()[0], o.accBeta2.dataSync()[0]] : null,
    dataSha256: sha256(bytes),
    weightsFile: weightsFileName(key, history.length),
  };
  await writeAtomically(`${dir}/${state.weightsFile}`, bytes);
  await writeAtomically(`${dir}/${key}.ckpt.json`, JSON.stringify(state));
  for (const name of await weightsFiles(dir, key)) {
    if (name !== state.weightsFile) await Deno.remove(`${dir}/${name}`).catch(() => {});
  }
}

export async function loadCheckpoint(
  dir: string,
  key: string,
  config: ExperimentConfig,
  log: (m: string) => unknown,
): Promise<{ model: tf.Sequential; optimizer: tf.Optimizer; history: EpochRecord[] } | null> {
  let state: CheckpointState;
  let bytes: Uint8Array;
  try {
    state = JSON.parse(await Deno.readTextFile(`${dir}/${key}.ckpt.json`));
    bytes = await Deno.readFile(`${dir}/${state.weightsFile ?? `${key}.ckpt.bin`}`);
  } catch {
    return null;
  }
  if (state.key !== key || sha256(bytes) !== state.dataSha256) {
    await log(`checkpoint of ${key} does not match its data (interrupted while writing?); starting over`);
    return null;
  }
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  let offset = 0;
  const next = (shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(data.slice(offset, offset + size), shape);
    offset += size;
    return t;
  };
  const model = buildModel(config.model, config.seed, config.framework);
  const weights = state.weights.map((w) => next(w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  const optimizer = makeOptimizer(config.optimizer, config.learningRate, config.framework);
  const named = state.optimizer.map((o) => ({ name: o.name, tensor: next(o.shape) }));
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  if (state.accBeta) {
    const o = optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    o.accBeta1.assign(tf.scalar(state.accBeta[0]));
    o.accBeta2.assign(tf.scalar(state.accBeta[1]));
  }
  return { model, optimizer, history: state.history };
}

/** Remove a run's checkpoint: its manifest, then every weights file. */
export async function removeCheckpoint(dir: string, key: string) {
  await Deno.remove(`${dir}/${key}.ckpt.json`).catch(() => {});
  for (const name of await weightsFiles(dir, key).catch(() => [])) {
    await Deno.remove(`${dir}/${name}`).catch(() => {});
  }
}
