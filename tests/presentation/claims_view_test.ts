import assert from "node:assert/strict";
import { notebookClaims } from "../../lib/presentation/claims_view.ts";
import { noteRunStored } from "../../lib/training/store.ts";

Deno.test("claims view: judged once, and judged again after this process stores a run", async () => {
  const dir = await Deno.makeTempDir();
  Deno.env.set("FMNIST_CLAIMS_DIR", dir);
  try {
    const first = notebookClaims("02_ann_baseline", "paper");
    assert.equal(notebookClaims("02_ann_baseline", "paper"), first, "cached while nothing new is stored");
    const records = await first;
    assert.ok(records.length > 10 && records.every((r) => r.profile === "paper"));
    noteRunStored();
    const again = notebookClaims("02_ann_baseline", "paper");
    assert.notEqual(again, first, "a run stored since: judged again");
    assert.deepEqual((await again).map((r) => r.verdict), records.map((r) => r.verdict));
  } finally {
    Deno.env.delete("FMNIST_CLAIMS_DIR");
    await Deno.remove(dir, { recursive: true });
  }
});
