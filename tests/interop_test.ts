import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as dfd from "danfojs-node";
import { initBackend } from "../lib/backend.ts";

// danfojs-node brings its own tfjs 3.x; both find the same engine on globalThis._tfengine.
// Keep this test: if that ever changes, danfo's tensor ops would silently run on another backend.
Deno.test("danfojs and tfjs 4 work side by side on our backend", async () => {
  const info = await initBackend();
  const frame = new dfd.DataFrame({ a: [1, 2, 3, 4], b: [10, 20, 30, 40] });
  assert.deepEqual(frame.shape, [4, 2]);
  assert.deepEqual(frame.mean({ axis: 0 }).values, [2.5, 25]);
  const scaled = new dfd.StandardScaler().fitTransform(frame) as dfd.DataFrame;
  assert.ok(Math.abs((scaled.values as number[][])[0][0] + 1.3416) < 1e-3);
  assert.equal(tf.getBackend(), info.name, "danfo did not switch our backend");
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const xs = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0]]);
  const ys = tf.tensor2d([[1], [1], [2], [0]]);
  const history = await model.fit(xs, ys, { epochs: 30, verbose: 0 });
  const loss = history.history.loss as number[];
  assert.ok(loss[loss.length - 1] < loss[0] / 5, `loss fell from ${loss[0]} to ${loss[loss.length - 1]}`);
  tf.dispose([xs, ys]);
  model.dispose();
});
