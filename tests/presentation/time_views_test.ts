import assert from "node:assert/strict";
import { runSeconds, showTrainingSpeed } from "../../lib/presentation/time_views.ts";
import { experiment } from "../../lib/training/experiments.ts";
import { measureTimes } from "../../lib/analysis/measurements.ts";

Deno.test("time views: a speed comparison is measured once, stored, and read back unchanged", async () => {
  const dir = await Deno.makeTempDir();
  const saved = ["FMNIST_MEASUREMENTS_DIR", "FMNIST_PROFILE"].map((k) => [k, Deno.env.get(k)] as const);
  Deno.env.set("FMNIST_MEASUREMENTS_DIR", dir);
  Deno.env.set("FMNIST_PROFILE", "smoke");
  try {
    const basic = experiment("004-tinyvgg", "paper");
    const configs = { "batch 32": basic, "batch 128": { ...basic, batchSize: 128 } };
    await showTrainingSpeed(await measureTimes("speed", configs), configs);
    const file = `${dir}/speed.json`;
    const [text, { mtime }] = [await Deno.readTextFile(file), await Deno.stat(file)];
    const first = JSON.parse(text).value;
    assert.deepEqual(Object.keys(first.epochSeconds), ["batch 32", "batch 128"]);
    const again = await measureTimes("speed", configs);
    assert.equal(again.fresh, false);
    await showTrainingSpeed(again, configs);
    assert.equal(await Deno.readTextFile(file), text, "the second call reads the store");
    assert.deepEqual((await Deno.stat(file)).mtime, mtime, "and writes nothing");
    assert.equal(runSeconds(first, "batch 32"), first.epochSeconds["batch 32"][0] * 3);
    assert.throws(() => runSeconds(first, "batch 8"), /no idle timing of batch 8/);
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    await Deno.remove(dir, { recursive: true });
  }
});
