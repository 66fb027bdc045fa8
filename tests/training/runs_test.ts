import assert from "node:assert/strict";
import { experiment } from "../../lib/training/experiments.ts";
import {
  loadCheckpoint,
  loadResult,
  modelTopology,
  removeCheckpoint,
  runKey,
  type RunResult,
  saveCheckpoint,
  SHOWN_FIRST,
  shownProbabilities,
  stableStringify,
  testPredictions,
} from "../../lib/training/store.ts";
import { lossPerBatch, runExperiment } from "../../lib/training/runs.ts";
import { initBackend } from "../../lib/backend/select.ts";
import { buildModel } from "../../lib/papers/registry.ts";
import { makeOptimizer } from "../../lib/training/losses.ts";
import type { EpochRecord } from "../../lib/training/fit.ts";

const backend = (await initBackend()).name;
const quiet = { quiet: true, log: () => {} };
/** A small, fast config: Abdul Aziz & Sayed's CNN on 1,500 training images for 3 epochs. */
const config = experiment("000-three-block", "smoke", { epochs: 3, trainLimit: 1500, evalLimit: 300 });

Deno.test("stableStringify sorts keys, so equal configs get equal keys", async () => {
  assert.equal(stableStringify({ b: 1, a: [2, { d: 3, c: 4 }] }), '{"a":[2,{"c":4,"d":3}],"b":1}');
  const { key } = await runKey(config, backend);
  assert.equal((await runKey({ ...config }, backend)).key, key);
  assert.notEqual((await runKey({ ...config, seed: 2 }, backend)).key, key);
  assert.notEqual((await runKey(config, "cpu")).key, key);
  assert.match(key, /^000-three-block\.smoke\.s1\.[0-9a-f]{16}$/);
});

Deno.test("a run is stored on a miss and loaded on a hit in well under a second", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await runExperiment(config, { dir, ...quiet });
    assert.equal(first.history.length, 3);
    assert.equal(first.backend, backend, "keyed by the tfjs backend");
    assert.equal(first.backendChoice, (await initBackend()).choice, "records the path that trained it");
    assert.equal(first.test.count, 300);
    assert.equal(first.test.confusion.flat().reduce((a, b) => a + b, 0), 300);
    const { labels, predicted, confidence } = testPredictions(first);
    assert.equal(labels.length, 300);
    const correct = predicted.filter((p, i) => p === labels[i]).length;
    assert.equal(correct / 300, first.test.accuracy);
    assert.ok(confidence.every((c) => c >= 0.1 && c <= 1));
    // the full probabilities of the first images and of the most confident mistakes are kept
    const kept = shownProbabilities(first);
    assert.ok(kept.has(0) && kept.size >= SHOWN_FIRST, `${kept.size} kept`);
    for (const [i, p] of kept) {
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4, `image ${i}: probabilities sum to 1`);
      assert.equal(p.indexOf(Math.max(...p)), predicted[i], `image ${i}: the top class is the prediction`);
    }
    const mistakes = [...kept.keys()].filter((i) => i >= SHOWN_FIRST);
    assert.ok(mistakes.every((i) => predicted[i] !== labels[i]), "beyond the first images, only mistakes");
    const t0 = performance.now();
    const again = await runExperiment(config, { dir, ...quiet });
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `cache hit took ${ms} ms`);
    assert.deepEqual(again, first);
    const files = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    assert.deepEqual(files, [`${first.key}.json`], "no checkpoint or temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a corrupt or foreign entry is detected and retrained, never used", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const small = { ...config, epochs: 1 };
    const good = await runExperiment(small, { dir, ...quiet });
    const path = `${dir}/${good.key}.json`;
    const text = await Deno.readTextFile(path);
    const messages: string[] = [];
    // 1. a changed number: the checksum no longer matches
    await Deno.writeTextFile(path, text.replace(`"accuracy":${good.test.accuracy}`, `"accuracy":0.999`));
    assert.equal(await loadResult(good.key, dir, (m) => messages.push(m)), null);
    assert.match(messages[0], /corrupt \(checksum mismatch\)/);
    const retrained = await runExperiment(small, { dir, ...quiet });
    assert.equal(retrained.test.accuracy, good.test.accuracy);
    // 2. a truncated file
    await Deno.writeTextFile(path, text.slice(0, 100));
    assert.equal(await loadResult(good.key, dir, (m) => messages.push(m)), null);
    // 3. another run's result under this key (stale)
    const other = JSON.parse(text);
    other.key = "something-else";
    await Deno.writeTextFile(path, JSON.stringify(other));
    assert.equal(await loadResult(good.key, dir, (m) => messages.push(m)), null);
    assert.match(messages.at(-1)!, /another key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a killed run resumes from its last completed epoch and ends exactly like an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir();
  const reference = await Deno.makeTempDir();
  try {
    const { key } = await runKey(config, backend);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../lib/training/runs.ts", import.meta.url).pathname,
        JSON.stringify(config),
      ],
      env: { FMNIST_RUNS_DIR: dir, CI: "1" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Kill it as soon as its first checkpoint exists.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const exists = await Deno.stat(`${dir}/${key}.ckpt.json`).then(() => true, () => false);
      if (exists) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await child.status;
    const state = JSON.parse(await Deno.readTextFile(`${dir}/${key}.ckpt.json`));
    assert.ok(
      state.history.length >= 1 && state.history.length < 3,
      `killed after ${state.history.length} epochs`,
    );
    assert.equal(await Deno.stat(`${dir}/${key}.json`).then(() => true, () => false), false, "no result yet");

    const resumed = await runExperiment(config, { dir, ...quiet });
    assert.equal(resumed.resumedFromEpoch, state.history.length);
    const straight = await runExperiment(config, { dir: reference, ...quiet });
    assert.equal(straight.resumedFromEpoch, 0);
    const curve = (r: typeof resumed) => r.history.map((h) => [h.loss, h.accuracy, h.valLoss, h.valAccuracy]);
    assert.deepEqual(curve(resumed), curve(straight));
    assert.equal(resumed.test.loss, straight.test.loss);
    assert.equal(resumed.test.predicted, straight.test.predicted);
    assert.equal(resumed.test.confidence, straight.test.confidence);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(reference, { recursive: true });
  }
});

