/**
 * Tests for lib/models/reference_models.ts: `REFERENCE_MODELS` names the six networks Abdul Aziz & Sayed's
 * Table 2 compares with, and each entry builds a fresh model with the published Keras parameter count and
 * a [null, 1000] output (parameter breakdowns are checked per network in their own tests).
 *
 * Run: deno test -A tests/models/reference_models_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PUBLISHED_COUNTS } from "../../lib/models/reference.ts";
import { REFERENCE_MODELS } from "../../lib/models/reference_models.ts";

await tf.setBackend("cpu");

const PUBLISHED_BY_NAME: Record<string, number> = {
  "mobilenet-v2": PUBLISHED_COUNTS.mobileNetV2,
  "mobilenet-v3-large": PUBLISHED_COUNTS.mobileNetV3Large,
  "efficientnet-b0": PUBLISHED_COUNTS.efficientNetB0,
  "efficientnet-b3": PUBLISHED_COUNTS.efficientNetB3,
  "vgg19": PUBLISHED_COUNTS.vgg19,
  "resnet50": PUBLISHED_COUNTS.resNet50,
};

Deno.test("REFERENCE_MODELS: six named builders, each with the published count and a [null, 1000] output", () => {
  assert.deepEqual(Object.keys(REFERENCE_MODELS), Object.keys(PUBLISHED_BY_NAME));
  const before = tf.memory().numTensors;
  for (const [name, build] of Object.entries(REFERENCE_MODELS)) {
    const model = build();
    try {
      assert.equal(model.countParams(), PUBLISHED_BY_NAME[name], name);
      assert.deepEqual(model.outputs[0].shape, [null, 1000], name);
    } finally {
      model.dispose();
    }
  }
  assert.equal(tf.memory().numTensors, before, "every model's weights are freed");
});

Deno.test("REFERENCE_MODELS: each call builds a new model", () => {
  const build = REFERENCE_MODELS["mobilenet-v3-large"];
  const a = build(), b = build();
  assert.notEqual(a, b);
  a.dispose();
  assert.equal(b.countParams(), PUBLISHED_COUNTS.mobileNetV3Large);
  b.dispose();
});
