/**
 * Tests for lib/models/efficientnet.ts beyond B0 (whose counts tests/models/reference_test.ts checks): the
 * general builder scaled to B3 (width 1.2, depth 1.4, 300 pixels) must have exactly the parameter counts
 * Keras Applications reports, 26 MBConv blocks and 1536 features; scaling B0 by 1.0/1.0 must give B0.
 *
 * Run: deno test -A tests/models/efficientnet_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  efficientNet,
  EFFICIENTNET_B0,
  EFFICIENTNET_B3,
  efficientNetB0,
  efficientNetB3,
} from "../../lib/models/efficientnet.ts";
import { PUBLISHED_COUNTS } from "../../lib/models/reference.ts";
import { countParams } from "../../lib/models/spec.ts";
import { checkTinyForwardPass, withModel } from "./with_model.ts";

await tf.setBackend("cpu");

Deno.test("efficientNetB3: Keras parameter counts, 300x300 input, 10x10x1536 features, [null, 1000] output", () => {
  withModel(() => efficientNetB3(), (model) => {
    assert.deepEqual(countParams(model), { total: 12_320_535, trainable: 12_233_232, nonTrainable: 87_303 });
    assert.equal(model.countParams(), PUBLISHED_COUNTS.efficientNetB3);
    assert.equal(model.name, "efficientnetb3");
    assert.deepEqual(model.inputs[0].shape, [null, 300, 300, 3]);
    assert.deepEqual(model.getLayer("stem_conv").outputShape, [null, 150, 150, 40]);
    assert.deepEqual(model.getLayer("top_activation").outputShape, [null, 10, 10, 1536]);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    // Repeats ceil(1.4 r) for r = 1, 2, 2, 3, 3, 4, 1: 2+3+3+5+5+6+2 = 26 MBConv blocks, each with SE.
    assert.equal(model.layers.filter((l) => l.name.endsWith("_se_excite")).length, 26);
    assert.ok(model.layers.some((l) => l.name === "block6f_project_conv"));
    assert.equal((model.getLayer("top_dropout").getConfig() as { rate: number }).rate, 0.3);
  });
});

Deno.test("efficientNet: the general builder at B0's scaling is efficientNetB0", () => {
  const b0 = efficientNetB0();
  const general = efficientNet(EFFICIENTNET_B0);
  try {
    assert.deepEqual(countParams(general), countParams(b0));
    assert.deepEqual(general.layers.map((l) => l.name), b0.layers.map((l) => l.name));
    assert.equal(general.countParams(), PUBLISHED_COUNTS.efficientNetB0);
  } finally {
    b0.dispose();
    general.dispose();
  }
  assert.deepEqual(EFFICIENTNET_B3, {
    name: "efficientnetb3",
    width: 1.2,
    depth: 1.4,
    resolution: 300,
    dropout: 0.3,
  });
});

Deno.test("efficientNetB3: options change the classifier and feature-map size only", () => {
  withModel(() => efficientNetB3({ classes: 10, inputSize: 224 }), (model) => {
    // Dense 1536 -> classes: (1536 + 1) * classes parameters.
    assert.equal(model.countParams(), PUBLISHED_COUNTS.efficientNetB3 - (1536 + 1) * 990);
    assert.deepEqual(model.getLayer("top_activation").outputShape, [null, 7, 7, 1536]);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
  });
  assert.throws(() => efficientNetB3({ classes: 0 }), RangeError);
});

Deno.test("tiny forward pass: softmax outputs on 32x32 inputs, no tensor leaks", () => {
  withModel(() => efficientNetB3({ inputSize: 32, classes: 10 }), (model) => {
    checkTinyForwardPass(model);
  });
});
