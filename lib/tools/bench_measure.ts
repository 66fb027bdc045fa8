/**
 * One benchmark measurement (`deno task bench`): training seconds per epoch, inference throughput and
 * peak memory of one model on one backend, in a child process of its own; and the per-kernel profile.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import { type BackendChoice, type BackendInfo, initBackend } from "../backend/select.ts";
import { loadFashionMnist, PIXELS, type Subset } from "../data/fashion_mnist.ts";
import { makeOptimizer } from "../training/losses.ts";
import { countParams } from "../models/spec.ts";
import { buildModel, modelSpec } from "../papers/registry.ts";
import { sample } from "../data/splits.ts";
import { batchTensors, fit, type TrainOptions } from "../training/fit.ts";

/** Training batch size, learning rate and epoch size the timings refer to. */
export const TRAIN_BATCH = 64;
export const INFER_BATCH = 256;
export const EPOCH_IMAGES = 60000;
export const LEARNING_RATE = 1e-3;
const SEED = 1;
const MIB = 1024 * 1024;

export const ALL_BACKENDS: readonly BackendChoice[] = ["tensorflow", "onednn", "wasm", "cpu"];
/** Marks the child process's result line on stdout. */
export const RESULT_MARK = "BENCH_RESULT ";

/** How many batches one measurement runs. */
export interface Protocol {
  /** Training batches run (untimed) before the timed ones. */
  warmupBatches: number;
  /** Training batches timed; seconds per epoch are extrapolated from them. */
  batches: number;
  /** Inference batches of 256 run (untimed) before the timed ones. */
  inferWarmup: number;
  /** Inference batches of 256 timed. */
  inferBatches: number;
  /** Training batches profiled per kernel with `--profile` (after the timed ones). */
  profileBatches: number;
}

/**
 * Default batch counts. wasm and tensorflow match the PyTorch script (4 warm-up batches, then
 * 2,048 images = 32 batches timed); cpu is 30x (dense nets) to several hundred times (CNNs: its
 * filter gradient is a scalar loop) slower than wasm, so it gets 1 + 3.
 */
export const DEFAULT_PROTOCOL: Readonly<Record<BackendChoice, Protocol>> = {
  tensorflow: { warmupBatches: 4, batches: 32, inferWarmup: 1, inferBatches: 8, profileBatches: 4 },
  onednn: { warmupBatches: 4, batches: 32, inferWarmup: 1, inferBatches: 8, profileBatches: 4 },
  wasm: { warmupBatches: 4, batches: 32, inferWarmup: 1, inferBatches: 8, profileBatches: 4 },
  cpu: { warmupBatches: 1, batches: 3, inferWarmup: 1, inferBatches: 2, profileBatches: 1 },
};

/** One (model, backend) measurement, as a child process runs it. */
export interface Job {
  model: string;
  backend: BackendChoice;
  /** wasm threads (FMNIST_WASM_THREADS of the child process); 1 for the other backends. */
  threads: number;
  protocol: Protocol;
  profile: boolean;
}

/** Self time of one kernel in one phase (forward, a gradient, the Adam update), per batch. */
export interface KernelTime {
  phase: string;
  kernel: string;
  msPerBatch: number;
  callsPerBatch: number;
}

/** Where the time of a training batch goes, from `tf.profile` (see {@link profileTraining}). */
export interface ProfileReport {
  batches: number;
  /** Wall time per profiled batch (profiling adds a little). */
  msPerBatch: number;
  /** Kernel self times (time in nested kernels is counted once, in the innermost). */
  kernels: KernelTime[];
  /** Self time summed per phase, largest first. */
  phases: { phase: string; msPerBatch: number }[];
}

/** What a child process reports for one model on one backend. */
export interface Measurement {
  model: string;
  backend: BackendChoice;
  params: number;
  protocol: Protocol;
  /** Seconds of the timed training batches. */
  trainSeconds: number;
  /**
   * Process CPU time over wall time during the timed batches: about 1 for a single-threaded
   * backend with the machine to itself; clearly below 1 means other processes took the CPU.
   */
  trainCpuShare: number;
  secondsPerEpoch: number;
  inferImagesPerSecond: number;
  /** RSS after loading the data, before building the model. */
  rssBaseMiB: number;
  /** Largest RSS sampled before every training batch and after every inference batch. */
  rssPeakMiB: number;
  /** Wall time of the whole child process's measurement. */
  wallSeconds: number;
  profile?: ProfileReport;
}

// ---------------------------------------------------------------------------
// Child: measure one model on one backend
// ---------------------------------------------------------------------------

/** Tracks the largest resident set size seen. */
class PeakRss {
  peak = 0;
  sample(): number {
    const rss = Deno.memoryUsage().rss;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }
}

/** `count` images of a subset starting at `start`, without copying. */
function slice(subset: Subset, start: number, count: number): Subset {
  return {
    images: subset.images.subarray(start * PIXELS, (start + count) * PIXELS),
    labels: subset.labels.subarray(start, start + count),
    count,
  };
}

