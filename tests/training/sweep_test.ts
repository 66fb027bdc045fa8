import assert from "node:assert/strict";
import { experiment } from "../../lib/training/experiments.ts";
import { claim, inShard, runSweep } from "../../lib/training/sweep.ts";

Deno.test("claim is exclusive, and a dead process's claim is taken over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await claim(dir, "k1"), true);
    assert.equal(await claim(dir, "k1"), true, "this process holds it already");
    await Deno.writeTextFile(`${dir}/k0.claim`, JSON.stringify({ pid: 1, host: Deno.hostname() }));
    assert.equal(await claim(dir, "k0"), false, "another live process's claim is respected");
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

Deno.test("shards run apart (as a job array would, each with its own store) merge by copying, and train nothing twice", async () => {
  const root = await Deno.makeTempDir();
  try {
    const configs = [1, 2, 3, 4, 5, 6].map((seed) =>
      experiment("002-ann", "smoke", { seed, trainLimit: 200, evalLimit: 100, epochs: 1 })
    );
    const list = `${root}/configs.json`;
    await Deno.writeTextFile(list, JSON.stringify(configs));
    const sweep = new URL("../../lib/training/sweep.ts", import.meta.url).pathname;
    // What each task of `sbatch --array=0-2` (or each `parallel` job) runs: its shard, into its own store.
    await Promise.all([0, 1, 2].map(async (index) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", sweep, list, "--shard", `${index}/3`, "--workers", "1"],
        env: { FMNIST_RUNS_DIR: `${root}/shard-${index}`, CI: "1", FMNIST_WASM_THREADS: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
    }));
    const merged = `${root}/merged`;
    await Deno.mkdir(merged);
    let copied = 0;
    for (const index of [0, 1, 2]) {
      for await (const entry of Deno.readDir(`${root}/shard-${index}`)) {
        await Deno.copyFile(`${root}/shard-${index}/${entry.name}`, `${merged}/${entry.name}`);
        copied++;
      }
    }
    assert.equal(copied, 6, "each config trained in exactly one shard");
    const t0 = performance.now();
    const results = await runSweep(configs, { workers: 1, dir: merged, log: () => {} });
    assert.deepEqual(results.map((r) => r.config.seed), [1, 2, 3, 4, 5, 6]);
    assert.ok(performance.now() - t0 < 30_000, "the merged store answers without training");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
