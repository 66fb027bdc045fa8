/**
 * Speed benchmark: for every registered model on every available tfjs backend, training seconds
 * per 60,000-image epoch (batch 64, Adam 1e-3, cross-entropy, through {@link fit}), inference
 * images per second (batch 256, `model.predict`) and peak resident memory; optionally beside
 * PyTorch's seconds per epoch for the same networks (`lib/torch_reference.py`, optional).
 *
 * ```sh
 * deno run -A lib/bench.ts [--backends wasm,cpu] [--models a,b] [--torch] [--json out.json]
 *                          [--batches N] [--warmup N] [--profile] [--threads 1,2]
 * ```
 *
 * The wasm backend is measured on 1 thread and on one thread per core (XNNPACK's pool; see
 * lib/wasm_threads.ts). Each (model, backend, threads) runs in its own Deno process, so its peak memory is its own and it
 * inherits no warmed-up or grown state from the models before it. The report (one table) goes to
 * stdout, progress to stderr. It is a benchmark, not a test: it prints numbers and checks nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import process from "node:process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import * as Plot from "@observablehq/plot";
import { figure, plotSvg, saveFigure } from "./plots.ts";
import { main, UserError } from "./errors.ts";
import { type BackendInfo, type BackendName, initBackend, wasmThreads } from "./backend.ts";
import { loadFashionMnist, PIXELS, type Subset } from "./fashion_mnist.ts";
import { makeOptimizer } from "./losses.ts";
import { buildModel, countParams, MODELS, modelSpec } from "./models.ts";
import { sample } from "./splits.ts";
import { batchTensors, fit, type TrainOptions } from "./train.ts";

/** Training batch size, learning rate and epoch size the timings refer to. */
const TRAIN_BATCH = 64;
const INFER_BATCH = 256;
const EPOCH_IMAGES = 60000;
const LEARNING_RATE = 1e-3;
const SEED = 1;
const MIB = 1024 * 1024;

/**
 * The PyTorch reference script (ours, optional) and the interpreter that runs it: the one Jupyter
 * runs on, where Debian's `python3-torch` installs. It builds each model from our own layer list.
 */
const TORCH_PYTHON = Deno.env.get("FMNIST_PYTHON") ?? "/usr/bin/python3";
const TORCH_SCRIPT = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
const TORCH_INSTALL = "Fix: sudo apt-get install python3-torch (Debian/Ubuntu), or pip install torch " +
  "(then set FMNIST_PYTHON to that python)";

const ALL_BACKENDS: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
/** Marks the child process's result line on stdout. */
const RESULT_MARK = "BENCH_RESULT ";

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
export const DEFAULT_PROTOCOL: Readonly<Record<BackendName, Protocol>> = {
  tensorflow: { warmupBatches: 4, batches: 32, inferWarmup: 1, inferBatches: 8, profileBatches: 4 },
  wasm: { warmupBatches: 4, batches: 32, inferWarmup: 1, inferBatches: 8, profileBatches: 4 },
  cpu: { warmupBatches: 1, batches: 3, inferWarmup: 1, inferBatches: 2, profileBatches: 1 },
};

