/**
 * Regenerate the scorecard: judge every notebook's claims from the stored `paper` runs (training
 * nothing), rewrite `data/claims/<notebook>.paper.json`, then `SCORECARD.md` and its figure.
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
import { rulebookMarkdown } from "../analysis/rulebook.ts";
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

/** README, and the markers around its generated Rulebook section. */
export const README_PATH = `${REPO_ROOT}README.md`;
export const RULEBOOK_MARKERS = ["<!-- rulebook:start -->", "<!-- rulebook:end -->"] as const;

/** README's text with its Rulebook section replaced by {@link rulebookMarkdown} (unformatted). */
export function readmeWithRulebook(readme: string): string {
  const [start, end] = RULEBOOK_MARKERS;
  const from = readme.indexOf(start), to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has lost its rulebook markers (${start} ... ${end})`);
  return `${readme.slice(0, from + start.length)}\n${rulebookMarkdown()}\n${readme.slice(to)}`;
}

/** Rewrite README's Rulebook section from `rulebook.ts`, formatted as `deno fmt` formats it. */
export async function writeRulebook(): Promise<void> {
  await writeAtomically(README_PATH, readmeWithRulebook(await Deno.readTextFile(README_PATH)));
  const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", README_PATH] }).output();
  if (!fmt.success) throw new Error(`deno fmt README.md failed: ${new TextDecoder().decode(fmt.stderr)}`);
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
    await writeRulebook();
  });
}
