import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select.ts";
import { countParams } from "../../lib/models/spec.ts";
import { buildModel } from "../../lib/papers/registry.ts";
import { inferenceLatency, modelSize } from "../../lib/analysis/deployment.ts";

await initBackend();

Deno.test("modelSize: weights are 4 bytes per parameter; the saved form adds the topology", async () => {
  const model = buildModel("000-three-block");
  const { weightBytes, savedBytes } = await modelSize(model);
  assert.equal(weightBytes, 4 * countParams(model).total);
  assert.ok(savedBytes > weightBytes && savedBytes < weightBytes + 50_000);
  model.dispose();
});

Deno.test("inferenceLatency: positive, per image = per batch / batch, no tensors left", () => {
  const model = buildModel("002-ann");
  const before = tf.memory().numTensors;
  const r = inferenceLatency(model, [28, 28, 1], { batch: 8, runs: 5, warmup: 1 });
  assert.ok(r.msPerBatch > 0);
  assert.ok(Math.abs(r.msPerImage * 8 - r.msPerBatch) < 1e-9);
  assert.ok(Math.abs(r.imagesPerSecond - 8000 / r.msPerBatch) < 1e-6);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
