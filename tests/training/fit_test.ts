import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select.ts";
import { loadFashionMnist } from "../../lib/data/fashion_mnist.ts";
import { buildModel } from "../../lib/papers/registry.ts";
import { sample } from "../../lib/data/splits.ts";
import {
  batchTensors,
  type EpochRecord,
  evaluate,
  fit,
  lossInputs,
  shouldStop,
  type TrainOptions,
} from "../../lib/training/fit.ts";
import { lossFunction } from "../../lib/training/losses.ts";

await initBackend();
const data = await loadFashionMnist();
const train = sample(data.train, 640, { seed: 3, stratify: true });
const validation = sample(data.test, 200, { seed: 3, stratify: true });
const base: TrainOptions = {
  epochs: 3,
  batchSize: 32,
  optimizer: "adam",
  learningRate: 1e-3,
  loss: "crossEntropy",
  seed: 5,
  quiet: true,
};
const rows = (h: EpochRecord[]) => h.map((r) => [r.loss, r.accuracy, r.valLoss, r.valAccuracy]);

Deno.test("fit is deterministic per seed (dropout included) and the loss falls", async () => {
  const run = async (seed: number) =>
    rows((await fit(buildModel("002-model3", 1), "softmax", train, validation, { ...base, seed })).history);
  const a = await run(5);
  assert.deepEqual(await run(5), a);
  assert.notDeepEqual(await run(6), a);
  assert.ok(a[2][0]! < a[0][0]! * 0.8, `loss ${a[0][0]} -> ${a[2][0]}`);
});

Deno.test("accuracy is counted per sample, and history records rate, time and throughput", async () => {
  const { history } = await fit(buildModel("002-ann", 1), "softmax", train, validation, {
    ...base,
    epochs: 2,
  });
  for (const h of history) {
    const correct = h.accuracy * train.count;
    assert.ok(
      Math.abs(correct - Math.round(correct)) < 1e-9,
      `accuracy ${h.accuracy} is a count / ${train.count}`,
    );
    const valCorrect = h.valAccuracy! * validation.count;
    assert.ok(Math.abs(valCorrect - Math.round(valCorrect)) < 1e-9);
    assert.equal(h.learningRate, 1e-3);
    assert.ok(h.seconds > 0 && Math.abs(h.imagesPerSecond - train.count / h.seconds) < 1e-6);
  }
});

Deno.test("evaluate agrees with its own probabilities", () => {
  const model = buildModel("004-tinyvgg", 2);
  const result = evaluate(model, "logits", validation, "crossEntropy");
  let correct = 0;
  for (let i = 0; i < validation.count; i++) {
    const p = Array.from(result.probabilities.subarray(i * 10, i * 10 + 10));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4, "softmax of logits sums to 1");
    if (p.indexOf(Math.max(...p)) === validation.labels[i]) correct++;
  }
  assert.equal(result.accuracy, correct / validation.count);
});

Deno.test("schedule hook sets each epoch's learning rate; early stopping ends a run that stopped improving", async () => {
  const scheduled = await fit(buildModel("002-ann", 1), "softmax", train, null, {
    ...base,
    schedule: (epoch, lr) => lr / 10 ** epoch,
  });
  assert.deepEqual(scheduled.history.map((h) => h.learningRate), [1e-3, 1e-4, 1e-5]);
  // A learning rate too small to change any prediction: validation accuracy never improves.
  const stalled = await fit(buildModel("002-ann", 1), "softmax", train, validation, {
    ...base,
    epochs: 6,
    learningRate: 1e-12,
    earlyStopping: { monitor: "valAccuracy", patience: 2 },
  });
  assert.equal(stalled.history.length, 3);
  assert.equal(stalled.stoppedEarly, true);
});

Deno.test("shouldStop on hand-made histories", () => {
  const h = (vals: number[]) =>
    vals.map((v, i) => ({ valLoss: v, valAccuracy: 1 - v, epoch: i + 1 }) as EpochRecord);
  const rule = { earlyStopping: { monitor: "valLoss" as const, patience: 2 } };
  assert.equal(shouldStop(h([0.5, 0.4, 0.3]), rule), false);
  assert.equal(shouldStop(h([0.5, 0.4, 0.45, 0.41]), rule), true);
  assert.equal(shouldStop(h([0.5, 0.4, 0.45]), rule), false);
  assert.equal(shouldStop(h([0.5, 0.4, 0.45]), {}), false);
});

Deno.test("memory stays flat across epochs: no tensor leaks in training", async () => {
  const counts: number[] = [];
  await fit(buildModel("001-enhanced", 1), "softmax", train, validation, { ...base, epochs: 3 }, {
    onEpochEnd: () => {
      counts.push(tf.memory().numTensors);
    },
  });
  assert.equal(counts[2], counts[1], `tensors after epochs: ${counts.join(", ")}`);
});

Deno.test("bad options are refused with the field named", async () => {
  const model = buildModel("002-ann", 1);
  await assert.rejects(
    fit(model, "softmax", train, null, { ...base, epochs: 0 }),
    /epochs must be a positive integer/,
  );
  await assert.rejects(fit(model, "softmax", train, null, { ...base, batchSize: 1.5 }), /batch size/);
});