Deno.test("configs that cannot run are refused before training", async () => {
  await assert.rejects(
    runExperiment({ ...config, model: "nope" }, quiet),
    /"model" is "nope": use a registered/,
  );
  await assert.rejects(
    runExperiment({ ...config, batchSize: 0 }, quiet),
    /"batchSize" is 0: use a positive whole number/,
  );
  await assert.rejects(
    runExperiment({ ...config, augmentation: "flips" }, quiet),
    /"augmentation" is "flips"/,
  );
});

Deno.test("every run stored in data/runs is found under the key its config gives today (nothing retrains)", async () => {
  const dir = new URL("../../data/runs/", import.meta.url).pathname;
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name)
    .filter((n) => n.endsWith(".json") && !n.includes(".ckpt."));
  assert.ok(names.length >= 24, `only ${names.length} stored runs`);
  for (const name of names) {
    const stored = JSON.parse(await Deno.readTextFile(`${dir}${name}`)) as RunResult;
    const { key } = runKey(stored.config, stored.backend);
    assert.equal(`${key}.json`, name, `${name} would not be found: its config now gives ${key}`);
    assert.ok(await loadResult(key, dir, () => {}), `${name} does not verify`);
  }
});

Deno.test("run keys ignore source code but follow the config, the layers, the backend and the training version", () => {
  const { key } = runKey(config, backend);
  assert.equal(runKey(structuredClone(config), backend).key, key);
  assert.notEqual(runKey({ ...config, learningRate: 2e-3 }, backend).key, key);
  assert.notEqual(
    runKey({ ...config, model: "002-ann" }, backend).key.split(".").at(-1),
    key.split(".").at(-1),
  );
  assert.equal(modelTopology("002-model1"), modelTopology("002-model2"), "Model 2 is Model 1: same layers");
  assert.notEqual(modelTopology("002-model1"), modelTopology("002-model2-stride2"));
});

Deno.test("lossPerBatch: NLLLoss fed raw scores falls below zero and overflows; cross-entropy starts at ln 10", async () => {
  const nll = await lossPerBatch("004-tinyvgg-nll", 20);
  assert.equal(nll.length, 20);
  const negative = nll.findIndex((l) => l < 0), nan = nll.findIndex((l) => Number.isNaN(l));
  assert.ok(negative > 0 && nan > negative, `below zero at ${negative}, NaN at ${nan}: ${nll}`);
  assert.ok(Math.min(...nll.filter(Number.isFinite)) < -100, "unbounded below before it overflows");
  const ce = await lossPerBatch("004-tinyvgg", 5);
  assert.ok(ce.every((l) => Math.abs(l - Math.log(10)) < 0.1), `${ce}`);
  await assert.rejects(lossPerBatch("004-tinyvgg", 0), /batches must be a positive integer/);
});

Deno.test("a kill between a checkpoint's two writes resumes from the previous epoch, not from scratch", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { key } = runKey(config, backend);
    const model = buildModel(config.model, config.seed);
    const optimizer = makeOptimizer(config.optimizer, config.learningRate);
    const epoch = (n: number) => ({ epoch: n, loss: 1 / n }) as unknown as EpochRecord;
    await saveCheckpoint(dir, key, config, model, optimizer, [epoch(1)]);
    const names = async () => (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(await names(), [`${key}.ckpt.e1.bin`, `${key}.ckpt.json`]);
    // The next epoch's weights reach the disk, then the process dies before the manifest is replaced.
    await Deno.writeFile(`${dir}/${key}.ckpt.e2.bin`, new Uint8Array(64).fill(7));
    const resumed = await loadCheckpoint(dir, key, config, () => {});
    assert.ok(resumed, "the epoch-1 checkpoint is still whole");
    assert.equal(resumed.history.length, 1);
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(resumed.model.getWeights().map((w) => Array.from(w.dataSync())), weights);
    // A whole save replaces both and leaves one weights file; removing leaves nothing.
    await saveCheckpoint(dir, key, config, model, optimizer, [epoch(1), epoch(2)]);
    assert.deepEqual(await names(), [`${key}.ckpt.e2.bin`, `${key}.ckpt.json`]);
    assert.equal((await loadCheckpoint(dir, key, config, () => {}))?.history.length, 2);
    await removeCheckpoint(dir, key);
    assert.deepEqual(await names(), []);
    resumed.model.dispose();
    model.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
