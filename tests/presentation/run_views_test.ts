import assert from "node:assert/strict";
import { percentRange } from "../../lib/presentation/run_views.ts";

Deno.test("percentRange: as many decimals as the ends need to differ, one value when they agree", () => {
  assert.equal(percentRange([0.871, 0.99]), "87-99%");
  assert.equal(percentRange([0.9996, 1]), "99.96-100%");
  assert.equal(percentRange([0.5, 0.5]), "50%");
  assert.equal(percentRange([1, 1, 1]), "100%");
  assert.doesNotMatch(percentRange([0.99999, 1]), /^(\d+)-\1%$/, "never '100-100%'");
});
