/**
 * Regenerate the scorecard: judge every notebook's claims from the stored `paper` runs (training
 * nothing), rewrite `data/claims/<notebook>.paper.json`, then `SCORECARD.md` and its figure, and README's
 * generated sections (papers, experiments, claim counts, rulebook).
 *
 * ```sh
 * deno task scorecard
 * ```
 *
 * @module
 */
import { main } from "../errors.ts";
import { REPO_ROOT } from "../training/profile.ts";
import { claimNotebooks, judgeNotebook, loadRecords, recordNotebookClaims } from "../analysis/verdicts.ts";
import { scorecardMarkdown } from "../analysis/scorecard.ts";
import { writeReadmeSections } from "./readme_sections.ts";
import { scorecardFigure, verdictLine } from "../presentation/claims_view.ts";
import { saveFigure } from "../presentation/plots.ts";
import { writeAtomically } from "../data/files.ts";

/** Where the scorecard is, and its figure's name in `figures/`. */
export const SCORECARD_PATH = `${REPO_ROOT}SCORECARD.md`;
export const SCORECARD_FIGURE = "00_scorecard-verdicts";

/** Judge every notebook's claims at the paper profile and write the records; returns them. */
export async function rejudgeAll(): Promise<void> {
  // Judge every notebook before writing any record, so a bad store rewrites nothing.
  const judged = [];
  for (const notebook of claimNotebooks()) {
    judged.push({ notebook, records: await judgeNotebook(notebook, "paper") });
  }
  for (const { notebook, records } of judged) {
    const path = await recordNotebookClaims(notebook, records);
    console.log(`${path.slice(REPO_ROOT.length)}: ${verdictLine(records)}`);
  }
}

/** Write SCORECARD.md and its figure from the stored paper records. */
export async function writeScorecard(): Promise<string> {
  const records = await loadRecords("paper");
  await saveFigure(SCORECARD_FIGURE, scorecardFigure(records));
  const markdown = scorecardMarkdown(records, `figures/${SCORECARD_FIGURE}.png`);
  await writeAtomically(SCORECARD_PATH, markdown);
  console.log(`SCORECARD.md: ${verdictLine(records)}`);
  return markdown;
}

if (import.meta.main) {
  await main(async () => {
    if (!Deno.args.includes("--from-records")) await rejudgeAll();
    await writeScorecard();
    await writeReadmeSections();
  });
}
