/**
 * Tests for lib/models/resnet50.ts: the randomly initialised ResNet-50 (v1) rebuild must have exactly the
 * parameter counts Keras Applications reports (total, trainable, non-trainable), Table 1's 3-4-6-3
 * bottleneck blocks and a 7x7x2048 feature map for 224x224 inputs, and a [null, classes] softmax output.
 *
 * Run: deno test -A tests/models/resnet50_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PUBLISHED_COUNTS } from "../../lib/models/reference.ts";
import { countParams } from "../../lib/models/spec.ts";
import { resNet50 } from "../../lib/models/resnet50.ts";
import { checkTinyForwardPass, withModel } from "./with_model.ts";

await tf.setBackend("cpu");

Deno.test("resNet50: Keras parameter counts, 16 bottlenecks, 7x7x2048 features, [null, 1000] output", () => {
  withModel(() => resNet50(), (model) => {
    assert.deepEqual(countParams(model), { total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 });
    assert.equal(model.countParams(), PUBLISHED_COUNTS.resNet50);
    assert.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
    assert.deepEqual(model.getLayer("pool1_pool").outputShape, [null, 56, 56, 64]);
    assert.deepEqual(model.getLayer("conv5_block3_out").outputShape, [null, 7, 7, 2048]);
    assert.deepEqual(model.outputs[0].shape, [null, 1000]);
    // Table 1, 50-layer column: 3 + 4 + 6 + 3 bottleneck blocks, a projection shortcut in the first of each stage.
    assert.equal(model.layers.filter((l) => l.getClassName() === "Add").length, 16);
    assert.equal(model.layers.filter((l) => l.name.endsWith("_0_conv")).length, 4);
    // 1 + 16 x 3 + 1 = 50 weighted layers (the 4 projections not counted, as in the paper).
    const weighted = model.layers.filter((l) => ["Conv2D", "Dense"].includes(l.getClassName()));
    assert.equal(weighted.length - 4, 50);
  });
});

Deno.test("resNet50: options change the classifier only; a forward pass gives softmax rows", () => {
  withModel(() => resNet50({ inputSize: 32, classes: 10 }), (model) => {
    assert.equal(model.countParams(), PUBLISHED_COUNTS.resNet50 - (2048 + 1) * 990);
    checkTinyForwardPass(model);
  });
  assert.throws(() => resNet50({ inputSize: 8 }), RangeError);
});
