/**
 * Tests for the oneDNN path (lib/backend/onednn*.ts): every replaced kernel against the pure-JS cpu
 * backend, that oneDNN really serves them, selection and its fallbacks, thread counts, and a short
 * training run against the plain wasm path. Skipped (with a message) where libdnnl is not installed,
 * except under CI (CI=true), which installs it: there a missing library fails every test.
 *
 * Run: deno test -A tests/backend/onednn_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select.ts";
import { loadOneDnn, OneDnnUnavailable } from "../../lib/backend/onednn.ts";
import { oneDnnCallCounts } from "../../lib/backend/onednn_kernels.ts";
import { evaluateCase, scaledMaxDiff, SELF_CHECK_CASES } from "../../lib/backend/onednn_check.ts";

const available = (() => {
  try {
    loadOneDnn(1);
    return true;
  } catch (error) {
    if (!(error instanceof OneDnnUnavailable)) throw error;
    console.warn(`oneDNN tests skipped: ${error.message}`);
    return false;
  }
})();

const required = Deno.env.get("CI") === "true";
const test = (name: string, fn: () => Promise<void> | void) =>
  Deno.test({ name, fn, ignore: !available && !required });

/** Run a snippet in a fresh Deno process with extra environment; returns its stdout (JSON). */
async function inChild(code: string, env: Record<string, string>): Promise<unknown> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", code],
    env,
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

test("initBackend picks onednn when libdnnl loads, and says so", async () => {
  const info = await initBackend();
  assert.equal(info.choice, "onednn");
  assert.equal(info.name, "wasm", "run keys see the tfjs backend, wasm");
  assert.match(info.description, /^onednn \(oneDNN 2\.\d+\.\d+ \S+, \d threads?, /);
});

test("every replaced kernel matches the cpu backend (forward and gradients), and oneDNN serves each", async () => {
  await initBackend({ prefer: "cpu" });
  const reference = SELF_CHECK_CASES.map(evaluateCase);
  await initBackend({ prefer: "onednn" });
  const before = new Map(oneDnnCallCounts());
  for (const [n, c] of SELF_CHECK_CASES.entries()) {
    const fast = evaluateCase(c);
    fast.forEach((values, i) => {
      const diff = scaledMaxDiff(reference[n][i], values);
      assert.ok(diff <= 1e-4, `${c.name}: ${i === 0 ? "output" : `gradient ${i}`} differs by ${diff}`);
    });
  }
  const kernels = [
    "Conv2D",
    "FusedConv2D",
    "Conv2DBackpropInput",
    "Conv2DBackpropFilter",
    "MaxPoolGrad",
    "AvgPoolGrad",
    "BatchMatMul",
    "_FusedMatMul",
    "Relu",
    "FmnistOneDnnReluGrad",
    "Add",
    "Sub",
    "Multiply",
    "RealDiv",
    "Maximum",
    "Minimum",
    "Sqrt",
    "Square",
    "Exp",
    "Log",
    "Neg",
    "FusedBatchNorm",
  ];
  for (const kernel of kernels) {
    const calls = (oneDnnCallCounts().get(kernel) ?? 0) - (before.get(kernel) ?? 0);
    assert.ok(calls > 0, `oneDNN served no ${kernel} call`);
  }
});

test("overlapping max-pool windows with negative maxima: oneDNN's gradient is right", async () => {
  // tfjs-backend-wasm's own MaxPoolGrad gets this wrong; the cpu backend and oneDNN agree.
  const grad = () =>
    tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 25 }, (_, i) => -1 - ((i * 7) % 11)), [1, 5, 5, 1]);
      return Array.from(tf.grad((v) => tf.sum(tf.maxPool(v as tf.Tensor4D, 3, 2, "same")))(x).dataSync());
    });
  await initBackend({ prefer: "cpu" });
  const expected = grad();
  await initBackend({ prefer: "onednn" });
  assert.deepEqual(grad(), expected);
  assert.equal(expected.reduce((a, b) => a + b, 0), 9, "each of the 9 windows routes its gradient once");
});

