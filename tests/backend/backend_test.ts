/**
 * Tests for lib/backend/select.ts: the wasm gradient overrides must match the cpu
 * backend's gradients, must really replace the slow/missing wasm kernels,
 * must not leak, and must make a small CNN trainable on wasm; initBackend
 * must report what it selected.
 *
 * Run: deno test -A tests/backend/backend_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { initBackend } from "../../lib/backend/select.ts";
import { installWasmGradients } from "../../lib/backend/gradients.ts";

installWasmGradients();

/** Kernels the overrides exist to avoid on wasm (missing or slow loops). */
const SLOW_WASM_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "MaxPoolGrad",
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

interface Input {
  shape: number[];
  values: Float32Array;
}

/** Deterministic uniform numbers in [-1, 1) (mulberry32), the same on every backend. */
function randomValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

function randomInput(shape: number[], seed: number): Input {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, values: randomValues(size, seed) };
}

/**
 * A loss whose dy differs at every output position (catches misrouting).
 * The weights are computed in JS so that both backends see identical dy.
 */
function weightedSum(y: tf.Tensor): tf.Scalar {
  const weights = Float32Array.from({ length: y.size }, (_, i) => Math.sin(i));
  return tf.sum(tf.mul(y, tf.tensor(weights, y.shape)));
}

type Loss = (...xs: tf.Tensor[]) => tf.Scalar;

/** Gradients of `loss` w.r.t. every input, computed on `backend`, as plain arrays. */
async function gradsOn(
  backend: string,
  loss: Loss,
  inputs: Input[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const grads = tf.tidy(() => {
    const xs = inputs.map((input) => tf.tensor(input.values, input.shape));
    return tf.grads(loss)(xs);
  });
  const values = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose(grads);
  return values;
}

/** Largest |a-b|, scaled down when the reference values are large. */
function relativeMaxDiff(expected: Float32Array, actual: Float32Array): number {
  assert.equal(actual.length, expected.length, "gradient sizes differ");
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** Names of the kernels that computing `loss`'s gradients runs on `backend`. */
async function kernelsUsed(
  backend: string,
  loss: Loss,
  inputs: Input[],
): Promise<string[]> {
  await tf.setBackend(backend);
  const xs = inputs.map((input) => tf.tensor(input.values, input.shape));
  const info = await tf.profile(() => {
    tf.dispose(tf.grads(loss)(xs));
  });
  tf.dispose(xs);
  return info.kernelNames;
}

/** Assert wasm's gradients equal cpu's (to `tolerance`) and avoid the slow kernels. */
async function assertMatchesCpu(
  label: string,
  loss: Loss,
  inputs: Input[],
  tolerance: number,
): Promise<number[]> {
  const expected = await gradsOn("cpu", loss, inputs);
  const actual = await gradsOn("wasm", loss, inputs);
  const diffs = expected.map((e, i) => relativeMaxDiff(e, actual[i]));
  diffs.forEach((diff, i) =>
    assert.ok(
      diff <= tolerance,
      `${label}: gradient #${i} differs from cpu by ${diff} (> ${tolerance})`,
    )
  );
  const used = await kernelsUsed("wasm", loss, inputs);
  for (const slow of SLOW_WASM_KERNELS) {
    assert.ok(!used.includes(slow), `${label}: wasm still ran ${slow}`);
  }
  return diffs;
}

// ---------------------------------------------------------------------------
// Gradient overrides vs the cpu backend
// ---------------------------------------------------------------------------

interface ConvCase {
  x: number[];
  filter: number[];
  strides: number;
  pad: "valid" | "same" | number;
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 7, 1], filter: [3, 3, 1, 3], strides: 1, pad: "valid" },
  { x: [2, 7, 7, 1], filter: [3, 3, 1, 3], strides: 1, pad: "same" },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 4], strides: 2, pad: "valid" },
  { x: [2, 9, 11, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [3, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [2, 10, 9, 2], filter: [5, 4, 2, 3], strides: 3, pad: "same" },
  { x: [2, 10, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1 },
  { x: [4, 12, 12, 8], filter: [3, 3, 8, 16], strides: 1, pad: "valid" },
  // 8+ input channels at stride 1: the filter gradient is computed as a convolution.
  { x: [3, 9, 8, 8], filter: [3, 3, 8, 5], strides: 1, pad: "same" },
  { x: [2, 10, 9, 9], filter: [4, 2, 9, 3], strides: 1, pad: "same" },
  { x: [2, 7, 7, 8], filter: [3, 3, 8, 4], strides: 1, pad: 2 },
  { x: [1, 6, 5, 12], filter: [5, 5, 12, 2], strides: 1, pad: "valid" },
  { x: [2, 9, 9, 8], filter: [3, 3, 8, 4], strides: 2, pad: "same" },
];

Deno.test("conv2d input and filter gradients on wasm match cpu", async () => {
  for (const [k, c] of CONV_CASES.entries()) {
    const loss = (x: tf.Tensor, filter: tf.Tensor) =>
      weightedSum(
        tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.strides, c.pad),
      );
    const inputs = [randomInput(c.x, 10 + k), randomInput(c.filter, 20 + k)];
    await assertMatchesCpu(`conv2d ${JSON.stringify(c)}`, loss, inputs, 1e-4);
  }
});

Deno.test("conv2d gradient of a layer without activation (fused linear) matches cpu on wasm", async () => {
  // tf.fused.conv2d with a linear activation keeps its own custom gradient,
  // which calls the Conv2DBackpropFilter kernel that tfjs-backend-wasm lacks.
  const loss = (x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor) =>
    weightedSum(
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: filter as tf.Tensor4D,
        strides: 1,
        pad: "same",
        bias,
        activation: "linear",
      }),
    );
  const inputs = [
    randomInput([2, 7, 7, 2], 1),
    randomInput([3, 3, 2, 4], 2),
    randomInput([4], 3),
  ];
  const expected = await gradsOn("cpu", loss, inputs);
  const actual = await gradsOn("wasm", loss, inputs);
  expected.forEach((e, i) => assert.ok(relativeMaxDiff(e, actual[i]) < 1e-4));
});

