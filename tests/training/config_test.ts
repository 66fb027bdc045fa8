/**
 * Tests for lib/training/config.ts: every probe of a bad config is refused before anything trains, as
 * one line naming the field, the value and what it must be.
 */
import assert from "node:assert/strict";
import { checkConfig, type ExperimentConfig } from "../../lib/training/config.ts";
import { experiment } from "../../lib/training/experiments.ts";
import { UserError } from "../../lib/errors.ts";

const good = experiment("002-ann", "smoke");

function refusal(patch: Record<string, unknown>): string {
  const config = { ...good, ...patch } as unknown as ExperimentConfig;
  try {
    checkConfig(config);
  } catch (error) {
    assert.ok(error instanceof UserError, `not a UserError: ${error}`);
    assert.ok(!error.message.includes("\n"), "one line");
    return error.message;
  }
  assert.fail(`accepted ${JSON.stringify(patch)}`);
}

Deno.test("a good config passes, and so does every paper and quick recipe", () => {
  checkConfig(good);
  checkConfig(experiment("003-enhanced", "paper"));
  checkConfig(experiment("001-basic", "quick"));
});

Deno.test("bad values are refused with the field, the value and what is allowed", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ split: "8020" }, /"split" is "8020": use one of official, 602020, 602020-train$/],
    [{ profile: "turbo" }, /"profile" is "turbo": use one of smoke, quick, paper$/],
    [{ seed: "abc" }, /"seed" is "abc": use a whole number >= 0$/],
    [{ seed: 1.5 }, /"seed" is 1.5/],
    [{ optimizer: "adamw" }, /"optimizer" is "adamw": use one of sgd, adam,/],
    [{ loss: "mse" }, /"loss" is "mse": use one of crossEntropy,/],
    [{ learningRate: -0.1 }, /"learningRate" is -0.1: use a positive number$/],
    [{ learningRate: "0.1" }, /"learningRate" is "0.1"/],
    [{ trainLimit: 0 }, /"trainLimit" is 0: use a positive whole number, or null for all$/],
    [{ trainLimit: -5 }, /"trainLimit" is -5/],
    [{ batchSize: 0 }, /"batchSize" is 0/],
    [{ epochs: 2.5 }, /"epochs" is 2.5/],
    [{ validationFraction: 1 }, /"validationFraction" is 1/],
    [{ model: "toString" }, /"model" is "toString": use a registered model \(.*002-ann, 002-model1,/],
    [{ model: "nope" }, /"model" is "nope"/],
    [{ augmentation: "toString" }, /"augmentation" is "toString": use null or one of band2024$/],
    [
      { earlyStopping: { monitor: "loss", patience: 3 } },
      /"earlyStopping" is \{"monitor":"loss","patience":3\}/,
    ],
    [{ stratify: "yes" }, /"stratify" is "yes": use true or false$/],
  ];
  for (const [patch, expected] of cases) assert.match(refusal(patch), expected, JSON.stringify(patch));
});

Deno.test("missing and unknown fields are refused; several problems are named at once", () => {
  assert.match(refusal({ split: undefined }), /"split" is missing/);
  assert.match(refusal({ colour: "red" }), /^unknown config field "colour" \(the fields are model, split,/);
  const both = refusal({ loss: "mse", epochs: 0 });
  assert.match(both, /"loss" is "mse".*; config field "epochs" is 0/);
});

Deno.test("a config that is not an object is refused in one line", () => {
  for (const value of [null, [], "x", 3]) {
    assert.throws(() => checkConfig(value as unknown as ExperimentConfig), /must be a JSON object/);
  }
});

Deno.test("the run CLI refuses a bad config before training: one error line, exit status 2", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../lib/training/runs.ts", import.meta.url).pathname,
      JSON.stringify({ ...good, split: "8020" }),
    ],
    env: { FMNIST_RUNS_DIR: await Deno.makeTempDir() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 2);
  assert.equal(stderr, 'error: config field "split" is "8020": use one of official, 602020, 602020-train');
});

Deno.test("a framework other than the model's paper's is refused; absent (tfjs's defaults) is valid", () => {
  assert.match(
    refusal({ framework: "pytorch" }),
    /"framework" is "pytorch", but 002-ann comes from a keras paper/,
  );
  assert.match(refusal({ framework: "jax" }), /config field "framework" is "jax"/);
  assert.equal(good.framework, "keras");
  checkConfig({ ...good, framework: undefined });
});
