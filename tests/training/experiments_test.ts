import assert from "node:assert/strict";
import { experiment, SMOKE_LIMITS } from "../../lib/training/experiments.ts";
import { PAPER_LIST, paperOfExperiment, RECIPES } from "../../lib/papers/registry.ts";
import { MODELS } from "../../lib/papers/registry.ts";
import { checkConfig } from "../../lib/training/config.ts";

Deno.test("paper profile uses each paper's own split, batch size, optimizer and epochs", () => {
  const p001 = experiment("001-enhanced", "paper");
  assert.deepEqual([p001.split, p001.validationFraction, p001.batchSize, p001.epochs], [
    "official",
    0.2,
    512,
    100,
  ]);
  const p004 = experiment("004-tinyvgg", "paper");
  assert.deepEqual([p004.optimizer, p004.learningRate, p004.batchSize, p004.epochs], ["sgd", 0.1, 32, 3]);
  const p000 = experiment("000-three-block", "paper");
  assert.deepEqual([p000.optimizer, p000.learningRate, p000.epochs], ["adam", 1e-3, 10]);
  assert.equal(experiment("002-model3", "paper").split, "602020");
  assert.equal(p001.trainLimit, null);
});

Deno.test("quick trims epochs or training images only; smoke runs one epoch on small stratified slices", () => {
  for (const name of Object.keys(RECIPES)) {
    const paper = experiment(name, "paper");
    const quick = experiment(name, "quick");
    const smoke = experiment(name, "smoke");
    assert.ok(quick.epochs <= paper.epochs, name);
    const trimmed = { epochs: 0, trainLimit: null, profile: "x" };
    assert.deepEqual({ ...quick, ...trimmed }, { ...paper, ...trimmed }, name);
    assert.ok(quick.trainLimit === null || quick.trainLimit < 60000, name);
    assert.equal(smoke.epochs, 1);
    assert.deepEqual([smoke.trainLimit, smoke.evalLimit, smoke.stratify], [
      SMOKE_LIMITS.train,
      SMOKE_LIMITS.eval,
      true,
    ]);
    assert.ok(MODELS[paper.model], `${name} trains a registered model`);
    checkConfig(paper);
  }
});

Deno.test("a named variant is its recipe with one setting changed: the same config, so the same stored run", () => {
  assert.deepEqual(
    experiment("004-tinyvgg-adam", "paper"),
    experiment("004-tinyvgg", "paper", { optimizer: "adam" }),
  );
  assert.deepEqual(
    experiment("004-tinyvgg-avgpool", "paper", { seed: 3 }),
    experiment("004-tinyvgg", "paper", { model: "004-tinyvgg-avgpool", seed: 3 }),
  );
  assert.equal(experiment("004-tinyvgg-e21", "quick").epochs, 21);
  assert.equal(experiment("004-tinyvgg-e21", "quick").trainLimit, 10000);
});

Deno.test("overrides apply, and unknown experiments are refused with the known names", () => {
  assert.equal(experiment("002-ann", "quick", { seed: 7 }).seed, 7);
  assert.throws(() => experiment("nope", "quick"), /unknown experiment "nope". Known: .*002-ann, 002-model1/);
  assert.throws(() => experiment("toString", "quick"), /unknown experiment "toString"/);
});

Deno.test("each paper's experiments use its framework's defaults once its runs are retrained; FMNIST_DEFAULTS overrides", () => {
  const before = Deno.env.get("FMNIST_DEFAULTS");
  try {
    Deno.env.delete("FMNIST_DEFAULTS");
    for (const p of PAPER_LIST) {
      const name = p.recipes[0].name ?? p.recipes[0].model;
      assert.equal(paperOfExperiment(name), p);
      const expected = p.defaults === "tfjs" ? undefined : p.framework;
      assert.equal(
        experiment(name, "paper").framework,
        expected,
        `${name}: defaults ${p.defaults ?? "framework"}`,
      );
    }
    assert.equal(experiment("002-ann", "paper").framework, "keras");
    Deno.env.set("FMNIST_DEFAULTS", "tfjs");
    assert.equal(experiment("002-ann", "paper").framework, undefined);
    Deno.env.set("FMNIST_DEFAULTS", "framework");
    assert.equal(experiment("001-basic", "paper").framework, "keras");
    assert.equal(experiment("004-tinyvgg-adam", "quick").framework, "pytorch");
    Deno.env.set("FMNIST_DEFAULTS", "keras");
    assert.throws(
      () => experiment("001-basic", "paper"),
      /FMNIST_DEFAULTS is "keras". Fix: set it to framework or tfjs/,
    );
  } finally {
    if (before === undefined) Deno.env.delete("FMNIST_DEFAULTS");
    else Deno.env.set("FMNIST_DEFAULTS", before);
  }
});