/** Values with many exact ties: ReLU of numbers rounded to a coarse grid. */
function tiedInput(shape: number[], seed: number): Input {
  const input = randomInput(shape, seed);
  input.values = input.values.map((v) => Math.max(0, Math.round(v * 2) / 2));
  return input;
}

Deno.test("maxPool gradient on wasm matches cpu exactly, ties included", async () => {
  const shapes = [[2, 8, 8, 3], [2, 7, 7, 3], [2, 5, 9, 2], [1, 6, 6, 1]];
  for (const [k, shape] of shapes.entries()) {
    const pool = (x: tf.Tensor) => weightedSum(tf.maxPool(x as tf.Tensor4D, 2, 2, "valid"));
    for (const input of [randomInput(shape, 30 + k), tiedInput(shape, 40 + k)]) {
      await assertMatchesCpu(`maxPool ${shape}`, pool, [input], 0);
    }
  }
  const zeros = { shape: [2, 6, 6, 2], values: new Float32Array(144) };
  const pool3 = (x: tf.Tensor) => weightedSum(tf.maxPool(x as tf.Tensor4D, 3, 3, "valid"));
  await assertMatchesCpu("maxPool 3x3, all zeros", pool3, [zeros], 0);
  const same = (x: tf.Tensor) => weightedSum(tf.maxPool(x as tf.Tensor4D, 2, 2, "same"));
  await assertMatchesCpu("maxPool same, 8x8", same, [tiedInput([2, 8, 8, 3], 50)], 0);
});

Deno.test("the all-tied max-pool window sends its gradient to the first element only", async () => {
  const grads = await gradsOn(
    "wasm",
    (x) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, "valid")),
    [{ shape: [1, 2, 2, 1], values: new Float32Array(4) }],
  );
  assert.deepEqual(Array.from(grads[0]), [1, 0, 0, 0]);
});

