import assert from "node:assert/strict";
import { runTorch, torchEnvironment, torchVersion } from "../../lib/tools/bench_torch.ts";
import { MODELS } from "../../lib/papers/registry.ts";

const hasTorch = (await torchVersion()) !== null;

Deno.test({
  name:
    "PyTorch reference: every registered model, built from our layer list, has our trainable parameter count",
  ignore: !hasTorch, // optional dependency: the bench runs without it
  async fn() {
    const protocol = { warmupBatches: 0, batches: 1, inferWarmup: 0, inferBatches: 0, profileBatches: 0 };
    const models = Object.keys(MODELS);
    const result = await runTorch(models, protocol);
    assert.equal(result.error, undefined);
    for (const model of models) {
      assert.equal(result.params.get(model), MODELS[model].counts.trainable, model);
      assert.ok((result.seconds.get(model) ?? 0) > 0, model);
    }
  },
});

Deno.test("PyTorch reference: without Python or PyTorch the bench says how to install it instead of failing", async () => {
  const protocol = { warmupBatches: 0, batches: 1, inferWarmup: 0, inferBatches: 0, profileBatches: 0 };
  const result = await runTorch(["002-ann"], protocol, 1, "/nonexistent/python3");
  assert.equal(result.seconds.size, 0);
  assert.match(result.error ?? "", /Fix: sudo apt-get install python3-torch/);
});

Deno.test("PyTorch reference: timed without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which slow a current OpenBLAS", () => {
  Deno.env.set("OPENBLAS_CORETYPE", "haswell");
  Deno.env.set("OPENBLAS_L2_SIZE", "1048576");
  try {
    const env = torchEnvironment();
    assert.equal(env.OPENBLAS_CORETYPE, undefined);
    assert.equal(env.OPENBLAS_L2_SIZE, undefined);
    assert.equal(env.PATH, Deno.env.get("PATH"), "the rest of the environment is kept");
  } finally {
    Deno.env.delete("OPENBLAS_CORETYPE");
    Deno.env.delete("OPENBLAS_L2_SIZE");
  }
});
