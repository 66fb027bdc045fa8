/**
 * Tests for the threaded wasm start (lib/backend/threads.ts through lib/backend/select.ts): each run is a fresh
 * Deno process, since a backend can be initialised only once per process.
 *
 * Run: deno test -A tests/wasm_threads_test.ts
 */
import assert from "node:assert/strict";
import { wasmThreads } from "../../lib/backend/select.ts";
import { REPO_ROOT } from "../../lib/training/profile.ts";

/** In a child process: init the backend, train-step gradients of a small CNN, their float32 bits. */
const CHILD = `
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./lib/backend/select.ts";
const info = await initBackend();
const x = tf.randomUniform([8, 12, 12, 3], 0, 1, "float32", 1);
const f1 = tf.randomNormal([3, 3, 3, 16], 0, 0.3, "float32", 2);
const f2 = tf.randomNormal([3, 3, 16, 16], 0, 0.3, "float32", 3);
const w = tf.randomNormal([16 * 3 * 3, 10], 0, 0.1, "float32", 4);
const loss = (a, b, c) => {
  const h = tf.maxPool(tf.relu(tf.conv2d(x, a, 1, "same")), 2, 2, "valid");
  const k = tf.maxPool(tf.relu(tf.conv2d(h, b, 1, "same")), 2, 2, "valid");
  return tf.sum(tf.square(tf.matMul(tf.reshape(k, [8, -1]), c)));
};
const grads = tf.grads(loss)([f1, f2, w]);
const bits = grads.map((g) => Array.from(new Uint32Array(new Float32Array(g.dataSync()).buffer)));
console.log(JSON.stringify({ description: info.description, skipped: info.skipped, bits }));
`;

interface ChildResult {
  description: string;
  skipped: string[];
  bits: number[][];
}

async function runChild(threads: string): Promise<ChildResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["eval", CHILD],
    cwd: REPO_ROOT,
    env: { FMNIST_WASM_THREADS: threads, FMNIST_BACKEND: "wasm" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000), // the pthread workers must not keep the process alive
  });
  const output = await command.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, `child with ${threads} threads failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").pop()!);
}

Deno.test("the threaded wasm build starts, exits, and gives bit-identical CNN gradients", async () => {
  const [one, two] = await Promise.all([runChild("1"), runChild("2")]);
  assert.match(one.description, /^wasm \(XNNPACK, SIMD, 1 thread\)/);
  assert.match(two.description, /^wasm \(XNNPACK, SIMD, 2 threads\)/, JSON.stringify(two.skipped));
  assert.equal(two.bits.length, 3);
  two.bits.forEach((bits, i) =>
    assert.deepEqual(bits, one.bits[i], `gradient ${i} differs between 1 and 2 threads`)
  );
  assert.ok(one.bits[0].some((b) => b !== 0), "gradients should not be all zero");
});

Deno.test("FMNIST_WASM_THREADS: one per core by default, bad values are an error that says what to use", () => {
  const saved = Deno.env.get("FMNIST_WASM_THREADS");
  try {
    Deno.env.delete("FMNIST_WASM_THREADS");
    assert.equal(wasmThreads(), Math.min(navigator.hardwareConcurrency, 8));
    Deno.env.set("FMNIST_WASM_THREADS", "3");
    assert.equal(wasmThreads(), 3);
    for (const bad of ["0", "9", "two", "1.5"]) {
      Deno.env.set("FMNIST_WASM_THREADS", bad);
      assert.throws(
        () => wasmThreads(),
        /FMNIST_WASM_THREADS=".*" is not a thread count: use a whole number from 1 to 8/,
      );
    }
  } finally {
    if (saved === undefined) Deno.env.delete("FMNIST_WASM_THREADS");
    else Deno.env.set("FMNIST_WASM_THREADS", saved);
  }
});
