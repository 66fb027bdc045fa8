import assert from "node:assert/strict";
import { predictionGridFigure } from "../../lib/presentation/charts.ts";

const probabilities = (top: number, p: number) =>
  Array.from({ length: 10 }, (_, k) => (k === top ? p : (1 - p) / 9));

Deno.test("predictionGridFigure: right predictions in green with their confidence, mistakes in red naming the truth", () => {
  const svg = predictionGridFigure([
    { pixels: new Uint8Array(784), label: 6, probabilities: probabilities(0, 0.9) },
    { pixels: new Uint8Array(784).fill(255), label: 1, probabilities: probabilities(1, 0.97) },
  ], "gallery");
  assert.match(svg, /T-shirt\/top 90% \(Shirt\)/);
  assert.match(svg, /Trouser 97%</);
  assert.match(svg, /#e15759/);
  assert.match(svg, /#59a14f/);
  assert.equal((svg.match(/<image/g) ?? []).length, 2);
});
