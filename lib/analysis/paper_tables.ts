/**
 * A paper's results table rebuilt from its claims catalogue, so the numbers a notebook shows beside ours
 * are the very values the verdicts judge: each table cell is a catalogued claim whose check names the
 * experiment (the row) and the measure (the column). Cells that cannot be judged here (seconds on the
 * paper's GPU) come from the claim's stated value. A row whose words allow two readings appears twice: judged
 * on the reading the notebook argues for, then as "<label> (literal)" on the literal reading's runs.
 *
 * @module
 */
import { type CatalogueClaim, CATALOGUES, type RunMeasure } from "./catalogue.ts";
import { UserError } from "../errors.ts";

/** One row of a paper's table: the experiment that reproduces it and the values the paper states. */
export interface PaperRow {
  /** The row's label as the paper prints it ("SGD", "8", "Maxpool2d"). */
  label: string;
  /** The experiment (RECIPES name) whose runs reproduce the row. */
  experiment: string;
  /** The stated values, by measure (accuracies in points, as the checks hold them). */
  stated: Partial<Record<RunMeasure, number>>;
  /** The paper's time for the row, in seconds, where it states one. */
  seconds: number | null;
}

/** The label of a table row: the first tab-separated cell of the quoted row. */
function rowLabel(claim: CatalogueClaim): string {
  return claim.quote.split("\t")[0].trim();
}

/**
 * The rows of table `section` ("Table I") of paper `paper`, in the order the catalogue lists them.
 *
 * @example
 * ```ts
 * paperTable("004", "Table I"); // [{ label: "SGD", experiment: "004-tinyvgg", stated: {...}, seconds: 40.085 }, ...]
 * ```
 */
export function paperTable(paper: string, section: string): PaperRow[] {
  return tableRows(paper, section);
}

/** The experiments behind the rows of table `section` of `paper` (what to train to fill it). */
export function tableExperiments(paper: string, section: string): string[] {
  return tableRows(paper, section).map((row) => row.experiment);
}

function tableRows(paper: string, section: string): PaperRow[] {
  const catalogue = CATALOGUES[paper];
  if (!catalogue) throw new UserError(`no claims catalogue for paper "${paper}"`);
  const cells = catalogue.claims.filter((c) => c.section === section);
  if (cells.length === 0) throw new UserError(`paper ${paper} has no claims in "${section}"`);
  const rows = new Map<string, PaperRow>();
  const row = (label: string) => {
    if (!rows.has(label)) rows.set(label, { label, experiment: "", stated: {}, seconds: null });
    return rows.get(label)!;
  };
  for (const claim of cells) {
    const check = claim.check;
    if (check.rule === "seed-range") {
      const r = row(rowLabel(claim));
      r.experiment = check.runs;
      r.stated[check.measure] = check.value;
      // A row the words allow two readings of: the argued reading's runs, then the literal reading's.
      if (check.literal?.runs) {
        const literal = row(`${rowLabel(claim)} (literal)`);
        literal.experiment = check.literal.runs;
        literal.stated[check.measure] = check.value;
      }
    } else if (claim.unit === "seconds" && typeof claim.stated === "number") {
      row(rowLabel(claim)).seconds = claim.stated;
    }
  }
  const complete = [...rows.values()].filter((r) => r.experiment !== "");
  if (complete.length === 0) throw new UserError(`"${section}" of paper ${paper} has no judged table cells`);
  return complete;
}