Deno.test("overlapping max-pool falls back to the original gradient", async () => {
  // tfjs-backend-wasm's own MaxPoolGrad mishandles ties (an all-zero input
  // loses gradient), so compare on tie-free values only.
  const loss = (x: tf.Tensor) => weightedSum(tf.maxPool(x as tf.Tensor4D, 3, 2, "valid"));
  const input = [randomInput([2, 7, 7, 2], 60)];
  const expected = await gradsOn("cpu", loss, input);
  const actual = await gradsOn("wasm", loss, input);
  assert.ok(relativeMaxDiff(expected[0], actual[0]) < 1e-6);
  assert.ok((await kernelsUsed("wasm", loss, input)).includes("MaxPoolGrad"));
});

Deno.test("matMul gradients (all transpose flags) on wasm match cpu", async () => {
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      weightedSum(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb));
    const inputs = [
      randomInput(ta ? [7, 5] : [5, 7], 70),
      randomInput(tb ? [3, 7] : [7, 3], 71),
    ];
    const expected = await gradsOn("cpu", loss, inputs);
    const actual = await gradsOn("wasm", loss, inputs);
    expected.forEach((e, i) => assert.ok(relativeMaxDiff(e, actual[i]) < 1e-5, `matMul ${ta} ${tb} #${i}`));
  }
});

Deno.test("sum and mean over leading axes on wasm match cpu, other axes still work", async () => {
  const input = randomInput([40, 5, 6, 7], 75);
  const cases: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ["sum [0,1,2]", (x) => tf.sum(x, [0, 1, 2])],
    ["sum [2,0,1] keepDims", (x) => tf.sum(x, [2, 0, 1], true)],
    ["sum 0", (x) => tf.sum(x, 0)],
    ["sum [0] of rank 2", (x) => tf.sum(tf.reshape(x, [1200, 7]), [0])],
    ["mean [0,1,2]", (x) => tf.mean(x, [0, 1, 2])],
    ["mean [-4,-3] keepDims", (x) => tf.mean(x, [-4, -3], true)],
    ["sum -1 (not leading)", (x) => tf.sum(x, -1)],
    ["mean [1,2] (not leading)", (x) => tf.mean(x, [1, 2])],
    ["sum all", (x) => tf.sum(x)],
    ["sum int32", (x) => tf.sum(tf.cast(tf.mul(x, 10), "int32"), [0, 1])],
  ];
  for (const [label, reduce] of cases) {
    const results: { shape: number[]; dtype: string; values: number[] }[] = [];
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      const out = tf.tidy(() => reduce(tf.tensor(input.values, input.shape)));
      results.push({ shape: out.shape, dtype: out.dtype, values: Array.from(out.dataSync()) });
      out.dispose();
    }
    const [cpu, wasm] = results;
    assert.deepEqual(wasm.shape, cpu.shape, `${label}: shape`);
    assert.equal(wasm.dtype, cpu.dtype, `${label}: dtype`);
    const diff = relativeMaxDiff(Float32Array.from(cpu.values), Float32Array.from(wasm.values));
    assert.ok(diff < 1e-5, `${label}: differs from cpu by ${diff}`);
  }
  await tf.setBackend("wasm");
  const x = tf.tensor(input.values, input.shape);
  const pooled = await tf.profile(() => tf.dispose([tf.sum(x, [0, 1, 2]), tf.mean(x, 0)]));
  assert.deepEqual(pooled.kernels.map((k) => k.name).filter((n) => n === "AvgPool"), ["AvgPool", "AvgPool"]);
  x.dispose();
});

Deno.test("batch-norm layer gradients in training on wasm match cpu, without Tile", async () => {
  for (const shape of [[16, 12, 10, 3], [512, 9], [4, 3, 3, 2]]) {
    const channels = shape[shape.length - 1];
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      // The layer's training path (moments of the batch, then FusedBatchNorm) with our gamma and beta.
      const { mean, variance } = tf.moments(x, shape.slice(0, -1).map((_, i) => i));
      return weightedSum(tf.batchNorm(x, mean, variance, beta, gamma, 1e-3));
    };
    const inputs = [
      randomInput(shape, 76),
      { shape: [channels], values: randomValues(channels, 77).map((v) => 1 + v / 2) },
      randomInput([channels], 78),
    ];
    await assertMatchesCpu(`batchNorm ${shape}`, loss, inputs, 1e-4);
    assert.ok(!(await kernelsUsed("wasm", loss, inputs)).includes("Tile"), "wasm still tiles");
  }
});

