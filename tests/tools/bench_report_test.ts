import assert from "node:assert/strict";
import { bestTorch, type Row, speedHeadline } from "../../lib/tools/bench_report.ts";
import type { Measurement } from "../../lib/tools/bench_measure.ts";

const row = (
  model: string,
  backend: Row["backend"],
  seconds: number,
  torch: Record<number, number>,
): Row => ({
  model,
  backend,
  threads: 2,
  result: { secondsPerEpoch: seconds } as Measurement,
  torch,
});

Deno.test("bench report: PyTorch's best is the faster thread count; none when PyTorch did not run", () => {
  assert.equal(bestTorch(row("a", "onednn", 1, { 1: 20, 2: 12 })), 12);
  assert.equal(bestTorch(row("a", "onednn", 1, {})), null);
});

Deno.test("bench headline counts the models where our fastest backend is at least as fast as PyTorch", () => {
  const rows = [
    row("fast", "onednn", 9, { 1: 20, 2: 10 }),
    row("fast", "wasm", 30, { 1: 20, 2: 10 }),
    row("tie", "onednn", 10, { 1: 10, 2: 12 }),
    row("slow", "onednn", 15, { 1: 20, 2: 10 }),
    row("slow", "wasm", 40, { 1: 20, 2: 10 }),
  ];
  assert.equal(
    speedHeadline(rows),
    "At least as fast as PyTorch on 2 of 3 models (fastest of our backends, same CPU)",
  );
  assert.match(speedHeadline(rows.map((r) => ({ ...r, torch: {} }))), /^Training speed per model/);
});
