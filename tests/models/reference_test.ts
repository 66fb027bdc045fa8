/**
 * Tests for lib/models/reference.ts: the randomly initialised MobileNetV2 and EfficientNet-B0 rebuilds must
 * have exactly the parameter counts Keras Applications reports (total, trainable, non-trainable), a
 * 7x7 final feature map for 224x224 inputs, a [null, classes] softmax output, and honour the
 * `classes` / `inputSize` options. Kept cheap: builds models, counts weights, one tiny forward pass.
 *
 * Run: deno test -A tests/models/reference_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { efficientNetB0 } from "../../lib/models/efficientnet.ts";
import { mobileNetV2 } from "../../lib/models/mobilenet_v2.ts";
import { PUBLISHED_COUNTS } from "../../lib/models/reference.ts";
import { checkTinyForwardPass, withModel } from "./with_model.ts";

await tf.setBackend("cpu");

function countOf(weights: tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 0), 1), 0);
}

function counts(model: tf.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const trainable = countOf(model.trainableWeights);
  const nonTrainable = countOf(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

/** Output shape of the last layer before global average pooling. */
function featureMapShape(model: tf.LayersModel, layerName: string): (number | null)[] {
  return model.getLayer(layerName).outputShape as (number | null)[];
}

Deno.test("PUBLISHED_COUNTS holds the Keras Applications numbers", () => {
  assert.deepEqual(PUBLISHED_COUNTS, {
    mobileNetV2: 3_538_984,
    mobileNetV3Large: 5_507_432,
    efficientNetB0: 5_330_571,
    efficientNetB3: 12_320_535,
    vgg19: 143_667_240,
    resNet50: 25_636_712,
  });
});

Deno.test("mobileNetV2: Keras parameter counts, 7x7x1280 features, [null, 1000] output", () => {
  withModel(() => mobileNetV2(), (model) => {
    assert.deepEqual(counts(model), { total: 3_538_984, trainable: 3_504_872, nonTrainable: 34_112 });
    assert.equal(model.countParams(), PUBLISHED_COUNTS.mobileNetV2);
    assert.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
    assert.deepEqual(featureMapShape(model, "out_relu"), [null, 7, 7, 1280]);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    // 17 inverted residual blocks (paper Table 2: 1+2+3+4+3+3+1), 10 of them with a residual add.
    assert.equal(model.layers.filter((l) => l.name.endsWith("_project")).length, 17);
    assert.equal(model.layers.filter((l) => l.getClassName() === "Add").length, 10);
  });
});

Deno.test("efficientNetB0: Keras parameter counts, 7x7x1280 features, [null, 1000] output", () => {
  withModel(() => efficientNetB0(), (model) => {
    assert.deepEqual(counts(model), { total: 5_330_571, trainable: 5_288_548, nonTrainable: 42_023 });
    assert.equal(model.countParams(), PUBLISHED_COUNTS.efficientNetB0);
    // The Normalization layer contributes Keras' mean (3) + variance (3) + count (1) non-trainable weights.
    assert.equal(countOf(model.getLayer("normalization").nonTrainableWeights), 7);
    assert.deepEqual(featureMapShape(model, "top_activation"), [null, 7, 7, 1280]);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    // 16 MBConv blocks (paper Table 1: 1+2+2+3+3+4+1), each with squeeze-and-excitation.
    assert.equal(model.layers.filter((l) => l.name.endsWith("_se_excite")).length, 16);
  });
});

Deno.test("classes option replaces only the classifier", () => {
  // Dense 1280 -> classes: (1280 + 1) * classes parameters.
  const diff = (1280 + 1) * (1000 - 10);
  withModel(() => mobileNetV2({ classes: 10 }), (model) => {
    assert.equal(model.countParams(), PUBLISHED_COUNTS.mobileNetV2 - diff);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
  });
  withModel(() => efficientNetB0({ classes: 10 }), (model) => {
    assert.equal(model.countParams(), PUBLISHED_COUNTS.efficientNetB0 - diff);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
  });
});

Deno.test("inputSize option changes feature-map size but not parameter count", () => {
  withModel(() => mobileNetV2({ inputSize: 96 }), (model) => {
    assert.equal(model.countParams(), PUBLISHED_COUNTS.mobileNetV2);
    assert.deepEqual(featureMapShape(model, "out_relu"), [null, 3, 3, 1280]);
  });
  withModel(() => efficientNetB0({ inputSize: 240 }), (model) => {
    assert.equal(model.countParams(), PUBLISHED_COUNTS.efficientNetB0);
    assert.deepEqual(featureMapShape(model, "top_activation"), [null, 8, 8, 1280]);
  });
  assert.throws(() => mobileNetV2({ inputSize: 16 }), RangeError);
  assert.throws(() => efficientNetB0({ classes: 0 }), RangeError);
});

Deno.test("tiny forward pass: softmax outputs on 32x32 inputs, no tensor leaks", () => {
  for (const build of [mobileNetV2, efficientNetB0]) {
    withModel(() => build({ inputSize: 32, classes: 10 }), (model) => {
      checkTinyForwardPass(model);
    });
  }
});
