import assert from "node:assert/strict";
import { fakeHistory } from "../analysis/fake_runs.ts";
import { bestEpoch, spans } from "../../lib/presentation/fit_views.ts";

const history = fakeHistory;

Deno.test("fit views: the best epoch is the one of lowest validation loss; states read as spans", () => {
  assert.equal(bestEpoch(history([0.5, 0.3, 0.35, 0.4])), 2);
  assert.equal(
    spans(["in between", "in between", "good fit", "overfitting", "overfitting"]),
    "1-2: in between; 3: good fit; 4-5: overfitting",
  );
});
