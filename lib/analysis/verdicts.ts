/**
 * Claims judged: every catalogue claim's check applied to the stored runs of its profile (never
 * training anything) and weighed by the rulebook, giving one record per claim. Records are written per
 * notebook to `data/claims/<notebook>.<profile>.json`; the scorecard is generated from the `paper` ones.
 *
 * @module
 */
import { initBackend } from "../backend/select.ts";
import { writeAtomically } from "../data/files.ts";
import { experiment } from "../training/experiments.ts";
import { PAPER_LIST, RECIPES } from "../papers/registry.ts";
import { currentProfile, type Profile, REPO_ROOT } from "../training/profile.ts";
import { loadResult, runKey, type RunResult } from "../training/store.ts";
import { UserError } from "../errors.ts";
import { type CatalogueClaim, CATALOGUES, type ClaimCheck } from "./catalogue.ts";
import { endWindow, HISTORY_MEASURES, runMeasure, runTest } from "./evidence.ts";
import { checkFact, countMeasure, MULTIPLY_ADDS_TOLERANCE } from "./facts.ts";
import { type Evidence, judge, type Judgement, type RuleVerdict } from "./rulebook.ts";
import { learned } from "./diagnosis.ts";

/** Seeds looked for in the run store, per experiment. */
export const MAX_SEED = 10;

/** A claim with its verdict: one line of the scorecard. */
export interface ClaimRecord {
  id: string;
  paper: string;
  section: string;
  quote: string;
  kind: string;
  /** What the paper states, as a reader should see it. */
  stated: string;
  measured: string;
  verdict: RuleVerdict;
  /** The rule applied, in words. */
  because: string;
  /** Runs the verdict rests on (training results only). */
  runs?: number;
  /** The runs' settings: `paper`, or the reduced profile and why (training results only). */
  settings?: string;
  /** For statements judged per seed: in how many seeds the claim's side holds. */
  agree?: { holds: number; of: number };
  notebook: string;
  profile: Profile;
}

/** Where records live: `FMNIST_CLAIMS_DIR`, default `data/claims/`. */
export function claimsDir(): string {
  return Deno.env.get("FMNIST_CLAIMS_DIR") ?? `${REPO_ROOT}data/claims`;
}

/**
 * The stored runs of an experiment at a profile, one per seed found (seeds 1..{@link MAX_SEED}). A stored
 * run that is there but does not verify (truncated, edited, another key's) is an error naming it: a
 * verdict judged without it would quietly rest on fewer runs.
 */
export async function storedRuns(name: string, profile: Profile): Promise<RunResult[]> {
  if (!Object.hasOwn(RECIPES, name)) throw new UserError(`unknown experiment "${name}" in a claim check`);
  const backend = (await initBackend()).name;
  const runs: RunResult[] = [];
  for (let seed = 1; seed <= MAX_SEED; seed++) {
    const { key } = runKey(experiment(name, profile, { seed }), backend);
    const run = await loadResult(key, undefined, () => {}, (path, reason) => {
      const shown = path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length) : path;
      throw new UserError(
        `stored run ${shown} (${name}, ${profile}, seed ${seed}) is corrupt (${reason}). Fix: restore it ` +
          `(git checkout -- ${shown}) or delete it to retrain it; nothing was judged or rewritten`,
      );
    });
    if (run) runs.push(run);
  }
  return runs;
}

const POINT_MEASURES_AS_PERCENT = [
  "test-accuracy",
  "test-error-rate",
  "train-accuracy",
  "val-accuracy",
  "first-train-accuracy",
  "first-val-accuracy",
];