test("with FMNIST_BACKEND=wasm oneDNN serves nothing (the plain path stays covered)", async () => {
  const info = await initBackend({ prefer: "wasm" });
  assert.equal(info.choice, "wasm");
  const before = oneDnnCallCounts().get("Conv2D") ?? 0;
  tf.tidy(() =>
    tf.conv2d(tf.ones([2, 8, 8, 4]) as tf.Tensor4D, tf.ones([3, 3, 4, 8]) as tf.Tensor4D, 1, "same")
  );
  assert.equal(oneDnnCallCounts().get("Conv2D") ?? 0, before);
  await initBackend({ prefer: "onednn" });
  tf.tidy(() =>
    tf.conv2d(tf.ones([2, 8, 8, 4]) as tf.Tensor4D, tf.ones([3, 3, 4, 8]) as tf.Tensor4D, 1, "same")
  );
  assert.equal(oneDnnCallCounts().get("Conv2D"), before + 1);
});

test("a short CNN training run on oneDNN matches the plain wasm path within rounding", async () => {
  const train = async (choice: "onednn" | "wasm") => {
    await initBackend({ prefer: choice });
    const model = (() => {
      const m = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [12, 12, 1],
            filters: 8,
            kernelSize: 3,
            activation: "relu",
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.conv2d({
            filters: 16,
            kernelSize: 3,
            padding: "same",
            activation: "relu",
            kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
          }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        ],
      });
      m.compile({ optimizer: tf.train.sgd(0.05), loss: "categoricalCrossentropy" });
      return m;
    })();
    const x = tf.tensor4d(Float32Array.from({ length: 32 * 144 }, (_, i) => Math.sin(i * 0.37)), [
      32,
      12,
      12,
      1,
    ]);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 10), "int32"), 10);
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      losses.push((await model.trainOnBatch(x, tf.cast(y, "float32"))) as number);
    }
    tf.dispose([x, y]);
    model.dispose();
    return losses;
  };
  const plain = await train("wasm");
  const fast = await train("onednn");
  assert.ok(plain[4] < plain[0], `the plain run learns: ${plain}`);
  fast.forEach((loss, i) =>
    assert.ok(Math.abs(loss - plain[i]) <= 1e-4 * Math.max(1, plain[i]), `step ${i}: ${loss} vs ${plain[i]}`)
  );
});

test("oneDNN runs on the thread count it is given (FMNIST_WASM_THREADS), not on every core", async () => {
  const code = `import { initBackend } from "./lib/backend/select.ts";
import { oneDnnLibrary } from "./lib/backend/onednn_kernels.ts";
const info = await initBackend();
console.log(JSON.stringify({ choice: info.choice, threads: oneDnnLibrary()?.threads }));`;
  assert.deepEqual(await inChild(code, { FMNIST_WASM_THREADS: "1" }), { choice: "onednn", threads: 1 });
});

Deno.test("FMNIST_DNNL pointing at nothing: oneDNN is skipped with a one-line reason, wasm runs", async () => {
  const code = `import { initBackend } from "./lib/backend/select.ts";
const info = await initBackend();
console.log(JSON.stringify({ choice: info.choice, skipped: info.skipped }));`;
  const result = await inChild(code, { FMNIST_DNNL: "/nonexistent/libdnnl.so.2" }) as {
    choice: string;
    skipped: string[];
  };
  assert.equal(result.choice, "wasm");
  const reason = result.skipped.find((s) => s.startsWith("onednn:"));
  assert.ok(reason !== undefined && !reason.includes("\n"), JSON.stringify(result.skipped));
  assert.match(reason, /FMNIST_DNNL=\/nonexistent\/libdnnl\.so\.2 cannot be loaded .*unset it/);
});

Deno.test("forcing onednn where it cannot load is an error that names the fix", async () => {
  const code = `import { initBackend } from "./lib/backend/select.ts";
try { await initBackend(); console.log(JSON.stringify({ ok: true })); }
catch (e) { console.log(JSON.stringify({ ok: false, message: e.message })); }`;
  const result = await inChild(code, { FMNIST_DNNL: "/nonexistent.so", FMNIST_BACKEND: "onednn" }) as {
    ok: boolean;
    message: string;
  };
  assert.equal(result.ok, false);
  assert.match(result.message, /Backend "onednn" was forced by env var FMNIST_BACKEND but cannot be used/);
});
