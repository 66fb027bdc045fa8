import assert from "node:assert/strict";
import { confidenceBins } from "../../lib/analysis/confidence.ts";

/** Assert |actual - expected| <= 1e-12. */
function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: expected ${expected}, got ${actual}`);
}

Deno.test("confidenceBins counts predictions and mistakes per confidence bin, the top edge included", () => {
  const yTrue = [0, 1, 2, 3, 4, 5, 6];
  const predicted = [0, 2, 2, 1, 0, 5, 0];
  const confidence = [0.99, 0.6, 1, 0.9, 0.3, 0.98, 0.7];
  const bins = confidenceBins(yTrue, predicted, confidence, [0, 0.5, 0.9, 1]);
  assert.deepEqual(bins.map((b) => [b.from, b.to, b.count, b.correct, b.mistakes]), [
    [0, 0.5, 1, 0, 1], // 0.3 (wrong)
    [0.5, 0.9, 2, 0, 2], // 0.6, 0.7 (both wrong)
    [0.9, 1, 4, 3, 1], // 0.9 (wrong), 0.98, 0.99 and 1 (right)
  ]);
  close(bins[1].meanConfidence, 0.65, "mean confidence of the middle bin");
  assert.ok(Number.isNaN(confidenceBins([1], [1], [0.2], [0.5, 1])[0].meanConfidence), "empty bin");
  assert.equal(confidenceBins([1], [1], [0.2], [0.5, 1])[0].count, 0, "below the lowest edge: no bin");
  assert.throws(() => confidenceBins([1], [1], [0.5], [0, 0.9, 0.5]), /rise/);
  assert.throws(() => confidenceBins([1], [1], [0.5], [0]), /rise/);
  assert.throws(() => confidenceBins([1, 2], [1], [0.5, 0.5]), RangeError);
});