/** The stated side of a claim, as text. */
export function statedText(claim: CatalogueClaim): string {
  const check = claim.check;
  if (check.rule === "seed-range") {
    const percent = POINT_MEASURES_AS_PERCENT.includes(check.measure);
    return check.unit === "points" ? `${check.value}${percent ? "%" : " pts"}` : `${check.value}`;
  }
  if (check.rule === "count") return check.value.toLocaleString("en-US");
  const text = describe(claim.stated);
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

/** A stated value in words: `{a: 1, b: [2, 3]}` -> "a: 1; b: 2, 3". */
function describe(value: unknown): string {
  if (Array.isArray(value)) return value.map(describe).join(", ");
  if (value && typeof value === "object") {
    return Object.entries(value).map(([k, v]) => `${k}: ${describe(v)}`).join("; ");
  }
  return String(value);
}

/** The stored runs of an experiment at a profile. */
type RunsOf = (name: string, profile: Profile) => Promise<RunResult[]>;

/**
 * Where a check judges runs: its notebook's profile, except that a check with `reducedSettings` is judged
 * on the `quick` runs when the notebook runs at `paper` (the paper's settings cost too much to run).
 */
function judgedProfile(check: { reducedSettings?: string }, profile: Profile): Profile {
  return check.reducedSettings && profile === "paper" ? "quick" : profile;
}

/** Whether a check with `reducedSettings` stands at this profile (the `quick` runs are its evidence). */
function reducedStands(check: { reducedSettings?: string }, profile: Profile): boolean {
  return Boolean(check.reducedSettings) && (profile === "paper" || profile === "quick");
}

/** The shared part of run-based evidence: profile, paper-settings flag and the reasons shown. */
function runContext(
  check: { paperSettings?: boolean; fewerSeedsBecause?: string; reducedSettings?: string; confound?: string },
  profile: Profile,
) {
  return {
    profile: judgedProfile(check, profile),
    needsPaperSettings: check.paperSettings,
    fewerSeedsBecause: check.fewerSeedsBecause,
    reducedBecause: reducedStands(check, profile) ? check.reducedSettings : undefined,
    confound: check.confound,
  };
}

/** Tests whose claim is that one run beats others: judged paired by seed on their leads. */
const COMPARISONS = ["extreme", "above-throughout", "steadier"];
const isComparison = (check: Extract<ClaimCheck, { rule: "holds" }>) =>
  !check.negate && (COMPARISONS.includes(check.test) || (check.test === "compare" && check.relation !== "≈"));

async function evidenceFor(check: ClaimCheck, profile: Profile, runsOf: RunsOf): Promise<Evidence> {
  switch (check.rule) {
    case "seed-range": {
      const runs = await runsOf(check.runs, judgedProfile(check, profile));
      if (runs.length === 0) return missing(check, profile);
      return {
        rule: "seed-range",
        stated: check.value,
        values: runs.map((r) => runMeasure(r, check.measure, check.class)),
        learned: runs.map(learned),
        unit: check.unit,
        suffix: check.unit !== "points"
          ? ""
          : POINT_MEASURES_AS_PERCENT.includes(check.measure)
          ? "%"
          : " pts",
        ...runContext(check, profile),
      };
    }
    case "holds": {
      const at = judgedProfile(check, profile);
      const runs = await runsOf(check.runs, at);
      if (runs.length === 0) return missing(check, profile);
      const names = [
        ...("other" in check ? [check.other] : []),
        ...("among" in check ? check.among : []),
      ];
      const others = new Map<string, RunResult[]>();
      for (const n of names) others.set(n, await runsOf(n, at));
      const outcomes: boolean[] = [], seen: string[] = [], leads: number[] = [];
      const leftOut = new Map<string, number>();
      for (const run of runs) {
        const partner = (n: string) => others.get(n)!.find((r) => r.config.seed === run.config.seed);
        if (names.some((n) => !partner(n))) continue;
        const result = runTest(run, check, (n) => partner(n)!);
        outcomes.push(check.negate ? !result.holds : result.holds);
        seen.push(result.seen);
        leads.push(result.lead ?? NaN);
        for (const name of result.leftOut ?? []) leftOut.set(name, (leftOut.get(name) ?? 0) + 1);
      }
      const notes = [...leftOut].map(([name, k]) =>
        `${name} diverged in ${k} of ${outcomes.length} seeds and is left out of the field`
      );
      const window = endWindow(runs[0].history.length);
      if (
        isComparison(check) && "measure" in check && HISTORY_MEASURES.includes(check.measure) && window > 1
      ) {
        notes.push(`each value the mean of the last ${window} epochs`);
      }
      return {
        rule: "holds",
        outcomes,
        seen,
        notes,
        ...(isComparison(check) ? { leads } : {}),
        ...runContext(check, profile),
      };
    }
    case "count":
      return {
        rule: "count",
        stated: check.value,
        ours: await countMeasure(check.measure, check.model, check.layer),
        precision: check.precision,
        relativeTolerance: check.measure === "multiply-adds" ? MULTIPLY_ADDS_TOLERANCE : undefined,
      };
    case "fact": {
      const { holds, seen, unmeasured } = await checkFact(check);
      if (unmeasured) return { rule: "not-checkable", reason: unmeasured };
      return { rule: "fact", holds: check.negate ? !holds : holds, seen };
    }
    case "setting":
      return { rule: "setting", adopted: check.adopted, reason: check.how };
    case "not-checkable":
      return { rule: "not-checkable", reason: check.reason };
    case "contradiction":
      return { rule: "contradiction", between: check.claims };
  }
}

function missing(
  check: { paperSettings?: boolean; fewerSeedsBecause?: string; reducedSettings?: string },
  profile: Profile,
): Evidence {
  return { rule: "holds", outcomes: [], ...runContext(check, profile) };
}

/** Judge a check, and beside it the literal reading of its words where it has one. */
async function judgeCheck(check: ClaimCheck, profile: Profile, runsOf: RunsOf): Promise<Judgement> {
  const judged = judge(await evidenceFor(check, profile, runsOf));
  if (!("literal" in check) || !check.literal) return judged;
  const { reading, ...experiments } = check.literal;
  const literalCheck = { ...check, ...experiments, literal: undefined } as ClaimCheck;
  const literal = judge(await evidenceFor(literalCheck, profile, runsOf));
  return {
    ...judged,
    measured: `${judged.measured}; the literal reading (${reading}): ${literal.measured}, ` +
      `which would be ${literal.verdict}`,
    because: `${judged.because}; judged on the reading the notebook argues for`,
  };
}

/** Judge one claim from the stored runs of `profile`. */
export async function judgeClaim(
  claim: CatalogueClaim,
  paper: string,
  profile: Profile = currentProfile(),
  runsOf: RunsOf = storedRuns,
): Promise<ClaimRecord> {
  const { verdict, measured, because, runs, settings, agree } = await judgeCheck(
    claim.check,
    profile,
    runsOf,
  );
  return {
    id: claim.id,
    paper,
    section: claim.section,
    quote: claim.quote,
    kind: claim.kind,
    stated: statedText(claim),
    measured,
    verdict,
    because,
    ...(runs === undefined ? {} : { runs, settings }),
    ...(agree ? { agree } : {}),
    notebook: claim.notebook,
    profile,
  };
}

/** Judge every claim a notebook shows (all papers), in catalogue order. */
export async function judgeNotebook(
  notebook: string,
  profile: Profile = currentProfile(),
): Promise<ClaimRecord[]> {
  await initBackend();
  const cache = new Map<string, Promise<RunResult[]>>();
  const runsOf: RunsOf = (name, at) => {
    const key = `${name} ${at}`;
    if (!cache.has(key)) cache.set(key, storedRuns(name, at));
    return cache.get(key)!;
  };
  const records: ClaimRecord[] = [];
  for (const [paper, catalogue] of Object.entries(CATALOGUES)) {
    for (const claim of catalogue.claims) {
      if (claim.notebook === notebook) records.push(await judgeClaim(claim, paper, profile, runsOf));
    }
  }
  if (records.length === 0 && !PAPER_LIST.some((p) => p.notebooks.includes(notebook))) {
    throw new UserError(
      `no catalogue claim names the notebook "${notebook}", and no paper lists it. Fix: check the name ` +
        `(known: ${PAPER_LIST.flatMap((p) => p.notebooks).join(", ")})`,
    );
  }
  return records;
}

/** Every notebook that shows claims, in order. */
export function claimNotebooks(): string[] {
  const names = Object.values(CATALOGUES).flatMap((c) => c.claims.map((claim) => claim.notebook));
  return [...new Set(names)].sort();
}

/** Write a notebook's records to `data/claims/<notebook>.<profile>.json` atomically; returns the path. */
export async function recordNotebookClaims(notebook: string, records: ClaimRecord[]): Promise<string> {
  const profile = records[0]?.profile ?? currentProfile();
  await Deno.mkdir(claimsDir(), { recursive: true });
  const path = `${claimsDir()}/${notebook}.${profile}.json`;
  await writeAtomically(path, JSON.stringify(records, null, 1) + "\n");
  return path;
}

/** The stored records of a profile, every notebook's, in notebook then catalogue order. */
export async function loadRecords(profile: Profile = "paper"): Promise<ClaimRecord[]> {
  const records: ClaimRecord[] = [];
  for (const notebook of claimNotebooks()) {
    try {
      const text = await Deno.readTextFile(`${claimsDir()}/${notebook}.${profile}.json`);
      records.push(...JSON.parse(text) as ClaimRecord[]);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return records;
}