/** One (model, backend) measurement, as a child process runs it. */
interface Job {
  model: string;
  backend: BackendName;
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
  backend: BackendName;
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

/** One table row: a measurement, or why there is none, plus the PyTorch time if it maps. */
interface Row {
  model: string;
  backend: BackendName;
  threads: number;
  result: Measurement | null;
  error?: string;
  torchSecondsPerEpoch: number | null;
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
async function measure(job: Job): Promise<Measurement> {
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
    transform: () => {
      memory.sample();
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
interface Probe {
  name: BackendName;
  info: BackendInfo | null;
  reason?: string;
}

async function probe(name: BackendName): Promise<Probe> {
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
async function runChild(job: Job): Promise<Measurement> {
  const script = new URL(import.meta.url).pathname;
  const root = new URL("../", import.meta.url).pathname;
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

/** PyTorch seconds per epoch (and parameter counts) by our model name, or why there are none. */
export interface TorchResult {
  seconds: Map<string, number>;
  params: Map<string, number>;
  version: string;
  wallSeconds: number;
  error?: string;
}

/** The layers of a registered model as PyTorch's side reads them: class name and tfjs config. */
export function layerList(name: string): [string, Record<string, unknown>][] {
  const model = buildModel(name, 0);
  const layers = model.layers.map((l): [string, Record<string, unknown>] => [
    l.getClassName(),
    l.getConfig() as Record<string, unknown>,
  ]);
  model.dispose();
  return layers;
}

/** PyTorch's seconds per epoch for `models`, or the reason there are none (with how to install it). */
export async function runTorch(
  models: string[],
  protocol: Protocol,
  python = TORCH_PYTHON,
): Promise<TorchResult> {
  const result: TorchResult = { seconds: new Map(), params: new Map(), version: "?", wallSeconds: 0 };
  const t0 = performance.now();
  await initBackend(); // building the models for their layer lists needs one
  const job = {
    batch: TRAIN_BATCH,
    warmup: protocol.warmupBatches,
    timed: protocol.batches,
    threads: 1,
    learning_rate: LEARNING_RATE,
    models: Object.fromEntries(models.map((m) => [m, layerList(m)])),
  };
  try {
    const version = await new Deno.Command(python, {
      args: ["-c", "import torch; print(torch.__version__)"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!version.success) {
      return {
        ...result,
        error: `${python} cannot import torch, so there is no PyTorch column. ${TORCH_INSTALL}`,
      };
    }
    result.version = new TextDecoder().decode(version.stdout).trim() || "?";
    const child = new Deno.Command(python, {
      args: [TORCH_SCRIPT],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(job)));
    await writer.close();
    const run = await child.output();
    const failures: string[] = [];
    for (const line of new TextDecoder().decode(run.stdout).split("\n")) {
      if (!line.startsWith("{")) continue;
      const row = JSON.parse(line) as {
        model: string;
        params?: number;
        seconds_per_epoch?: number;
        error?: string;
      };
      if (row.error) failures.push(`${row.model}: ${row.error}`);
      else {
        result.params.set(row.model, row.params!);
        result.seconds.set(row.model, row.seconds_per_epoch!);
      }
    }
    if (run.code !== 0) {
      const err = new TextDecoder().decode(run.stderr).trim().split("\n").slice(-2).join(" | ");
      failures.push(`${TORCH_SCRIPT} exited with code ${run.code}: ${err}`);
    }
    if (failures.length) result.error = failures.join("; ");
  } catch (error) {
    result.error = `could not run ${python} (${(error as Error).message}). ${TORCH_INSTALL}`;
  }
  result.wallSeconds = (performance.now() - t0) / 1000;
  return result;
}

function cpuModel(): string {
  try {
    const line = Deno.readTextFileSync("/proc/cpuinfo").split("\n").find((l) => l.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** Render rows as a text table: the first `left` columns left-aligned, the rest right-aligned. */
function table(header: string[], rows: string[][], left = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function protocolText(name: BackendName, p: Protocol): string {
  return `${name}: ${p.batches} timed training batches after ${p.warmupBatches} warm-up; ` +
    `${p.inferBatches} timed inference batches after ${p.inferWarmup} warm-up`;
}

const USAGE = `Usage: deno run -A lib/bench.ts [options]
  --backends a,b   backends to measure (tensorflow, wasm, cpu); default: every available one but cpu
                   (cpu: minutes per CNN even on 3 batches)
  --models a,b     registered models (default: all ${Object.keys(MODELS).length})
  --torch          also run ${TORCH_SCRIPT} and compare
  --json FILE      also write every number as JSON
  --figure         also write figures/bench_seconds-per-epoch.svg and .png
  --batches N      timed training batches (default: 32; cpu 3)
  --warmup N       warm-up training batches (default: 4; cpu 1)
  --profile        also profile training batches per kernel (tf.profile) and print the top kernels
  --threads a,b    wasm thread counts to measure (default: 1 and FMNIST_WASM_THREADS or one per core)`;

function positiveInt(value: string | undefined, flag: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new UserError(
      `${flag} must be a ${allowZero ? "non-negative" : "positive"} integer, got "${value}"`,
    );
  }
  return n;
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      backends: { type: "string" },
      models: { type: "string" },
      torch: { type: "boolean", default: false },
      json: { type: "string" },
      figure: { type: "boolean" },
      batches: { type: "string" },
      warmup: { type: "string" },
      profile: { type: "boolean", default: false },
      threads: { type: "string" },
      child: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.child !== undefined) {
    const measurement = await measure(JSON.parse(values.child) as Job);
    console.log(RESULT_MARK + JSON.stringify(measurement));
    return;
  }

  const started = new Date();
  const t0 = performance.now();
  const loadBefore = loadAverage();
  const models = values.models?.split(",").map((m) => m.trim()).filter(Boolean) ?? Object.keys(MODELS);
  models.forEach((m) => modelSpec(m)); // unknown names fail here, listing the known ones
  const batches = positiveInt(values.batches, "--batches");
  const warmup = positiveInt(values.warmup, "--warmup", true);
  const asked = values.backends?.split(",").map((b) => b.trim().toLowerCase()).filter(Boolean);
  for (const b of asked ?? []) {
    if (!(ALL_BACKENDS as readonly string[]).includes(b)) {
      throw new UserError(`unknown backend "${b}": use ${ALL_BACKENDS.join(", ")}`);
    }
  }
  const probes: Probe[] = [];
  for (const name of (asked as BackendName[] | undefined) ?? ALL_BACKENDS) probes.push(await probe(name));
  const available = probes.filter((p) => p.info !== null).map((p) => p.name);
  const backends = asked !== undefined
    ? available
    : available.filter((b) => b !== "cpu").length > 0
    ? available.filter((b) => b !== "cpu")
    : available;
  if (backends.length === 0) {
    throw new UserError(
      `no requested backend is available: ${probes.map((p) => `${p.name}: ${p.reason}`).join("; ")}`,
    );
  }
  const protocol = (b: BackendName): Protocol => ({
    ...DEFAULT_PROTOCOL[b],
    ...(batches !== undefined ? { batches } : {}),
    ...(warmup !== undefined ? { warmupBatches: warmup } : {}),
  });

  const threadCounts = values.threads === undefined
    ? [...new Set([1, wasmThreads()])]
    : values.threads.split(",").map((t) => positiveInt(t.trim(), "--threads")!);
  const rows: Row[] = [];
  let maxLoad = Number(loadBefore.split(" ")[0]);
  const jobs = models.flatMap((model) =>
    backends.flatMap((backend) =>
      (backend === "wasm" ? threadCounts : [1]).map((threads) => ({ model, backend, threads }))
    )
  );
  for (const [i, { model, backend, threads }] of jobs.entries()) {
    const job: Job = { model, backend, threads, protocol: protocol(backend), profile: values.profile };
    const tag = `[${i + 1}/${jobs.length}] ${backendLabel(job)} ${model}`;
    try {
      const result = await runChild(job);
      rows.push({ model, backend, threads, result, torchSecondsPerEpoch: null });
      console.error(
        `${tag}: ${result.secondsPerEpoch.toFixed(1)} s/epoch, ${
          result.inferImagesPerSecond.toFixed(0)
        } img/s, ` +
          `peak ${result.rssPeakMiB.toFixed(0)} MiB (${result.wallSeconds.toFixed(0)} s)`,
      );
      maxLoad = Math.max(maxLoad, Number(loadAverage().split(" ")[0]));
    } catch (error) {
      const message = (error as Error).message;
      rows.push({ model, backend, threads, result: null, error: message, torchSecondsPerEpoch: null });
      console.error(`${tag}: FAILED ${message}`);
    }
  }
  const oursSeconds = (performance.now() - t0) / 1000;

  let torch: TorchResult | null = null;
  if (values.torch) {
    console.error(`running ${TORCH_PYTHON} ${TORCH_SCRIPT} ...`);
    torch = await runTorch(models, DEFAULT_PROTOCOL.wasm);
    for (const row of rows) row.torchSecondsPerEpoch = torch.seconds.get(row.model) ?? null;
  }
  const totalSeconds = (performance.now() - t0) / 1000;

  // ----- report -----
  const out: string[] = [];
  out.push(`Fashion-MNIST benchmark, ${started.toISOString()}`);
  out.push(
    `Machine: ${navigator.hardwareConcurrency} cores, ${cpuModel()}; load average ${loadBefore} at start, ` +
      `${loadAverage()} at end (1-minute peak ${maxLoad.toFixed(2)})`,
  );
  out.push(
    `Versions: tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${version_wasm}, Deno ${Deno.version.deno}, ` +
      `V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript}` +
      (torch ? `, PyTorch ${torch.version} (${TORCH_PYTHON})` : ""),
  );
  out.push("Backends:");
  for (const p of probes) {
    const state = p.info === null
      ? `unavailable (${p.reason})`
      : backends.includes(p.name)
      ? p.info.description
      : `${p.info.description}; not measured${
        p.name === "cpu" ? " (30x slower for dense nets, hundreds of times for CNNs)" : ""
      }: ask with --backends ${[...backends, p.name].join(",")}`;
    out.push(`  ${p.name}: ${state}`);
  }
  out.push("");
  out.push(
    `Training: batch ${TRAIN_BATCH}, Adam ${LEARNING_RATE}, cross-entropy, through lib/train.ts fit; seconds ` +
      `of the timed batches extrapolated to ${EPOCH_IMAGES.toLocaleString("en")} images.`,
  );
  out.push(`Inference: model.predict on one batch of ${INFER_BATCH} test images, repeated.`);
  out.push(
    "Peak RSS: largest Deno.memoryUsage().rss sampled before each training batch and after each inference " +
      "batch, one process per model (includes the runtime and the loaded dataset).",
  );
  const bases = rows.flatMap((r) => (r.result ? [r.result.rssBaseMiB] : []));
  if (bases.length > 0) {
    out.push(
      `  (RSS before building the model, after loading the data: ${Math.min(...bases).toFixed(0)}-` +
        `${Math.max(...bases).toFixed(0)} MiB)`,
    );
  }
  out.push(
    "cpu %: process CPU time / wall time over the timed training batches (about 100 for one thread on an " +
      "idle machine; lower means other processes competed for the CPU).",
  );
  for (const b of backends) out.push(`  ${protocolText(b, protocol(b))}`);
  if (torch) {
    out.push(
      `PyTorch: ${TORCH_SCRIPT} (random inputs, batch 64, Adam, 1 thread, 4 warm-up + 32 timed batches), ` +
        "run right after ours in the same sitting.",
    );
  }
  out.push("");
  const uniform = new Set(backends.map((b) => protocol(b).batches)).size === 1;
  const header = [
    "model",
    "backend",
    "params",
    uniform ? `train s/epoch (${protocol(backends[0]).batches} batches)` : "train s/epoch",
    ...(uniform ? [] : ["batches"]),
    `infer img/s (batch ${INFER_BATCH})`,
    "peak RSS MiB",
    "cpu %",
    ...(torch ? ["torch s/epoch", "ours / torch"] : []),
  ];
  const body = rows.map((row) => {
    const r = row.result;
    const ratio = r && row.torchSecondsPerEpoch
      ? `${(r.secondsPerEpoch / row.torchSecondsPerEpoch).toFixed(2)}x`
      : "";
    return [
      row.model,
      backendLabel(row),
      String(countParamsOf(row.model, r)),
      r ? r.secondsPerEpoch.toFixed(1) : "FAILED",
      ...(uniform ? [] : [r ? String(r.protocol.batches) : ""]),
      r ? r.inferImagesPerSecond.toFixed(0) : "",
      r ? r.rssPeakMiB.toFixed(0) : "",
      r ? (100 * r.trainCpuShare).toFixed(0) : "",
      ...(torch ? [row.torchSecondsPerEpoch?.toFixed(1) ?? "", ratio] : []),
    ];
  });
  out.push(table(header, body));
  out.push("");
  for (const row of rows.filter((r) => r.error)) {
    out.push(`FAILED ${backendLabel(row)} ${row.model}: ${row.error}`);
  }
  if (torch?.error) out.push(`PyTorch: ${torch.error}`);
  if (torch) {
    for (const [model, params] of torch.params) {
      const ours = rows.find((r) => r.model === model && r.result)?.result?.params;
      const trainable = MODELS[model].counts.trainable;
      if (ours !== undefined && params !== trainable) {
        out.push(
          `Note: PyTorch's ${model} has ${params} parameters, ours ${trainable} trainable`,
        );
      }
    }
  }
  out.push(
    `Run took ${totalSeconds.toFixed(0)} s (ours ${oursSeconds.toFixed(0)} s` +
      (torch ? `, PyTorch ${torch.wallSeconds.toFixed(0)} s)` : ")"),
  );

  if (values.profile) {
    for (const row of rows) {
      const prof = row.result?.profile;
      if (!prof) continue;
      out.push("");
      out.push(
        `Profile ${backendLabel(row)} ${row.model}: ${prof.batches} batches, ${
          prof.msPerBatch.toFixed(1)
        } ms/batch ` +
          "wall under tf.profile; kernel self time per batch",
      );
      const attributed = prof.phases.reduce((s, p) => s + p.msPerBatch, 0);
      const share = (ms: number) => `${(100 * ms / prof.msPerBatch).toFixed(1)}%`;
      out.push(
        table(
          ["phase", "", "ms/batch", "share"],
          [
            ...prof.phases.slice(0, 8).map((
              p,
            ) => [p.phase, "", p.msPerBatch.toFixed(2), share(p.msPerBatch)]),
            [
              "(outside kernels)",
              "",
              (prof.msPerBatch - attributed).toFixed(2),
              share(prof.msPerBatch - attributed),
            ],
          ],
        ),
      );
      out.push(
        table(
          ["kernel", "phase", "calls", "ms/batch", "share"],
          prof.kernels.slice(0, 12).map((k) => [
            k.kernel,
            k.phase,
            k.callsPerBatch.toFixed(0),
            k.msPerBatch.toFixed(2),
            share(k.msPerBatch),
          ]),
        ),
      );
    }
  }
  console.log(out.join("\n"));

  if (values.figure) {
    const { svgPath } = await saveFigure("bench_seconds-per-epoch", speedFigure(rows, started));
    console.error(`figure: ${svgPath}`);
  }

  if (values.json !== undefined) {
    const json = {
      date: started.toISOString(),
      machine: { cores: navigator.hardwareConcurrency, cpu: cpuModel() },
      versions: {
        tfjs: tf.version.tfjs,
        tfjsBackendWasm: version_wasm,
        ...Deno.version,
        torch: torch?.version,
      },
      backends: probes.map((p) => ({ name: p.name, description: p.info?.description, reason: p.reason })),
      protocol: Object.fromEntries(backends.map((b) => [b, protocol(b)])),
      rows,
      torch: torch && {
        secondsPerEpoch: Object.fromEntries(torch.seconds),
        params: Object.fromEntries(torch.params),
        error: torch.error,
      },
      seconds: totalSeconds,
    };
    await Deno.writeTextFile(values.json, JSON.stringify(json, null, 2) + "\n");
  }
}

/** Seconds per 60k-image epoch per model: each measured backend beside PyTorch, log scale. */
function speedFigure(rows: Row[], started: Date): string {
  const data = rows.flatMap((r) => [
    ...(r.result
      ? [{ model: r.model, who: `tfjs ${backendLabel(r)}`, seconds: r.result.secondsPerEpoch }]
      : []),
    ...(r.torchSecondsPerEpoch
      ? [{ model: r.model, who: "PyTorch (1 thread)", seconds: r.torchSecondsPerEpoch }]
      : []),
  ]).filter((d, i, all) => all.findIndex((e) => e.model === d.model && e.who === d.who) === i);
  // tfjs first (in thread order), PyTorch last.
  const who = [...new Set(data.map((d) => d.who))].sort((a, b) =>
    Number(a.startsWith("PyTorch")) - Number(b.startsWith("PyTorch"))
  );
  const colors = ["#4e79a7", "#e15759", "#59a14f", "#f28e2c"];
  const chart = plotSvg({
    width: 760,
    height: 360,
    marginLeft: 60,
    marginBottom: 80,
    fx: {
      domain: [...new Set(data.map((d) => d.model))],
      label: null,
      tickRotate: -30,
      axis: "bottom",
      padding: 0.1,
    },
    x: { domain: who, axis: null },
    y: {
      type: "log",
      label: "seconds per 60,000-image epoch",
      grid: true,
      domain: [0.1, 2 * Math.max(...data.map((d) => d.seconds))],
      tickFormat: (d: number) => (d >= 1 ? d.toLocaleString("en-US") : String(d)),
    },
    color: { domain: who, range: colors },
    marks: [Plot.barY(data, { fx: "model", x: "who", y1: 0.1, y2: "seconds", fill: "who" })],
  });
  return figure(chart, {
    title: "Training speed per model: tfjs backends beside PyTorch on the same CPU",
    subtitle: `batch 64, Adam; measured ${
      started.toISOString().slice(0, 10)
    }, ${navigator.hardwareConcurrency} cores`,
    legend: { labels: who, colors },
  });
}

/** "wasm, 2 threads", "wasm, 1 thread" or the backend's name. */
function backendLabel(row: { backend: BackendName; threads: number }): string {
  if (row.backend !== "wasm") return row.backend;
  return `wasm, ${row.threads} thread${row.threads === 1 ? "" : "s"}`;
}

/** Parameter count of a row: measured if it ran, else from the registry. */
function countParamsOf(model: string, result: Measurement | null): number {
  return result?.params ?? MODELS[model].counts.total;
}

if (import.meta.main) await main(bench);