/**
 * Measure one model on one backend: warm-up and timed training batches through {@link fit}
 * (one epoch over a subset of exactly that many batches, reusing the Adam optimizer so its state
 * exists before timing), then timed `model.predict` calls on one batch of 256 test images.
 */
export async function measure(job: Job): Promise<Measurement> {
  const wallStart = performance.now();
  await initBackend({ prefer: job.backend });
  const p = job.protocol;
  const data = await loadFashionMnist();
  const profileBatches = job.profile ? p.profileBatches : 0;
  const pool = sample(data.train, (p.warmupBatches + p.batches + profileBatches) * TRAIN_BATCH, {
    seed: SEED,
  });
  const warmSet = slice(pool, 0, p.warmupBatches * TRAIN_BATCH);
  const timedSet = slice(pool, warmSet.count, p.batches * TRAIN_BATCH);
  const profileSet = slice(pool, warmSet.count + timedSet.count, profileBatches * TRAIN_BATCH);
  const inferSet = sample(data.test, INFER_BATCH, { seed: SEED });

  const memory = new PeakRss();
  const rssBase = memory.sample();
  const model = buildModel(job.model, SEED);
  const output = modelSpec(job.model).output;
  const optimizer = makeOptimizer("adam", LEARNING_RATE);
  const options: TrainOptions = {
    epochs: 1,
    batchSize: TRAIN_BATCH,
    optimizer: "adam",
    learningRate: LEARNING_RATE,
    loss: "crossEntropy",
    seed: SEED,
    quiet: true,
    // A no-op batch transform: fit calls it before every training batch, so RSS is sampled there.
    transform: (images) => {
      memory.sample();
      return images;
    },
  };
  if (warmSet.count > 0) await fit(model, output, warmSet, null, options, { optimizer });
  const cpuBefore = process.cpuUsage();
  const { history } = await fit(model, output, timedSet, null, options, { optimizer });
  const cpu = process.cpuUsage(cpuBefore);
  const trainSeconds = history[0].seconds;

  const order = Array.from({ length: INFER_BATCH }, (_, i) => i);
  const { xs, ys } = batchTensors(inferSet, order, 0, INFER_BATCH);
  ys.dispose();
  const predictOnce = () => {
    const y = model.predict(xs, { batchSize: INFER_BATCH }) as tf.Tensor;
    y.dataSync();
    memory.sample();
    y.dispose();
  };
  for (let i = 0; i < p.inferWarmup; i++) predictOnce();
  const t0 = performance.now();
  for (let i = 0; i < p.inferBatches; i++) predictOnce();
  const inferSeconds = (performance.now() - t0) / 1000;
  xs.dispose();
  const rssPeak = memory.peak;

  const profile = profileSet.count > 0
    ? await profileTraining(model, output, profileSet, options, optimizer)
    : undefined;
  model.dispose();
  return {
    model: job.model,
    backend: job.backend,
    params: countParams(model).total,
    protocol: p,
    trainSeconds,
    trainCpuShare: (cpu.user + cpu.system) / 1e6 / trainSeconds,
    secondsPerEpoch: trainSeconds / timedSet.count * EPOCH_IMAGES,
    inferImagesPerSecond: p.inferBatches * INFER_BATCH / inferSeconds,
    rssBaseMiB: rssBase / MIB,
    rssPeakMiB: rssPeak / MIB,
    wallSeconds: (performance.now() - wallStart) / 1000,
    profile,
  };
}

