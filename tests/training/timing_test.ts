import assert from "node:assert/strict";
import { timeConfigs, timeRecipes } from "../../lib/training/timing.ts";
import { experiment } from "../../lib/training/experiments.ts";

Deno.test("timeRecipes: one epoch of each recipe per round, scaled to the recipe's full paper epoch (60:20:20 of 70,000: 42,000)", async () => {
  const logged: string[] = [];
  const times = await timeRecipes(["004-tinyvgg-b128", "002-ann"], {
    images: 256,
    rounds: 2,
    log: (m) => logged.push(m),
  });
  assert.deepEqual(times.epochImages, { "004-tinyvgg-b128": 60000, "002-ann": 42000 });
  assert.deepEqual(times.epochs, { "004-tinyvgg-b128": 3, "002-ann": 10 });
  for (const seconds of Object.values(times.epochSeconds)) {
    assert.equal(seconds.length, 2);
    assert.ok(seconds.every((s) => s > 0 && Number.isFinite(s)), `${seconds}`);
  }
  assert.equal(logged.length, 4);
  assert.match(logged[2], /^002-ann: [\d.]+ s per epoch$/, "the second round starts one recipe later");
});

Deno.test("timeRecipes refuses unknown experiments and bad counts before training anything", async () => {
  await assert.rejects(timeRecipes(["nope"]), /unknown experiment\(s\) nope/);
  await assert.rejects(timeRecipes(["002-ann"], { images: 0 }), /images must be a positive integer/);
  await assert.rejects(timeRecipes(["002-ann"], { rounds: 1.5 }), /rounds must be a positive integer/);
});

Deno.test("timeConfigs: any labelled configs, such as one recipe at two batch sizes", async () => {
  const basic = experiment("004-tinyvgg", "paper");
  const times = await timeConfigs({ "batch 32": basic, "batch 128": { ...basic, batchSize: 128 } }, {
    images: 256,
    rounds: 1,
  });
  assert.deepEqual(Object.keys(times.epochSeconds).sort(), ["batch 128", "batch 32"]);
  assert.equal(times.epochImages["batch 128"], 60000);
  await assert.rejects(timeConfigs({}), /nothing to time/);
});
