import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select.ts";
import { countParams } from "../../lib/models/spec.ts";
import { buildModel, MODELS, modelSpec } from "../../lib/papers/registry.ts";

await initBackend();

// Counts computed by hand from each paper's layer list (weights + biases per layer):
const HAND_COUNTS: Record<string, [number, number]> = {
  "002-ann": [784 * 64 + 64 + 64 * 128 + 128 + 128 * 10 + 10, 0], // 59,850
  "002-model1": [16 * 32 + 32 + 12 * 12 * 32 * 128 + 128 + 1290, 0], // 591,786
  "002-model2": [16 * 32 + 32 + 12 * 12 * 32 * 128 + 128 + 1290, 0], // the same: strides [1, 1] are the default
  "002-model2-stride2": [544 + 6 * 6 * 32 * 128 + 128 + 1290, 0], // 149,418
  "002-model3": [544 + 16 * 32 * 64 + 64 + 4 * 4 * 64 * 128 + 128 + 1290, 0], // 165,866
  "000-three-block": [320 + 18496 + 73856 + 128 * 128 + 128 + 1290, 0], // 110,474
  "001-basic": [640 + 1384576 + 1290, 0], // 1,386,506 (Table 2)
  "001-enhanced": [320 + 18496 + 73856 + 2 * (32 + 64 + 128) + 295168 + 32896 + 1290, 2 * (32 + 64 + 128)], // Table 3
  "003-baseline": [640 + 36928 + 73856 + 147584 + 2048 * 256 + 256 + 2570, 0], // 786,122
  "003-baseline-bn": [
    640 + 36928 + 73856 + 147584 + 2048 * 256 + 256 + 2570 + 2 * (64 + 64 + 128 + 128),
    2 * (64 + 64 + 128 + 128),
  ],
  "003-enhanced": [640 + 2 * 64 + 73856 + 2 * 128 + 5 * 5 * 128 * 256 + 256 + 2570, 2 * (64 + 128)],
  "004-tinyvgg": [100 + 3 * 910 + 490 * 10 + 10, 0], // 7,740
  "004-tinyvgg-avgpool": [100 + 3 * 910 + 490 * 10 + 10, 0], // pooling has no parameters
  "004-ann": [784 * 128 + 128 + 1290, 0], // 101,770
};

Deno.test("every registered model builds with the parameter counts computed by hand", () => {
  assert.deepEqual(Object.keys(MODELS).sort(), Object.keys(HAND_COUNTS).sort());
  for (const [name, [trainable, nonTrainable]] of Object.entries(HAND_COUNTS)) {
    const model = buildModel(name);
    const counts = countParams(model);
    assert.deepEqual(counts, { trainable, nonTrainable, total: trainable + nonTrainable }, name);
    assert.deepEqual(MODELS[name].counts, counts, `${name}: the registry records the built counts`);
    assert.deepEqual(model.outputs[0].shape, [null, 10], name);
    model.dispose();
  }
});

Deno.test("the counts papers state: Awasthi & Soni 2024's agree; Abdul Aziz & Sayed's ~98K and 65,354 do not", () => {
  assert.equal(countParams(buildModel("001-basic")).trainable, 1386506);
  const enhanced = countParams(buildModel("001-enhanced"));
  assert.equal(enhanced.trainable, 422474);
  assert.equal(enhanced.nonTrainable, 448);
  const spec = modelSpec("000-three-block");
  assert.equal(spec.stated?.agrees, false);
  assert.notEqual(spec.counts.trainable, 98000);
  assert.notEqual(spec.counts.trainable, 65354);
  assert.equal(spec.counts.trainable, 110474);
});

Deno.test("Sivakumar et al.'s Model 2 is Model 1: same layers, same output for the same weights", () => {
  const m1 = buildModel("002-model1", 3);
  const m2 = buildModel("002-model2", 3);
  const strip = (m: tf.LayersModel) => m.layers.map((l) => ({ ...l.getConfig(), name: "" }));
  assert.deepEqual(strip(m1), strip(m2));
  const x = tf.randomUniform([2, 28, 28, 1], 0, 1, "float32", 5);
  const d = tf.abs(tf.sub(m1.predict(x) as tf.Tensor, m2.predict(x) as tf.Tensor)).max().dataSync()[0];
  assert.equal(d, 0);
});

Deno.test("buildModel is seeded: same seed same weights, different seed different weights", () => {
  const w = (seed: number) => buildModel("004-tinyvgg", seed).getWeights()[0].dataSync();
  assert.deepEqual(w(1), w(1));
  assert.notDeepEqual(w(1), w(2));
  // PyTorch init: uniform within +-1/sqrt(fan_in) = 1/3 for the first 3x3x1 convolution.
  const first = w(1);
  assert.ok(first.every((v) => Math.abs(v) <= 1 / 3 + 1e-6));
  assert.throws(() => buildModel("nope"), /unknown model "nope". Registered: .*002-ann, 002-model1/);
});

Deno.test("Abdul Aziz & Sayed's 65,354 is the count of a 32-64-64 network, and 0.26 MB its float32 weights", () => {
  const conv = (filters: number, first = false) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      activation: "relu",
      ...(first ? { inputShape: [28, 28, 1] } : {}),
    });
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
  const variant = tf.sequential({
    layers: [
      conv(32, true),
      pool(),
      conv(64),
      pool(),
      conv(64),
      pool(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10, activation: "softmax" }),
    ],
  });
  assert.equal(countParams(variant).total, 65354);
  assert.equal(((65354 * 4) / 1e6).toFixed(2), "0.26");
  assert.equal(((countParams(buildModel("000-three-block")).total * 4) / 1e6).toFixed(2), "0.44");
});