Deno.test("under Keras's defaults training reads the logits: loss equals cross-entropy of the scores", () => {
  const model = buildModel("002-ann", 4, "keras");
  const order = Array.from({ length: validation.count }, (_, i) => i);
  const { xs, ys } = batchTensors(validation, order, 0, validation.count);
  const { scores, kind } = lossInputs(model, xs, false, "softmax");
  assert.equal(kind, "logits");
  const probs = model.predict(xs) as tf.Tensor2D;
  assert.ok(
    tf.softmax(scores).sub(probs).abs().max().dataSync()[0] < 1e-6,
    "softmax of the scores is the output",
  );
  const expected = lossFunction("crossEntropy", "logits")(scores, ys as tf.Tensor1D).dataSync()[0];
  const measured = evaluate(model, "softmax", validation, "crossEntropy", 64).loss;
  assert.ok(Math.abs(measured - expected) < 1e-5, `${measured} vs ${expected}`);
  // tfjs's defaults: the model's last layer is the softmax Dense, and the loss sees probabilities.
  assert.equal(lossInputs(buildModel("002-ann", 4), xs, false, "softmax").kind, "softmax");
});

Deno.test({
  name:
    "a training cell interrupted in a real kernel leaves it able to train: the re-run resumes and ends as an uninterrupted run",
  sanitizeResources: false,
  async fn() {
    const { writeKernelspec } = await import("../../lib/tools/headless.ts");
    const { experiment } = await import("../../lib/training/experiments.ts");
    const { runExperiment } = await import("../../lib/training/runs.ts");
    const dir = await Deno.makeTempDir();
    const overrides = { trainLimit: 12000, epochs: 6, seed: 3 };
    try {
      const reference = await runExperiment(experiment("002-model1", "smoke", overrides), {
        dir: `${dir}/reference`,
        quiet: true,
      });
      const jupyter = await writeKernelspec(`${dir}/jupyter`);
      // The import (an await) has its own cell: a cell that has awaited cannot be ended by Interrupt.
      const setup = `const { runExperiment, experiment, initBackend } = await import("../lib/mod.ts");\n` +
        `const tf = await import("@tensorflow/tfjs");\nawait initBackend();`;
      const cell =
        `const r = await runExperiment(experiment("002-model1", "smoke", ${JSON.stringify(overrides)}));\n` +
        "console.log(`accuracy ${r.test.accuracy}`);";
      const other =
        "console.log(`matMul ${tf.matMul(tf.ones([256, 256]), tf.ones([256, 256])).dataSync()[0]}`);";
      const script = `
import json, os, time, jupyter_client
km = jupyter_client.KernelManager(kernel_name="deno")
km.start_kernel(cwd=${JSON.stringify(new URL("../../notebooks", import.meta.url).pathname)})
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=60)
def run(code, interrupt_after=None, timeout=300):
    msg_id = kc.execute(code); t0 = time.time(); sent = None; texts = []; errors = []; displays = []
    while time.time() - t0 < timeout:
        if interrupt_after and sent is None and time.time() - t0 > interrupt_after:
            km.interrupt_kernel(); sent = time.time()
        try:
            m = kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if m["parent_header"].get("msg_id") != msg_id: continue
        if m["msg_type"] == "stream": texts.append(m["content"]["text"])
        if m["msg_type"] in ("display_data", "update_display_data"): displays.append(m["content"]["data"].get("text/plain", ""))
        if m["msg_type"] == "error": errors.append(m["content"]["ename"] + ": " + m["content"]["evalue"])
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return {"texts": "".join(texts), "displays": "\\n".join(displays), "errors": errors, "after_interrupt": None if sent is None else time.time() - sent}
    return {"texts": "".join(texts), "displays": "\\n".join(displays), "errors": errors + ["timeout"], "after_interrupt": None}
run(${JSON.stringify(setup)})
first = run(${JSON.stringify(cell)}, interrupt_after=12)
second = run(${JSON.stringify(cell)})
third = run(${JSON.stringify(other)}, timeout=60)
print(json.dumps({"first": first, "second": second, "third": third}))
kc.stop_channels(); km.shutdown_kernel(now=True)
`;
      const out = await new Deno.Command("/usr/bin/python3", {
        args: ["-c", script],
        env: {
          JUPYTER_PATH: jupyter,
          FMNIST_RUNS_DIR: `${dir}/kernel`,
          FMNIST_PROFILE: "smoke",
          NO_COLOR: "1",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.ok(out.success, new TextDecoder().decode(out.stderr).slice(-500));
      const { first, second, third } = JSON.parse(text.trim().split("\n").at(-1)!);
      assert.ok(!first.texts.includes("accuracy"), "the interrupted run did not finish");
      assert.ok(
        first.after_interrupt !== null && first.after_interrupt < 2.5,
        `idle ${first.after_interrupt} s after`,
      );
      assert.match(
        first.displays,
        /Interrupt keeps epoch \d+|Interrupt now restarts it/,
        "the line says what is kept",
      );
      assert.deepEqual(second.errors, [], "the same kernel trains again");
      assert.match(
        second.displays,
        /resuming after epoch [1-5] of 6/,
        "from the interrupted run's checkpoint",
      );
      assert.deepEqual(third.errors, [], "and runs any other tfjs operation");
      assert.match(third.texts, /matMul 256/);
      assert.match(
        second.texts,
        new RegExp(`accuracy ${reference.test.accuracy}`),
        "it ends as an uninterrupted run",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("recoverEngine finds nothing to repair after an ordinary run, and repairs an abandoned tape", async () => {
  const { recoverEngine } = await import("../../lib/training/fit.ts");
  assert.deepEqual(recoverEngine(), [], "a clean engine, before or after training");
  const engine = tf.engine() as unknown as {
    startScope: (name?: string) => void;
    state: { gradientDepth: number; activeTape: unknown };
  };
  engine.startScope("abandoned");
  engine.state.gradientDepth = 1;
  engine.state.activeTape = [];
  assert.deepEqual(recoverEngine(), ["1 open scope(s)", "a gradient tape left recording"]);
  assert.deepEqual(recoverEngine(), []);
});
