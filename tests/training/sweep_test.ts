import assert from "node:assert/strict";
import { experiment } from "../../lib/training/experiments.ts";
import { claim, inShard, runSweep } from "../../lib/training/sweep.ts";

Deno.test("claim is exclusive, and a dead process's claim is taken over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await claim(dir, "k1"), true);
    assert.equal(await claim(dir, "k1"), false);
    await Deno.writeTextFile(
      `${dir}/k2.claim`,
      JSON.stringify({ pid: 2 ** 22 + 12345, host: Deno.hostname() }),
    );
    assert.equal(await claim(dir, "k2"), true, "no such pid: the claim is stale");
    await Deno.writeTextFile(`${dir}/k3.claim`, JSON.stringify({ pid: 1, host: "another-machine" }));
    assert.equal(await claim(dir, "k3"), false, "another host's claim is respected");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shards partition the keys: each key in exactly one of n shards", () => {
  const keys = Array.from({ length: 200 }, (_, i) => `model.quick.s${i}.abc`);
  for (const key of keys) {
    assert.equal([0, 1, 2].filter((index) => inShard(key, { index, count: 3 })).length, 1);
  }
  const sizes = [0, 1, 2].map((index) => keys.filter((k) => inShard(k, { index, count: 3 })).length);
  assert.ok(sizes.every((n) => n > 40), `shard sizes ${sizes}`);
});

Deno.test("a sweep over two workers stores every config once and leaves no claims", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const configs = [1, 2, 3, 4].map((seed) =>
      experiment("002-ann", "smoke", { seed, trainLimit: 300, evalLimit: 100, epochs: 1 })
    );
    const results = await runSweep(configs, { workers: 2, dir, log: () => {} });
    assert.deepEqual(results.map((r) => r.config.seed), [1, 2, 3, 4]);
    const files = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.equal(files.length, 4);
    assert.ok(files.every((f) => f.endsWith(".json")), files.join(", "));
    // A second sweep finds everything stored and trains nothing.
    const again = await runSweep(configs, { workers: 2, dir, log: () => {} });
    assert.deepEqual(again.map((r) => r.createdAt), results.map((r) => r.createdAt));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
