import assert from "node:assert/strict";
import { claimGroup, evidenceText, scorecardMarkdown, verdictCounts } from "../../lib/analysis/scorecard.ts";
import type { ClaimRecord } from "../../lib/analysis/verdicts.ts";

const record = (
  id: string,
  paper: string,
  verdict: ClaimRecord["verdict"],
  extra: Partial<ClaimRecord> = { runs: 3, settings: "paper" },
): ClaimRecord => ({
  id,
  paper,
  section: "4",
  quote: "q",
  kind: "metric",
  stated: "88.8%",
  measured: "88.2 (range 87.9-88.5, 3 seeds)",
  verdict,
  because: "",
  notebook: "04_three_block_cnn",
  profile: "paper",
  ...extra,
});

Deno.test("scorecard: counts per verdict per paper, every claim listed with its notebook", () => {
  const records = [
    record("000-a", "000", "reproduced"),
    record("000-b", "000", "contradicted"),
    record("002-a", "002", "reproduced"),
  ];
  assert.deepEqual(verdictCounts(records).map((c) => [c.paper, c.counts.reproduced, c.counts.contradicted]), [
    ["000", 1, 1],
    ["002", 1, 0],
  ]);
  const md = scorecardMarkdown(records, "figures/x.png");
  assert.match(md, /\| paper \| claims \| reproduced \| contradicted \|/);
  assert.match(md, /\| all \| 3 \| 2 \| 1 \|/);
  assert.match(
    md,
    /\| 000-b \| 4 \| 88\.8% \| .* \| 3 runs, paper's settings \| contradicted \| \[04_three_block_cnn\]\(notebooks\/04_three_block_cnn\.ipynb\) \|/,
  );
  assert.match(md, /!\[Verdicts per paper\]\(figures\/x\.png\)/);
  assert.equal(md.match(/\*\*Not in the table:\*\* Results the paper cites/g)?.length, 2, "once per paper");
});

Deno.test("scorecard: trained results are counted apart from computed counts and from settings", () => {
  const records = [
    record("000-a", "000", "reproduced"),
    record("000-b", "000", "inconclusive", { runs: 1, settings: "paper" }),
    record("000-c", "000", "reproduced", {}),
    record("000-d", "000", "adopted", {}),
    record("000-e", "000", "inconclusive", {
      runs: 3,
      settings: "quick (reduced: a quarter)",
      agree: { holds: 2, of: 3 },
    }),
  ];
  assert.deepEqual(records.map(claimGroup), [
    "trained results",
    "trained results",
    "counts and facts",
    "settings",
    "trained results",
  ]);
  const md = scorecardMarkdown(records, "figures/x.png");
  assert.match(
    md,
    /\*\*Trained results\*\* \(3 claims\)\n\n\| paper \| claims \| reproduced \| inconclusive \|/,
  );
  assert.match(
    md,
    /\*\*Counts and facts\*\* \(1 claim\)\n\n\| paper \| claims \| reproduced \|\n.*\n\| .* \| 1 \| 1 \|/,
  );
  assert.deepEqual(records.map(evidenceText), [
    "3 runs, paper's settings",
    "1 run, paper's settings",
    "computed",
    "—",
    "3 runs, quick, reduced budget; holds in 2/3",
  ]);
  assert.doesNotMatch(md, /Unmeasurable/, "no table for a group without claims");
});
