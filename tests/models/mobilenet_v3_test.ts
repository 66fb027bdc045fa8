/**
 * Tests for lib/models/mobilenet_v3.ts: the randomly initialised MobileNetV3-Large rebuild must have exactly
 * the parameter counts Keras Applications reports (total, trainable, non-trainable), the paper's Table 1
 * layout (15 bneck blocks, 8 with squeeze-and-excitation, 960 channels before the 1280-channel head), a
 * [null, classes] softmax output, and hard-sigmoid / hard-swish as the paper defines them.
 *
 * Run: deno test -A tests/models/mobilenet_v3_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { HardSigmoid, HardSwish, mobileNetV3Large } from "../../lib/models/mobilenet_v3.ts";
import { PUBLISHED_COUNTS } from "../../lib/models/reference.ts";
import { countParams } from "../../lib/models/spec.ts";
import { checkTinyForwardPass, withModel } from "./with_model.ts";

await tf.setBackend("cpu");

Deno.test("mobileNetV3Large: Keras parameter counts, 7x7x960 features, [null, 1000] output", () => {
  withModel(() => mobileNetV3Large(), (model) => {
    assert.deepEqual(countParams(model), { total: 5_507_432, trainable: 5_483_032, nonTrainable: 24_400 });
    assert.equal(model.countParams(), PUBLISHED_COUNTS.mobileNetV3Large);
    assert.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
    assert.deepEqual(model.getLayer("Conv_1").outputShape, [null, 7, 7, 960]);
    assert.deepEqual(model.getLayer("Conv_2").outputShape, [null, 1, 1, 1280]);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    // Table 1: 15 bneck blocks, SE in 8 of them, 6 with ReLU and 9 with hard-swish;
    // a residual add wherever stride is 1 and channels stay (1+1+2+3+1+2 = 10).
    assert.equal(model.layers.filter((l) => l.name.endsWith("_project")).length, 15);
    assert.equal(model.layers.filter((l) => l.name.endsWith("_squeeze_excite_Mul")).length, 8);
    assert.equal(model.layers.filter((l) => l.name.endsWith("depthwise_relu")).length, 6);
    assert.equal(model.layers.filter((l) => l.name.endsWith("depthwise_hard_swish")).length, 9);
    assert.equal(model.layers.filter((l) => l.getClassName() === "Add").length, 10);
    // The 72-channel SE squeezes to 24 (a quarter, 18, rounded up to a multiple of 8 by Keras's _depth).
    assert.deepEqual(model.getLayer("expanded_conv_3_squeeze_excite_Conv").outputShape, [null, 1, 1, 24]);
  });
});

Deno.test("mobileNetV3Large: options change the classifier and feature-map size only", () => {
  withModel(() => mobileNetV3Large({ classes: 10 }), (model) => {
    // The 1x1 "Logits" conv 1280 -> classes: (1280 + 1) * classes parameters.
    assert.equal(model.countParams(), PUBLISHED_COUNTS.mobileNetV3Large - (1280 + 1) * 990);
    assert.deepEqual(model.outputs[0].shape, [null, 10]);
  });
  withModel(() => mobileNetV3Large({ inputSize: 96 }), (model) => {
    assert.equal(model.countParams(), PUBLISHED_COUNTS.mobileNetV3Large);
    assert.deepEqual(model.getLayer("Conv_1").outputShape, [null, 3, 3, 960]);
  });
  assert.throws(() => mobileNetV3Large({ inputSize: 16 }), RangeError);
});

Deno.test("HardSigmoid is relu6(x + 3) / 6 and HardSwish is x times it", () => {
  const x = tf.tensor1d([-4, -3, -1, 0, 1, 3, 4]);
  const sig = new HardSigmoid().apply(x) as tf.Tensor;
  const swish = new HardSwish().apply(x) as tf.Tensor;
  const expectSig = [0, 0, 2 / 6, 0.5, 4 / 6, 1, 1];
  Array.from(sig.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expectSig[i]) < 1e-6, `${v}`));
  const xs = [-4, -3, -1, 0, 1, 3, 4];
  Array.from(swish.dataSync()).forEach((v, i) =>
    assert.ok(Math.abs(v - xs[i] * expectSig[i]) < 1e-6, `${v}`)
  );
  tf.dispose([x, sig, swish]);
});

Deno.test("the custom layers survive a JSON round trip", async () => {
  const input = tf.input({ shape: [4] });
  const y = new HardSigmoid({ name: "gate" }).apply(
    new HardSwish({ name: "act" }).apply(input),
  ) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y });
  const copy = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(null, false) as tf.io.ModelJSON["modelTopology"],
  });
  assert.deepEqual(copy.layers.map((l) => l.getClassName()), ["InputLayer", "HardSwish", "HardSigmoid"]);
  model.dispose();
  copy.dispose();
});

Deno.test("tiny forward pass: softmax outputs on 32x32 inputs, no tensor leaks", () => {
  withModel(() => mobileNetV3Large({ inputSize: 32, classes: 10 }), (model) => {
    checkTinyForwardPass(model);
  });
});
