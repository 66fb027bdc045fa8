/**
 * Tests for lib/models/complexity.ts: `multiplyAdds` on small models counted by hand (Conv2D,
 * DepthwiseConv2D, SeparableConv2D, Dense on rank-2 and rank-3 inputs, a shared layer, a nested
 * Sequential), and on the six reference networks against their papers' published multiply-adds.
 *
 * Run: deno test -A tests/models/complexity_test.ts
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { multiplyAdds } from "../../lib/models/complexity.ts";
import { REFERENCE_MODELS } from "../../lib/models/reference_models.ts";

await tf.setBackend("cpu");

type Sym = tf.SymbolicTensor;

Deno.test("multiplyAdds: hand counts for each counted layer type; biases, pooling, BN and activations count zero", () => {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu" }).apply(
    input,
  ) as Sym;
  x = tf.layers.batchNormalization().apply(x) as Sym;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2 }).apply(x) as Sym; // 8x8 -> 3x3 ('valid')
  x = tf.layers.separableConv2d({ filters: 5, kernelSize: 3, padding: "same", depthMultiplier: 2 }).apply(
    x,
  ) as Sym;
  x = tf.layers.maxPooling2d({ poolSize: 1 }).apply(x) as Sym;
  x = tf.layers.flatten().apply(x) as Sym;
  x = tf.layers.dense({ units: 7 }).apply(x) as Sym;
  const model = tf.model({ inputs: input, outputs: x });
  const conv = 8 * 8 * (3 * 3 * 3) * 4; // 6,912
  const depthwise = 3 * 3 * (3 * 3) * 4; // 324
  const separable = 3 * 3 * (3 * 3) * 4 * 2 + 3 * 3 * (4 * 2) * 5; // 648 + 360
  const dense = 3 * 3 * 5 * 7; // 315
  assert.equal(multiplyAdds(model), conv + depthwise + separable + dense);
  model.dispose();
});

Deno.test("multiplyAdds: Dense on a sequence, a shared layer called twice, a nested Sequential called twice", () => {
  const input = tf.input({ shape: [3, 6] });
  let x = tf.layers.dense({ units: 2 }).apply(input) as Sym; // 3 positions x 6 x 2 = 36
  const shared = tf.layers.dense({ units: 2 });
  x = shared.apply(shared.apply(x) as Sym) as Sym; // 2 x (3 x 2 x 2) = 24
  const inner = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3, 2], units: 2 })] }); // 12
  x = inner.apply(inner.apply(x) as Sym) as Sym; // 24
  const model = tf.model({ inputs: input, outputs: x });
  assert.equal(multiplyAdds(inner), 12);
  assert.equal(multiplyAdds(model), 36 + 24 + 24);
  model.dispose();
});

Deno.test("multiplyAdds: a Sequential model; unknown spatial size throws", () => {
  const seq = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  assert.equal(multiplyAdds(seq), 26 * 26 * 9 * 32 + 26 * 26 * 32 * 10);
  seq.dispose();
  const open = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [null, null, 3], filters: 2, kernelSize: 3 })],
  });
  assert.throws(() => multiplyAdds(open), /unknown dimension/);
  open.dispose();
});

/**
 * Published multiply-adds (one 224x224 image, 300x300 for B3) and ours, exact. Sources: Sandler et al.
 * 2018 Table 3 (300M); Howard et al. 2019 Table 3 (219M); Tan & Le 2019 Table 2 (0.39B, 1.8B);
 * Simonyan & Zisserman's VGG19 (19.6 GFLOPs, as commonly tabulated, e.g. He et al. 2016 Fig. 3);
 * He et al. 2016 Table 1 (3.8 x 10^9 for ResNet-50 v1 with the stride in the first 1x1 conv, as Keras
 * builds it; the 4.1G often quoted is torchvision's v1.5 with the stride in the 3x3 conv).
 */
const PUBLISHED_MADDS: Record<string, [published: number, ours: number]> = {
  "mobilenet-v2": [300e6, 300_774_272],
  "mobilenet-v3-large": [219e6, 216_589_760],
  "efficientnet-b0": [390e6, 385_814_752],
  "efficientnet-b3": [1.8e9, 1_827_141_392],
  "vgg19": [19.6e9, 19_632_062_464],
  "resnet50": [3.8e9, 3_857_973_248],
};

Deno.test("multiplyAdds: the reference networks within 2% of their published multiply-adds", () => {
  assert.deepEqual(Object.keys(PUBLISHED_MADDS).sort(), Object.keys(REFERENCE_MODELS).sort());
  for (const [name, build] of Object.entries(REFERENCE_MODELS)) {
    const model = build();
    try {
      const madds = multiplyAdds(model);
      const [published, ours] = PUBLISHED_MADDS[name];
      assert.equal(madds, ours, name);
      const off = Math.abs(madds / published - 1);
      assert.ok(off < 0.02, `${name}: ${madds} is ${(100 * off).toFixed(1)}% from ${published}`);
    } finally {
      model.dispose();
    }
  }
});
