import assert from "node:assert/strict";
import { loadTorchRuns, permutationTest, summarize } from "../../lib/analysis/cross_framework.ts";

Deno.test("cross-framework: runs at chance are counted apart from the spread of those that learned", () => {
  const s = summarize([88, 10, 87, 89, 10.2]);
  assert.deepEqual([s.runs, s.atChance, s.mean, s.min, s.max], [5, 2, 88, 87, 89]);
  assert.ok(Math.abs(s.sd - 1) < 1e-12);
});

Deno.test("cross-framework: the exact permutation test counts every relabelling", () => {
  // pooled 1,2,3,4: of the 6 ways to pick two, {1,2} and {3,4} differ by 2 in the mean: p = 2/6.
  const t = permutationTest([1, 2], [3, 4]);
  assert.equal(t.difference, -2);
  assert.ok(Math.abs(t.p - 1 / 3) < 1e-12);
  assert.equal(permutationTest([5, 5, 5], [5, 5, 5]).p, 1);
  const apart = permutationTest([1, 2, 3, 4, 5], [11, 12, 13, 14, 15]);
  assert.ok(Math.abs(apart.p - 2 / 252) < 1e-12, "only the observed split and its mirror are as extreme");
  assert.throws(() => permutationTest([1], [2, 3]), /at least two values a side/);
  assert.throws(() => permutationTest([1, NaN], [2, 3]), /finite values/);
  const big = Array.from({ length: 15 }, (_, i) => i);
  assert.throws(() => permutationTest(big, big), /too many for an exact test/);
});

Deno.test("cross-framework: missing PyTorch runs are a one-line error with the fix", async () => {
  await assert.rejects(
    () => loadTorchRuns("no-such-experiment"),
    /Fix: deno run -A lib\/tools\/cross_framework\.ts/,
  );
});
