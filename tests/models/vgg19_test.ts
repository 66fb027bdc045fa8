/**
 * Tests for lib/models/vgg19.ts: the randomly initialised VGG19 rebuild must have exactly the parameter
 * count Keras Applications reports (143,667,240, all trainable), configuration E's 16 convolutions and
 * a 7x7x512 feature map for 224x224 inputs, and a [null, classes] softmax output. The 575 MB model is
 * built once per test and disposed.
 *
 * Run: deno test -A tests/models/vgg19_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PUBLISHED_COUNTS } from "../../lib/models/reference.ts";
import { countParams } from "../../lib/models/spec.ts";
import { vgg19 } from "../../lib/models/vgg19.ts";
import { withModel } from "./with_model.ts";

await tf.setBackend("cpu");

Deno.test("vgg19: Keras parameter count, 16 convolutions, 7x7x512 features, [null, 1000] output", () => {
  const before = tf.memory().numTensors;
  withModel(() => vgg19(), (model) => {
    assert.deepEqual(countParams(model), { total: 143_667_240, trainable: 143_667_240, nonTrainable: 0 });
    assert.equal(model.countParams(), PUBLISHED_COUNTS.vgg19);
    assert.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
    assert.equal(model.layers.filter((l) => l.getClassName() === "Conv2D").length, 16);
    assert.deepEqual(model.getLayer("block5_pool").outputShape, [null, 7, 7, 512]);
    // fc1 holds 25,088 x 4,096 + 4,096 of them.
    assert.equal(model.getLayer("fc1").countParams(), 7 * 7 * 512 * 4096 + 4096);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
  });
  assert.equal(tf.memory().numTensors, before, "the 575 MB of weights are freed");
});

Deno.test("vgg19: a small input shrinks fc1; a forward pass gives softmax rows", () => {
  withModel(() => vgg19({ inputSize: 32, classes: 10 }), (model) => {
    // 32x32 -> 1x1x512 after five poolings: fc1 is 512 x 4096, predictions 4096 x 10.
    const expected = PUBLISHED_COUNTS.vgg19 - (7 * 7 - 1) * 512 * 4096 - 4097 * 990;
    assert.equal(model.countParams(), expected);
    const probs = tf.tidy(() => model.predict(tf.randomUniform([2, 32, 32, 3], 0, 1)) as tf.Tensor);
    assert.deepEqual(probs.shape, [2, 10]);
    const sums = tf.tidy(() => Array.from(probs.sum(1).dataSync()));
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4, `row sums to ${s}`);
    probs.dispose();
  });
});