/** Standard deviation of a weight tensor's values. */
function spread(t: tf.Tensor): number {
  const v = Array.from(t.dataSync() as Float32Array);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
}

Deno.test("Keras's defaults: glorot_uniform kernels (sd sqrt(2/(fan_in+fan_out))), zero biases, a separate softmax", () => {
  const model = buildModel("001-basic", 3, "keras");
  const weighted = model.layers.filter((l) => l.getWeights().length > 0);
  // The first Conv 64 3x3 on 1 channel (fan_in 9, fan_out 576) and the head's Dense 128 -> 10.
  for (const [layer, fanIn, fanOut] of [[weighted[0], 9, 576], [weighted.at(-1)!, 128, 10]] as const) {
    const [kernel, bias] = layer.getWeights();
    const want = Math.sqrt(2 / (fanIn + fanOut)); // uniform on +-sqrt(6/(in+out)) has this sd
    assert.ok(Math.abs(spread(kernel) / want - 1) < 0.1, `kernel sd ${spread(kernel)} vs ${want}`);
    assert.ok(Math.max(...kernel.dataSync().map(Math.abs)) <= Math.sqrt(6 / (fanIn + fanOut)) + 1e-7);
    assert.equal(Math.max(...bias.dataSync().map(Math.abs)), 0);
  }
  const last = model.layers.at(-1)!;
  assert.equal(last.getClassName(), "Activation");
  const x = tf.randomUniform([2, 28, 28, 1]);
  const p = model.predict(x) as tf.Tensor;
  assert.ok(Math.abs(p.sum(1).dataSync()[0] - 1) < 1e-5, "the model still outputs probabilities");
  // tfjs's own default (what runs stored before used) is glorotNormal: a narrower spread, still checked.
  const old = buildModel("001-basic", 3).layers[0].getWeights()[0];
  assert.ok(spread(old) < 0.92 * Math.sqrt(2 / (9 + 576)), `tfjs default sd ${spread(old)}`);
  assert.equal(buildModel("001-basic", 3).layers.at(-1)!.getClassName(), "Dense");
});

Deno.test("Keras's batch-norm defaults (momentum 0.99, epsilon 1e-3) are the ones built", () => {
  const bn = buildModel("003-baseline-bn", 1, "keras").layers.find((l) =>
    l.getClassName() === "BatchNormalization"
  )!;
  const config = bn.getConfig() as { momentum: number; epsilon: number };
  assert.deepEqual([config.momentum, config.epsilon], [0.99, 1e-3]);
});

Deno.test("PyTorch's defaults: kaiming_uniform(a=sqrt 5) kernels and U(+-1/sqrt fan_in) biases (sd bound/sqrt 3)", () => {
  const model = buildModel("004-ann", 2, "pytorch");
  const [kernel, bias] = model.layers[1].getWeights(); // Linear 784 -> 128
  const bound = 1 / Math.sqrt(784);
  assert.ok(Math.abs(spread(kernel) / (bound / Math.sqrt(3)) - 1) < 0.05, `kernel sd ${spread(kernel)}`);
  assert.ok(Math.max(...kernel.dataSync().map(Math.abs)) <= bound + 1e-7);
  assert.ok(Math.max(...bias.dataSync().map(Math.abs)) <= bound && spread(bias) > bound / 3);
});

Deno.test("a model is built only with its own paper's framework", () => {
  assert.throws(
    () => buildModel("004-tinyvgg", 1, "keras"),
    /comes from a pytorch paper.*Fix: use framework "pytorch"/,
  );
  assert.equal(modelSpec("003-enhanced").framework, "keras");
});

Deno.test("registry: each paper folder declares itself consistently", async () => {
  const { PAPER_LIST, RECIPES } = await import("../../lib/papers/registry.ts");
  const { experiment } = await import("../../lib/training/experiments.ts");
  const ids = PAPER_LIST.map((p) => p.id), slugs = PAPER_LIST.map((p) => p.slug);
  assert.equal(new Set(ids).size, ids.length, "paper ids are unique");
  const folders = [...Deno.readDirSync(new URL("../../lib/papers/", import.meta.url))]
    .filter((e) => e.isDirectory).map((e) => e.name).sort();
  assert.deepEqual([...slugs].sort(), folders, "one registered paper per folder, named by its slug");
  const names = PAPER_LIST.flatMap((p) => p.models.map((m) => m.name));
  assert.equal(new Set(names).size, names.length, "model names are unique across papers");
  for (const p of PAPER_LIST) {
    for (const m of p.models) {
      assert.ok(m.name.startsWith(`${p.id}-`), `${m.name} carries its paper's id ${p.id}`);
      assert.equal(m.framework, p.framework, `${m.name} is built with its paper's framework`);
    }
    for (const r of p.recipes) {
      assert.ok(
        p.models.some((m) => m.name === r.model),
        `${r.name ?? r.model} trains a model of its own paper`,
      );
      experiment(r.name ?? r.model, "paper"); // a valid config, or a UserError naming the recipe
    }
    assert.ok(p.notebooks.length > 0, `${p.slug} lists its notebooks`);
  }
  assert.equal(
    Object.keys(RECIPES).length,
    PAPER_LIST.reduce((n, p) => n + p.recipes.length, 0),
    "unique names",
  );
});
