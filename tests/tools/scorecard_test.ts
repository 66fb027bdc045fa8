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
import { runKey } from "../../lib/training/store.ts";
import { experiment } from "../../lib/training/experiments.ts";

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

Deno.test("scorecard: a corrupt stored run is named, exits 2, and rewrites neither records nor SCORECARD.md", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const runs = await Deno.makeTempDir();
  const claims = await Deno.makeTempDir();
  try {
    for await (const e of Deno.readDir(`${root}data/runs`)) {
      if (e.name.endsWith(".json")) await Deno.copyFile(`${root}data/runs/${e.name}`, `${runs}/${e.name}`);
    }
    for await (const e of Deno.readDir(`${root}data/claims`)) {
      if (e.name.endsWith(".paper.json")) {
        await Deno.copyFile(`${root}data/claims/${e.name}`, `${claims}/${e.name}`);
      }
    }
    // The run the scorecard reads (under the defaults the paper uses now), not another of the same seed.
    const victim = `${runKey(experiment("002-ann", "paper", { seed: 2 }), "wasm").key}.json`;
    const text = await Deno.readTextFile(`${runs}/${victim}`);
    await Deno.writeTextFile(`${runs}/${victim}`, text.slice(0, text.length / 2)); // truncated
    const before = await Deno.readTextFile(`${claims}/02_ann_baseline.paper.json`);
    const scorecard = await Deno.readTextFile(SCORECARD_PATH);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}lib/tools/scorecard.ts`],
      env: { FMNIST_RUNS_DIR: runs, FMNIST_CLAIMS_DIR: claims },
      stdout: "piped",
      stderr: "piped",
    }).output();
    // deno-lint-ignore no-control-regex
    const stderr = new TextDecoder().decode(output.stderr).replace(/\x1b\[[0-9;]*m/g, "").trim();
    assert.equal(output.code, 2, stderr);
    assert.match(
      stderr,
      new RegExp(
        `^error: stored run .*${victim.replaceAll(".", "\\.")} \\(002-ann, paper, seed 2\\) is corrupt`,
      ),
    );
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.equal(
      await Deno.readTextFile(`${claims}/02_ann_baseline.paper.json`),
      before,
      "a record was rewritten",
    );
    assert.equal(await Deno.readTextFile(SCORECARD_PATH), scorecard, "SCORECARD.md was rewritten");
  } finally {
    await Deno.remove(runs, { recursive: true });
    await Deno.remove(claims, { recursive: true });
  }
});
