import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { lossFunction, makeOptimizer, OPTIMIZERS } from "../../lib/training/losses.ts";

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const value = (t: tf.Scalar) => t.dataSync()[0];

Deno.test("cross-entropy on softmax outputs: mean of -log p[y] (Keras), clipped at 1e-7", () => {
  const p = tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]);
  const y = tf.tensor1d([0, 2], "int32");
  close(value(lossFunction("crossEntropy", "softmax")(p, y)), -(Math.log(0.7) + Math.log(0.8)) / 2);
  const zero = tf.tensor2d([[1, 0, 0]]);
  close(
    value(lossFunction("crossEntropy", "softmax")(zero, tf.tensor1d([1], "int32"))),
    -Math.log(1e-7),
    1e-3,
  );
});

Deno.test("cross-entropy on logits: PyTorch's CrossEntropyLoss (log-softmax then NLL)", () => {
  const x = tf.tensor2d([[2, 1, 0]]);
  const y = tf.tensor1d([1], "int32");
  const lse = Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0));
  close(value(lossFunction("crossEntropy", "logits")(x, y)), lse - 1);
});

Deno.test("multi-margin: PyTorch's MultiMarginLoss (p=1, margin=1), summed over wrong classes / C", () => {
  // sample 1: y=0, x=[0.1, 0.2, 0.4, 0.8]: max(0,1-0.1+0.2)+max(0,1-0.1+0.4)+max(0,1-0.1+0.8) = 1.1+1.3+1.7 = 4.1; /4
  // sample 2: y=1, x=[0, 3, 0, 2.5]: 0 + 0 (1-3+0<0) + max(0, 1-3+2.5)=0.5; /4 = 0.125
  const x = tf.tensor2d([[0.1, 0.2, 0.4, 0.8], [0, 3, 0, 2.5]]);
  const y = tf.tensor1d([0, 1], "int32");
  close(value(lossFunction("multiMargin", "logits")(x, y)), (4.1 / 4 + 0.5 / 4) / 2);
});

Deno.test("NLL: PyTorch's NLLLoss is -x[y]; fed raw scores it is unbounded below", () => {
  const logp = tf.log(tf.tensor2d([[0.5, 0.25, 0.25]]));
  close(value(lossFunction("nll", "logits")(logp, tf.tensor1d([0], "int32"))), Math.log(2));
  const raw = tf.tensor2d([[100, -3, 7]]);
  close(value(lossFunction("nll", "logits")(raw, tf.tensor1d([0], "int32"))), -100);
  // Gradient with respect to the true score is -1 forever: training can push the loss to -infinity.
  const g = tf.grad((s: tf.Tensor) =>
    lossFunction("nll", "logits")(s as tf.Tensor2D, tf.tensor1d([0], "int32"))
  )(raw);
  assert.deepEqual(Array.from(g.dataSync(), (v) => v + 0), [-1, 0, 0]); // + 0 turns -0 into 0
});

Deno.test("every optimizer is built by name with its learning rate; bad input is refused", () => {
  for (const name of OPTIMIZERS) {
    const opt = makeOptimizer(name, 0.05);
    const v = tf.variable(tf.scalar(1));
    opt.minimize(() => tf.square(v) as tf.Scalar, false, [v]);
    assert.ok(v.dataSync()[0] < 1, `${name} took a step downhill`);
    assert.equal(opt.getConfig().learningRate, 0.05, name);
  }
  assert.throws(() => makeOptimizer("adam", 0), /learning rate must be positive/);
  assert.throws(() => makeOptimizer("lbfgs" as never, 0.1), /unknown optimizer "lbfgs"/);
  assert.throws(() => lossFunction("hinge" as never, "logits"), /unknown loss "hinge"/);
});

Deno.test("Keras's cross-entropy from logits is not capped: a confidently wrong image costs more than 16.1", () => {
  const logits = tf.tensor2d([[40, 0, 0]]);
  const y = tf.tensor1d([1], "int32");
  const fromLogits = value(lossFunction("crossEntropy", "logits")(logits, y));
  close(fromLogits, 40 + Math.log(1 + 2 * Math.exp(-40)), 1e-3);
  const clipped = value(lossFunction("crossEntropy", "softmax")(tf.softmax(logits) as tf.Tensor2D, y));
  assert.ok(fromLogits > 16.2 && clipped < 16.2, `${fromLogits} vs the clipped ${clipped}`);
});

Deno.test("Adam's epsilon by framework: PyTorch 1e-8, Keras and tfjs 1e-7, measured in one step", () => {
  // First step of Adam moves w by lr * g / (|g| + eps) (bias-corrected moments equal g and g^2).
  const g = 1e-8, lr = 1;
  const step = (framework?: "keras" | "pytorch") => {
    const w = tf.variable(tf.scalar(0));
    makeOptimizer("adam", lr, framework).applyGradients({ [w.name]: tf.scalar(g) });
    const moved = -w.dataSync()[0];
    w.dispose();
    return moved;
  };
  close(step("pytorch"), g / (g + 1e-8), 1e-4);
  close(step("keras"), g / (g + 1e-7), 1e-4);
  close(step(), step("keras"), 1e-7);
});
