import assert from "node:assert/strict";
import { PIXELS } from "../../../lib/data/fashion_mnist.ts";
import { percentRange } from "../../../lib/papers/band2024/views.ts";

Deno.test("percentRange: as many decimals as the ends need to differ, one value when they agree", () => {
  assert.equal(percentRange([0.871, 0.99]), "87-99%");
  assert.equal(percentRange([0.9996, 1]), "99.96-100%");
  assert.equal(percentRange([0.5, 0.5]), "50%");
  assert.equal(percentRange([1, 1, 1]), "100%");
  assert.doesNotMatch(percentRange([0.99999, 1]), /^(\d+)-\1%$/, "never '100-100%'");
});

Deno.test("augmentationFigure: each class's image and 8 augmentations of it, the same for the same seed", async () => {
  const { initBackend } = await import("../../../lib/backend/select.ts");
  const { augmentationFigure } = await import("../../../lib/papers/band2024/views.ts");
  await initBackend();
  const count = 20;
  const images = Uint8Array.from({ length: count * PIXELS }, (_, k) => (k * 31) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const svg = augmentationFigure({ images, labels, count }, "band2024", 3);
  assert.equal((svg.match(/<image/g) ?? []).length, 10 * 9);
  assert.equal(augmentationFigure({ images, labels, count }, "band2024", 3), svg);
  assert.notEqual(augmentationFigure({ images, labels, count }, "band2024", 4), svg);
  assert.throws(
    () => augmentationFigure({ images, labels: new Uint8Array(count), count }, "band2024"),
    /every class/,
  );
});
