import assert from "node:assert/strict";
import { scorecardMarkdown, verdictCounts } from "../../lib/analysis/scorecard.ts";
import type { ClaimRecord } from "../../lib/analysis/verdicts.ts";

const record = (id: string, paper: string, verdict: ClaimRecord["verdict"]): ClaimRecord => ({
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
    /\| 000-b \| 4 \| 88\.8% \| .* \| contradicted \| \[04_three_block_cnn\]\(notebooks\/04_three_block_cnn\.ipynb\) \|/,
  );
  assert.match(md, /!\[Verdicts per paper\]\(figures\/x\.png\)/);
  assert.equal(md.match(/\*\*Not in the table:\*\* Results the paper cites/g)?.length, 2, "once per paper");
});
