import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend/select.ts";
import { experiment } from "../../lib/training/experiments.ts";
import { loadFashionMnist } from "../../lib/data/fashion_mnist.ts";
import { buildModel, modelSpec } from "../../lib/papers/registry.ts";
import { experimentData } from "../../lib/training/runs.ts";
import { evaluate, fit } from "../../lib/training/fit.ts";
import { TRAINING_VERSION } from "../../lib/training/version.ts";

/**
 * The golden run: tiny trainings that go through everything a run key trusts to stay the same under one
 * TRAINING_VERSION: seeded splits and samples, scaling, shuffling, dropout, the fit loop, two optimizers
 * and the loss. Dense models only, so the pure-JS cpu backend runs them in seconds; the convolution
 * gradients are the backend's business (checked against cpu in backend_test.ts).
 */
const GOLDEN_CONFIGS = [
  experiment("004-ann", "smoke", {
    trainLimit: 256,
    evalLimit: 64,
    batchSize: 32,
    epochs: 3,
    optimizer: "adam",
    learningRate: 1e-3,
    validationFraction: 0.2,
    seed: 7,
  }),
  experiment("002-ann", "smoke", {
    trainLimit: 256,
    evalLimit: 64,
    batchSize: 16,
    epochs: 2,
    optimizer: "rmsprop",
  }),
];

/**
 * Losses of the golden run per training version and backend: every epoch's training and validation loss,
 * then the test loss, for each config. Never edit a version's values: when training changes, bump
 * TRAINING_VERSION (lib/training/version.ts) and add the new version's values here.
 */
const GOLDEN: Record<number, Record<"wasm" | "cpu", number[]>> = {
  1: {
    wasm: [
      2.1304165803469144,
      1.8628257751464843,
      1.6725091989223773,
      1.5503440856933595,
      1.352754152738131,
      1.3057777404785156,
      1.1787991841634116,
      1.7752673956064078,
      1.5811915079752603,
      1.1600947398405808,
      1.385661824544271,
      1.2002933502197266,
    ],
    cpu: [
      2.1304164776435264,
      1.8628257751464843,
      1.6725091659105742,
      1.5503438313802083,
      1.3527541692440326,
      1.305777867635091,
      1.1787991841634116,
      1.7752673937724186,
      1.5811913808186848,
      1.1600947526785044,
      1.385661824544271,
      1.2002936045328776,
    ],
  },
};

async function goldenLosses(backend: "wasm" | "cpu"): Promise<number[]> {
  await initBackend(); // registers wasm and our gradients
  await tf.setBackend(backend);
  const data = await loadFashionMnist();
  const losses: number[] = [];
  for (const config of GOLDEN_CONFIGS) {
    const { train, validation, test } = experimentData(data, config);
    const output = modelSpec(config.model).output;
    const model = buildModel(config.model, config.seed);
    const { history, optimizer } = await fit(model, output, train, validation, {
      ...config,
      earlyStopping: undefined,
      quiet: true,
    });
    losses.push(
      ...history.flatMap((h) => [h.loss, h.valLoss ?? NaN]),
      evaluate(model, output, test, config.loss).loss,
    );
    model.dispose();
    optimizer.dispose();
  }
  return losses;
}

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`golden run on ${backend}: training computes what TRAINING_VERSION ${TRAINING_VERSION} computed`, async () => {
    const measured = await goldenLosses(backend);
    const pinned = GOLDEN[TRAINING_VERSION]?.[backend];
    const hint = `If training was meant to change, bump TRAINING_VERSION in lib/training/version.ts (every ` +
      `stored run then retrains) and pin GOLDEN[${TRAINING_VERSION + 1}].${backend} = ${
        JSON.stringify(measured)
      }`;
    assert.ok(pinned && pinned.length === measured.length, `no golden values for this version. ${hint}`);
    measured.forEach((value, i) => {
      const tolerance = 1e-5 * Math.max(1, Math.abs(pinned[i])); // float noise is ~1e-7; real changes are far above
      assert.ok(
        Math.abs(value - pinned[i]) <= tolerance,
        `loss ${i} is ${value}, pinned ${pinned[i]}: what training computes changed. ${hint}`,
      );
    });
  });
}
