import assert from "node:assert/strict";
import { trainTorchTwin } from "../../lib/tools/cross_framework.ts";
import { torchVersion } from "../../lib/tools/bench_torch.ts";
import type { TorchRuns } from "../../lib/analysis/cross_framework.ts";

const hasTorch = (await torchVersion()) !== null;

Deno.test({
  name: "PyTorch twin: trains the paper's recipe on real images, per seed, deterministically, and stores it",
  ignore: !hasTorch, // optional dependency, like the bench
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const limit = { train: 640, test: 200 };
      const stored = await trainTorchTwin("004-tinyvgg", [1, 2, 1], { limit, path: `${dir}/runs.json` });
      const saved = JSON.parse(await Deno.readTextFile(`${dir}/runs.json`)) as TorchRuns;
      assert.deepEqual(saved.runs.map((r) => r.seed), [1, 2, 1]);
      assert.deepEqual(saved.recipe, {
        optimizer: "sgd",
        learningRate: 0.1,
        batchSize: 32,
        epochs: 3,
        trainImages: 640,
      });
      assert.equal(stored.runs[0].history.length, 3);
      assert.deepEqual(stored.runs[0].test, stored.runs[2].test, "same seed, same run");
      assert.notDeepEqual(stored.runs[0].test, stored.runs[1].test);
      assert.ok(stored.runs.every((r) => r.test.accuracy > 0 && r.test.accuracy <= 1));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("PyTorch twin: a recipe it cannot run is refused before anything trains", async () => {
  await assert.rejects(() => trainTorchTwin("003-enhanced", [1]), /official split, without augmentation/);
});