/** The tfjs engine internals {@link profileTraining} hooks into (tfjs-core 4.x). */
interface EngineInternals {
  profiler: { profileKernel: (name: string, inputs: unknown, f: () => unknown) => unknown };
  addTapeNode: (kernelName: string, ...rest: unknown[]) => void;
  state: { activeTape: { kernelName: string; gradient?: GradientOf }[] };
}
type GradientOf = (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;

/**
 * Profile training batches with `tf.profile`, through {@link fit}, and attribute each kernel's
 * self time to a phase: `forward` (model, loss, metrics), `<Op> grad (<input>)` (the gradient
 * of a forward op with respect to one input, e.g. `FusedConv2D grad (filter)`), or `adam update`.
 * For that it wraps, only while profiling, the engine's per-kernel profiler, its tape (to tag
 * gradient functions) and the optimizer's `applyGradients`; all three are restored afterwards.
 */
async function profileTraining(
  model: tf.LayersModel,
  output: "softmax" | "logits",
  subset: Subset,
  options: TrainOptions,
  optimizer: tf.Optimizer,
): Promise<ProfileReport> {
  const engine = tf.engine() as unknown as EngineInternals;
  const profiler = engine.profiler;
  if (typeof profiler?.profileKernel !== "function" || typeof engine.addTapeNode !== "function") {
    throw new Error("tfjs engine internals changed (profiler/addTapeNode); run without --profile");
  }
  const originalProfile = profiler.profileKernel;
  const originalAddTapeNode = engine.addTapeNode;
  const opt = optimizer as unknown as { applyGradients: (grads: unknown) => unknown };
  const originalApply = opt.applyGradients;

  let gradOf: string | null = null;
  let inAdam = false;
  const tagged = <T>(tag: string, fn: () => T): T => {
    const previous = gradOf;
    gradOf = tag;
    try {
      return fn();
    } finally {
      gradOf = previous;
    }
  };
  const totals = new Map<string, { phase: string; kernel: string; ms: number; calls: number }>();
  const childMs: number[] = [];

  profiler.profileKernel = (name, inputs, f) => {
    childMs.push(0);
    const t0 = performance.now();
    try {
      return originalProfile.call(profiler, name, inputs, f);
    } finally {
      const total = performance.now() - t0;
      const self = total - childMs.pop()!;
      if (childMs.length > 0) childMs[childMs.length - 1] += total;
      const phase = inAdam ? "adam update" : gradOf ?? "forward";
      const key = `${phase}\u0000${name}`;
      const entry = totals.get(key) ?? { phase, kernel: name, ms: 0, calls: 0 };
      entry.ms += self;
      entry.calls++;
      totals.set(key, entry);
    }
  };
  engine.addTapeNode = function (this: EngineInternals, kernelName: string, ...rest: unknown[]) {
    originalAddTapeNode.call(this, kernelName, ...rest);
    const node = this.state.activeTape[this.state.activeTape.length - 1];
    const gradient = node?.gradient;
    if (node === undefined || gradient === undefined || node.kernelName !== kernelName) return;
    node.gradient = (dys) => {
      const thunks = tagged(`${kernelName} grad`, () => gradient(dys));
      return Object.fromEntries(
        Object.entries(thunks).map((
          [input, thunk],
        ) => [input, () => tagged(`${kernelName} grad (${input})`, thunk)]),
      );
    };
  };
  opt.applyGradients = function (this: unknown, grads: unknown) {
    inAdam = true;
    try {
      return originalApply.call(this, grads);
    } finally {
      inAdam = false;
    }
  };

  const t0 = performance.now();
  try {
    await tf.profile(async () => {
      await fit(model, output, subset, null, options, { optimizer });
    });
  } finally {
    Reflect.deleteProperty(profiler, "profileKernel");
    Reflect.deleteProperty(engine, "addTapeNode");
    Reflect.deleteProperty(opt, "applyGradients");
  }
  const batches = Math.ceil(subset.count / TRAIN_BATCH);
  const kernels = [...totals.values()]
    .map((e) => ({
      phase: e.phase,
      kernel: e.kernel,
      msPerBatch: e.ms / batches,
      callsPerBatch: e.calls / batches,
    }))
    .sort((a, b) => b.msPerBatch - a.msPerBatch);
  const byPhase = new Map<string, number>();
  for (const k of kernels) byPhase.set(k.phase, (byPhase.get(k.phase) ?? 0) + k.msPerBatch);
  const phases = [...byPhase].map(([phase, msPerBatch]) => ({ phase, msPerBatch }))
    .sort((a, b) => b.msPerBatch - a.msPerBatch);
  return { batches, msPerBatch: (performance.now() - t0) / batches, kernels, phases };
}

// ---------------------------------------------------------------------------
// Parent: probe backends, run the children, run PyTorch, print the report
// ---------------------------------------------------------------------------

/** A backend the parent tried: its description, or why it cannot be used. */
export interface Probe {
  name: BackendChoice;
  info: BackendInfo | null;
  reason?: string;
}

export async function probe(name: BackendChoice): Promise<Probe> {
  try {
    return { name, info: await initBackend({ prefer: name }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // initBackend says "... cannot be used: <reason>. Fix that, or ..."; keep just the reason.
    const reason = /cannot be used: (.*?)\. Fix that/.exec(message)?.[1] ?? message.split("\n")[0];
    return { name, info: null, reason };
  }
}

/** Run one job in a fresh Deno process and read its result line. */
export async function runChild(job: Job): Promise<Measurement> {
  const script = new URL("./bench.ts", import.meta.url).pathname; // its --child mode measures one job
  const root = new URL("../../", import.meta.url).pathname;
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", `${root}deno.json`, script, "--child", JSON.stringify(job)],
    cwd: root,
    env: { FMNIST_WASM_THREADS: String(job.threads) },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const out = new TextDecoder().decode(stdout);
  const line = out.split("\n").find((l) => l.startsWith(RESULT_MARK));
  if (code !== 0 || line === undefined) {
    const err = new TextDecoder().decode(stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`child exited with code ${code}: ${err || out.trim().slice(-300)}`);
  }
  return JSON.parse(line.slice(RESULT_MARK.length)) as Measurement;
}
