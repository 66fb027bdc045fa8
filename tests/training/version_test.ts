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
const GOLDEN_CONFIGS = [ // tfjs's defaults (no framework), as pinned
  experiment("004-ann", "smoke", {
    trainLimit: 256,
    evalLimit: 64,
    batchSize: 32,
    epochs: 3,
    optimizer: "adam",
    learningRate: 1e-3,
    validationFraction: 0.2,
    seed: 7,
    framework: undefined,
  }),
  experiment("002-ann", "smoke", {
    trainLimit: 256,
    evalLimit: 64,
    batchSize: 16,
    epochs: 2,
    optimizer: "rmsprop",
    framework: undefined,
  }),
];

/** The same trainings under their papers' frameworks' defaults (initialisation, loss, optimizer), as runs now train. */
const FRAMEWORK_CONFIGS = GOLDEN_CONFIGS.map((config) => ({
  ...config,
  framework: modelSpec(config.model).framework,
}));

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

/** {@link GOLDEN} for {@link FRAMEWORK_CONFIGS}: pinned when the papers' framework defaults came in. */
const GOLDEN_FRAMEWORK: Record<number, Record<"wasm" | "cpu", number[]>> = {
  1: {
    wasm: [
      2.130368705896231,
      1.8621079762776693,
      1.6680341720581056,
      1.541767374674479,
      1.3484154334435097,
      1.3015801747639975,
      1.1753655751546224,
      1.7708945696170513,
      1.8466431935628256,
      1.0899880152482253,
      1.6030288696289063,
      1.3180768330891928,
    ],
    cpu: [
      2.1303687792557935,
      1.8621081034342448,
      1.6680340840266301,
      1.541767374674479,
      1.348415418771597,
      1.301580301920573,
      1.1753655751546224,
      1.7708945421072153,
      1.84664306640625,
      1.089988033588116,
      1.6030287424723306,
      1.3180769602457683,
    ],
  },
};

async function goldenLosses(backend: "wasm" | "cpu", configs: typeof GOLDEN_CONFIGS): Promise<number[]> {
  await initBackend(); // registers wasm and our gradients
  await tf.setBackend(backend);
  const data = await loadFashionMnist();
  const losses: number[] = [];
  for (const config of configs) {
    const { train, validation, test } = experimentData(data, config);
    const output = modelSpec(config.model).output;
    const model = buildModel(config.model, config.seed, config.framework);
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

const GOLDEN_SETS = [
  { label: "tfjs's defaults", configs: GOLDEN_CONFIGS, golden: GOLDEN, name: "GOLDEN" },
  {
    label: "framework defaults",
    configs: FRAMEWORK_CONFIGS,
    golden: GOLDEN_FRAMEWORK,
    name: "GOLDEN_FRAMEWORK",
  },
];

for (const backend of ["wasm", "cpu"] as const) {
  for (const { label, configs, golden, name } of GOLDEN_SETS) {
    Deno.test(`golden run on ${backend}, ${label}: training computes what TRAINING_VERSION ${TRAINING_VERSION} computed`, async () => {
      const measured = await goldenLosses(backend, configs);
      const pinned = golden[TRAINING_VERSION]?.[backend];
      const hint =
        `If training was meant to change, bump TRAINING_VERSION in lib/training/version.ts (every ` +
        `stored run then retrains) and pin ${name}[${TRAINING_VERSION + 1}].${backend} = ${
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
}
