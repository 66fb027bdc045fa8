/**
 * The scorecard stays true to the repository: SCORECARD.md is what the stored paper records generate,
 * every catalogue claim has a record, and the records are what the rulebook gives from the stored runs
 * and the catalogue as they are now (a catalogue edit or a new run without `deno task scorecard` fails).
 */
import assert from "node:assert/strict";
import { SCORECARD_FIGURE, SCORECARD_PATH } from "../../lib/tools/scorecard.ts";
import { claimNotebooks, judgeNotebook, loadRecords } from "../../lib/analysis/verdicts.ts";
import { scorecardMarkdown } from "../../lib/analysis/scorecard.ts";
import { CATALOGUES } from "../../lib/analysis/catalogue.ts";

const FIX = "regenerate with `deno task scorecard`";

Deno.test("scorecard: SCORECARD.md is exactly what the stored paper records generate", async () => {
  const records = await loadRecords("paper");
  const expected = scorecardMarkdown(records, `figures/${SCORECARD_FIGURE}.png`);
  assert.ok(expected === await Deno.readTextFile(SCORECARD_PATH), `SCORECARD.md is stale: ${FIX}`);
  await Deno.stat(new URL(`../../figures/${SCORECARD_FIGURE}.png`, import.meta.url));
});

Deno.test("scorecard: every catalogue claim has exactly one paper record, and no record is orphaned", async () => {
  const records = await loadRecords("paper");
  const recorded = records.map((r) => r.id);
  const catalogued = Object.values(CATALOGUES).flatMap((c) => c.claims.map((claim) => claim.id));
  assert.deepEqual(recorded.filter((id) => !catalogued.includes(id)), [], `records without a claim: ${FIX}`);
  assert.deepEqual(catalogued.filter((id) => !recorded.includes(id)), [], `claims without a record: ${FIX}`);
  assert.equal(new Set(recorded).size, recorded.length, "a claim recorded twice");
  assert.ok(records.every((r) => r.profile === "paper"));
});

Deno.test("scorecard: the stored records are what the rulebook gives from the stored runs now", async () => {
  const stored = await loadRecords("paper");
  for (const notebook of claimNotebooks()) {
    const fresh = await judgeNotebook(notebook, "paper");
    const old = stored.filter((r) => r.notebook === notebook);
    const differ = fresh.filter((r, i) => JSON.stringify(r) !== JSON.stringify(old[i])).map((r) => r.id);
    assert.deepEqual(differ, [], `${notebook}: records out of date: ${FIX}`);
  }
});