Deno.test("a tfjs-layers batch-norm layer trains identically on wasm and cpu", async () => {
  // The real layer (moving statistics included) through tf.variableGrads.
  const results: Float32Array[][] = [];
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const model = tf.sequential({
      layers: [tf.layers.batchNormalization({ inputShape: [5, 5, 4] }), tf.layers.flatten()],
    });
    const x = tf.tensor(randomInput([8, 5, 5, 4], 79).values, [8, 5, 5, 4]);
    const { grads } = tf.variableGrads(() => weightedSum(model.apply(x, { training: true }) as tf.Tensor));
    results.push(model.trainableWeights.map((w) => grads[w.originalName].dataSync() as Float32Array));
    tf.dispose([x, ...Object.values(grads)]);
    model.dispose();
  }
  results[0].forEach((expected, i) =>
    assert.ok(relativeMaxDiff(expected, results[1][i]) < 1e-4, `weight ${i}`)
  );
});

Deno.test("clone on wasm shares the buffer, survives disposing the original and leaks nothing", async () => {
  await tf.setBackend("wasm");
  const buffers = tf.engine().backend.numDataIds();
  const original = tf.tensor([1, 2, 3]);
  const copy = tf.clone(original);
  assert.equal(tf.engine().backend.numDataIds(), buffers + 1, "the clone should not allocate");
  original.dispose();
  assert.deepEqual(Array.from(copy.dataSync()), [1, 2, 3]);
  copy.dispose();
  assert.equal(tf.engine().backend.numDataIds(), buffers);
});

Deno.test("on the cpu backend the overrides delegate to the original tfjs gradients", async () => {
  const loss = (x: tf.Tensor, filter: tf.Tensor) =>
    weightedSum(tf.maxPool(tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, "same"), 2, 2, "valid"));
  const used = await kernelsUsed("cpu", loss, [
    randomInput([1, 6, 6, 2], 80),
    randomInput([3, 3, 2, 2], 81),
  ]);
  for (const kernel of SLOW_WASM_KERNELS) assert.ok(used.includes(kernel), kernel);
});

Deno.test("installWasmGradients is idempotent", () => {
  const before = tf.getGradient("Conv2D")?.gradFunc;
  installWasmGradients();
  assert.equal(tf.getGradient("Conv2D")?.gradFunc, before);
});

// ---------------------------------------------------------------------------
// No leaks
// ---------------------------------------------------------------------------

Deno.test("overridden gradients leak no tensors and no wasm buffers", async () => {
  await tf.setBackend("wasm");
  const x = tf.tensor(randomInput([2, 9, 9, 3], 90).values, [2, 9, 9, 3]);
  const filter = tf.tensor(randomInput([3, 3, 3, 4], 91).values, [3, 3, 3, 4]);
  const loss = (xt: tf.Tensor, ft: tf.Tensor) => {
    const conv = tf.conv2d(xt as tf.Tensor4D, ft as tf.Tensor4D, 2, "same");
    const pooled = tf.maxPool(tf.relu(conv), 2, 2, "valid");
    return weightedSum(tf.matMul(tf.reshape(pooled, [2, -1]), tf.ones([16, 3])));
  };
  tf.tidy(() => tf.grads(loss)([x, filter])); // warm-up (lazy kernel setup)
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  const norm = tf.tidy(() => {
    const [gx, gf] = tf.grads(loss)([x, filter]);
    return tf.add(tf.sum(tf.abs(gx)), tf.sum(tf.abs(gf)));
  });
  assert.ok(norm.dataSync()[0] > 0, "gradients should not be all zero");
  norm.dispose();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  tf.dispose([x, filter]);
});

// ---------------------------------------------------------------------------
// Training a small CNN on wasm
// ---------------------------------------------------------------------------

