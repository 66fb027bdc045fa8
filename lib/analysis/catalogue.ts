/**
 * The claims catalogue: every checkable statement a paper makes about its own work, as data
 * (`catalogue/<paper>.json`), read in full from each paper: numbers in text and tables, settings,
 * parameter counts and sizes, per-class tables cell by cell, confusion statements, statements about
 * curves, comparisons, and internal contradictions (two numbers for one thing are two claims, plus one
 * claim naming the contradiction). Results a paper cites from other work are not its claims; each
 * catalogue says once which it left out. Judging the claims (a rule per kind, the runs that can judge
 * each, verdicts and the scorecard) builds on this catalogue; notebooks 01-04 still judge with
 * `claims.ts`.
 *
 * @module
 */
import catalogue000 from "./catalogue/000.json" with { type: "json" };
import catalogue002 from "./catalogue/002.json" with { type: "json" };

/** What kind of statement a claim is; each kind will be judged by its own rule. */
export type ClaimKind =
  | "metric"
  | "per-class-metric"
  | "data"
  | "setting"
  | "count"
  | "timing"
  | "confusion"
  | "curve"
  | "comparison"
  | "contradiction"
  | "other";

/** Every claim kind. */
export const CLAIM_KINDS: readonly ClaimKind[] = [
  "metric",
  "per-class-metric",
  "data",
  "setting",
  "count",
  "timing",
  "confusion",
  "curve",
  "comparison",
  "contradiction",
  "other",
];

/** One checkable statement of a paper. */
export interface CatalogueClaim {
  /** Unique, prefixed with the paper's id: "000-abs-test-acc". */
  id: string;
  /** Where it stands, as the paper numbers it: "4.2", "Table 1", "Fig. 11". */
  section: string;
  /** The paper's words (at most 200 characters). */
  quote: string;
  kind: ClaimKind;
  /** The value(s) as the paper states them: a number, a range `{min, max}`, a record, or words. */
  stated: unknown;
  /** Unit of `stated`: "fraction", "points", "parameters", "MB", ... ("" when none). */
  unit: string;
  /** Whether it can be measured here (a 2-core CPU, no pretrained ImageNet weights, no internet). */
  checkableHere: boolean;
  /** How it is checked, or why it cannot be. */
  note: string;
}

/** A paper's catalogue. */
export interface Catalogue {
  /** The paper's id in `papers.ts`. */
  paper: string;
  /** Which statements were left out as other people's results, and why. */
  excluded: string;
  claims: CatalogueClaim[];
}

/** The catalogues written so far, by paper id. */
export const CATALOGUES: Readonly<Record<string, Catalogue>> = {
  "000": catalogue000 as Catalogue,
  "002": catalogue002 as Catalogue,
};
