/**
 * Claims in a notebook: one call judges every claim the notebook shows (from the stored runs of the
 * active profile), records them, and displays those asked for as a table with a verdict count; and the
 * scorecard's figure of verdicts per paper.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { currentProfile, type Profile } from "../training/profile.ts";
import { runsStoredHere } from "../training/store.ts";
import {
  CLAIM_GROUPS,
  claimGroup,
  type ClaimRecord,
  evidenceText,
  judgeNotebook,
  recordNotebookClaims,
  VERDICT_ORDER,
  verdictCounts,
} from "../analysis/mod.ts";
import { PAPERS } from "../papers/registry.ts";
import { showMarkdown, showTable } from "./notebook.ts";
import { figure, plotSvg } from "./plots.ts";

/** Which of a notebook's claims to show. */
export interface ClaimFilter {
  /** Claims whose id matches (a RegExp, or a list of ids or id prefixes). */
  ids?: RegExp | string[];
  /** Claims of these kinds. */
  kinds?: string[];
  /** Claims of these sections of the paper: "Table I", or "Implementation 1" for "Implementation 1 (...)". */
  sections?: string[];
  /** Only claims of the notebook not shown yet by an earlier `showClaims` call in this process. */
  rest?: boolean;
}

const judged = new Map<string, Promise<ClaimRecord[]>>();
const shown = new Set<string>();

/**
 * Every claim of a notebook, judged from the stored runs and recorded in `data/claims/`; judged again
 * only after this process has trained and stored a run (a notebook run from scratch trains as it goes).
 */
export function notebookClaims(
  notebook: string,
  profile: Profile = currentProfile(),
): Promise<ClaimRecord[]> {
  const key = `${notebook}.${profile}.${runsStoredHere()}`;
  if (!judged.has(key)) {
    judged.set(
      key,
      judgeNotebook(notebook, profile).then(async (records) => {
        await recordNotebookClaims(notebook, records);
        return records;
      }),
    );
  }
  return judged.get(key)!;
}

/** The records a filter selects. */
export function selectClaims(records: ClaimRecord[], filter: ClaimFilter = {}): ClaimRecord[] {
  return records.filter((r) => {
    const { ids, kinds, sections } = filter;
    if (kinds && !kinds.includes(r.kind)) return false;
    if (sections && !sections.some((x) => r.section === x || r.section.startsWith(`${x} `))) return false;
    if (ids instanceof RegExp) return ids.test(r.id);
    if (ids) return ids.some((id) => r.id === id || r.id.startsWith(id));
    return true;
  });
}

/** A one-line count of verdicts: "12 claims: 5 reproduced, 4 contradicted, 3 adopted". */
export function verdictLine(records: ClaimRecord[]): string {
  const counts = VERDICT_ORDER.map((v) => [v, records.filter((r) => r.verdict === v).length] as const)
    .filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`);
  return `${records.length} claim${records.length === 1 ? "" : "s"}: ${counts.join(", ")}`;
}

/**
 * Judge and record a notebook's claims, then show those the filter selects with a count of verdicts.
 *
 * @example
 * ```ts
 * await showClaims("04_three_block_cnn", { kinds: ["confusion"] });
 * ```
 */
export async function showClaims(notebook: string, filter: ClaimFilter = {}): Promise<void> {
  const all = await notebookClaims(notebook);
  if (all.length === 0) {
    return showMarkdown(
      "**No claims catalogued for this notebook yet**: add them to its paper's `claims.json`",
    );
  }
  const records = selectClaims(all, filter).filter((r) => !filter.rest || !shown.has(r.id));
  for (const r of records) shown.add(r.id);
  await showMarkdown(
    `**${verdictLine(records)}** (profile ${records[0]?.profile ?? currentProfile()}; ` +
      `rules in README, "Rulebook")`,
  );
  await showTable(records.map((r) => ({
    claim: r.id,
    section: r.section,
    "the paper says": r.quote.length > 80 ? `${r.quote.slice(0, 77)}...` : r.quote,
    stated: r.stated,
    measured: r.measured,
    evidence: evidenceText(r),
    verdict: r.verdict,
  })));
}

const VERDICT_COLORS: Record<string, string> = {
  reproduced: "#59a14f",
  partly: "#edc948",
  contradicted: "#e15759",
  "internal contradiction": "#b07aa1",
  adopted: "#4e79a7",
  departed: "#9c755f",
  "not checkable": "#bab0ac",
  inconclusive: "#f28e2c",
};

/** Stacked bars of verdicts per paper, for the scorecard. */
export function scorecardFigure(records: ClaimRecord[]): string {
  const rows = CLAIM_GROUPS.flatMap((group) =>
    verdictCounts(records.filter((r) => claimGroup(r) === group)).flatMap(({ paper, counts }) =>
      VERDICT_ORDER.filter((v) => counts[v] > 0).map((verdict) => ({
        group,
        paper: PAPERS[paper as keyof typeof PAPERS]?.label ?? paper,
        verdict,
        claims: counts[verdict],
      }))
    )
  );
  const used = VERDICT_ORDER.filter((v) => rows.some((r) => r.verdict === v));
  const papers = new Set(rows.map((r) => r.paper)).size;
  const groups = CLAIM_GROUPS.filter((g) => rows.some((r) => r.group === g));
  const chart = plotSvg({
    marginLeft: 150,
    marginRight: 250,
    width: 900,
    height: 40 + groups.length * (20 + 24 * papers),
    x: { label: "claims", grid: true },
    y: { label: null },
    fy: { label: null, domain: groups },
    color: { domain: used, range: used.map((v) => VERDICT_COLORS[v]) },
    marks: [
      Plot.barX(rows, { x: "claims", y: "paper", fy: "group", fill: "verdict", order: used }),
      Plot.ruleX([0]),
    ],
  });
  return figure(chart, {
    title: `Verdicts on ${records.length} claims`,
    subtitle:
      "trained results apart from computed counts and facts and from settings; the rulebook is README's",
    legend: { labels: used, colors: used.map((v) => VERDICT_COLORS[v]) },
  });
}