/** Learnable synthetic data: one fixed random image per class plus noise. */
function syntheticImages(count: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const pixels = 28 * 28;
  const prototypes = randomValues(10 * pixels, 100);
  const noise = randomValues(count * pixels, 101);
  const images = new Float32Array(count * pixels);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < pixels; p++) {
      const clean = prototypes[labels[i] * pixels + p];
      images[i * pixels + p] = 0.5 + 0.3 * clean + 0.3 * noise[i * pixels + p];
    }
  }
  return {
    xs: tf.tensor4d(images, [count, 28, 28, 1]),
    ys: tf.oneHot(tf.tensor1d(labels, "int32"), 10).toFloat() as tf.Tensor2D,
  };
}

function smallCnn(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({
        units: 10,
        activation: "softmax",
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(0.01),
    loss: "categoricalCrossentropy",
  });
  return model;
}

Deno.test("a small CNN trains on wasm: loss falls, no slow or missing kernels", async () => {
  await tf.setBackend("wasm");
  const model = smallCnn();
  const { xs, ys } = syntheticImages(15 * 32);
  const losses: number[] = [];
  await model.fit(xs, ys, {
    batchSize: 32,
    epochs: 1,
    shuffle: false,
    verbose: 0,
    callbacks: { onBatchEnd: (_batch, logs) => void losses.push(logs!.loss) },
  });
  assert.equal(losses.length, 15);
  const first = losses[0];
  const last = (losses[12] + losses[13] + losses[14]) / 3;
  assert.ok(
    last < 0.5 * first,
    `loss should at least halve: first ${first}, last three ${last}`,
  );
  const batch = [xs.slice(0, 32), ys.slice(0, 32)];
  const info = await tf.profile(() => model.trainOnBatch(batch[0], batch[1]));
  for (const slow of SLOW_WASM_KERNELS) {
    assert.ok(!info.kernelNames.includes(slow), `training ran ${slow}`);
  }
  tf.dispose([xs, ys, ...batch]);
  model.dispose();
});

// ---------------------------------------------------------------------------
// initBackend
// ---------------------------------------------------------------------------

let tfjsNodeLoads: boolean | undefined;
async function tfjsNodeAvailable(): Promise<boolean> {
  if (tfjsNodeLoads === undefined) {
    tfjsNodeLoads = await import("@tensorflow/tfjs-node").then(
      () => true,
      () => false,
    );
  }
  return tfjsNodeLoads;
}

Deno.test("initBackend picks the fastest backend and explains what it skipped", async () => {
  const forced = Deno.env.get("FMNIST_BACKEND");
  const info = await initBackend();
  assert.equal(info.name, tf.getBackend());
  assert.ok(info.description.startsWith(info.choice), info.description);
  if (forced) {
    assert.equal(info.choice, forced);
  } else if (await tfjsNodeAvailable()) {
    assert.equal(info.name, "tensorflow");
    assert.deepEqual(info.skipped, []);
  } else if (info.choice === "onednn") {
    assert.equal(info.name, "wasm", "oneDNN's kernels run under the wasm backend");
    assert.equal(info.skipped.length, 1);
    assert.match(info.skipped[0], /^tensorflow: .*deno install --allow-scripts/);
  } else {
    assert.equal(info.name, "wasm");
    assert.match(info.description, /fast CNN gradients/);
    assert.equal(info.skipped.length, 2);
    assert.match(info.skipped[0], /^tensorflow: .*deno install --allow-scripts/);
    assert.match(info.skipped[1], /^onednn: /);
  }
  assert.equal(await initBackend(), info, "second call returns the same info");
});

Deno.test("initBackend honours options.prefer and rejects what it cannot load", async () => {
  const cpu = await initBackend({ prefer: "cpu" });
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.ok(cpu.skipped.some((s) => s.startsWith("wasm: not tried")));

  const wasm = await initBackend({ prefer: "wasm" });
  assert.equal(wasm.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");

  await assert.rejects(
    initBackend({ prefer: "gpu" as never }),
    /Unknown backend "gpu".*tensorflow, onednn, wasm, cpu/,
  );
  if (!(await tfjsNodeAvailable())) {
    await assert.rejects(
      initBackend({ prefer: "tensorflow" }),
      /"tensorflow" was forced.*deno install --allow-scripts/,
    );
  }
});
