/**
 * One rulebook for every claim: what evidence each kind of claim needs, and the verdict that evidence
 * gives. A verdict is never stronger than its evidence. The rules are stated once, in {@link RULES}, which
 * README's "Rulebook" section is generated from (`deno task scorecard` writes it; a test compares).
 *
 * @module
 */
import { meanSd, quantile, T_95, T_975 } from "./seed_stats.ts";

export { meanSd } from "./seed_stats.ts";

/** Every verdict a claim can get. */
export type RuleVerdict =
  | "reproduced"
  | "partly"
  | "contradicted"
  | "inconclusive"
  | "adopted"
  | "departed"
  | "not checkable"
  | "internal contradiction";

/** Runs at the paper's own settings a training result needs before it can be reproduced or contradicted. */
export const MIN_RUNS = 3;

/**
 * The least half-width of the band a stated number must fall in, per unit: what seeds cannot show
 * (framework and rounding differences). Losses are on a ratio scale, so theirs is a share of our mean.
 */
export const FLOORS = {
  /** Accuracy, gaps and other percentages: 0.5 percentage points (a stated "92%" is 91.5-92.5). */
  points: { absolute: 0.5 },
  /** F1, precision and recall on [0, 1]: 0.005 (a stated "0.92" is 0.915-0.925). */
  score: { absolute: 0.005 },
  /** Losses: 10% of our mean. */
  loss: { relative: 0.1 },
} as const;

/** The unit of a stated number. */
export type Unit = keyof typeof FLOORS;

/**
 * The widest band that still tests a number, per unit: where our seeds spread so far that the band's
 * half-width exceeds this, they disagree too much to reproduce or contradict any stated value.
 */
export const WIDEST = {
  points: { absolute: 10 },
  score: { absolute: 0.1 },
  loss: { relative: 0.5 },
} as const;

/** A per-unit limit in the unit's terms: absolute, or relative to `mean`. */
const limit = (rule: { absolute: number } | { relative: number }, mean: number) =>
  "relative" in rule ? rule.relative * Math.abs(mean) : rule.absolute;

/** The rules, in words: the README's Rulebook is generated from these lines. */
export const RULES: { name: string; rule: string }[] = [
  {
    name: "evidence first",
    rule:
      `A training result (a number, a per-class number, a comparison, a curve, a confusion) is _reproduced_ ` +
      `or _contradicted_ only on at least ${MIN_RUNS} runs (seeds) at the paper's own settings. With fewer, or on ` +
      `runs at a reduced budget (\`quick\`), it is _inconclusive_: the measured value is shown and the verdict ` +
      `says what is missing. Reduced-budget runs may inform a notebook's discussion; they never decide a claim.`,
  },
  {
    name: "stated numbers",
    rule:
      "A stated number (accuracy, F1, loss, gap) is _reproduced_ when it lies within our seeds' mean ± h, " +
      `else _contradicted_. h is the larger of the unit's floor (${FLOORS.points.absolute} points for ` +
      `accuracies and gaps, ${FLOORS.score.absolute} for F1, precision and recall, ` +
      `${
        100 * FLOORS.loss.relative
      }% of our mean for losses) and the 95% prediction interval of one more run, ` +
      "t(0.975, n-1) · s · √(1 + 1/n) for n seeds with standard deviation s: a paper's single run, drawn from " +
      "the distribution our seeds sample, lands there 19 times in 20. The tolerance is the band's width 2h: " +
      "two stated values of one quantity more than 2h apart cannot both be reproduced. Where the seeds spread " +
      `so widely that h exceeds ${WIDEST.points.absolute} points (${WIDEST.score.absolute} for scores, ` +
      `${100 * WIDEST.loss.relative}% of our mean for losses), they test no number: ` +
      "_inconclusive_.",
  },
  {
    name: "failed and diverged runs",
    rule:
      "Where some runs of a configuration learned and others stayed at chance, a stated number is judged " +
      "on the runs that learned and the failures are counted in the verdict. A run whose value is not finite " +
      "(a diverged loss) is left out, and said, where the claim is about a finite value; where the claim is " +
      "about which run is best, a diverged run is left out of the field, and a diverged run that the claim " +
      "names counts against it.",
  },
  {
    name: "comparisons",
    rule:
      `A comparison ("A beats B", "A is the best of ...") is paired by seed: each seed's A is set against the same ` +
      `seed's B. It is _reproduced_ when A leads in every seed and the mean lead exceeds the noise between ` +
      `seeds (t(0.95, n-1) standard errors of the paired differences), _contradicted_ when A leads in no seed ` +
      `and trails by at least that much (a tie in every seed included), else _inconclusive_ with the count of ` +
      `seeds that agree. A claim about the end of ` +
      `training reads the mean over the last tenth of the epochs (at least one), not the last epoch alone. A ` +
      `comparison confounded by another setting says so in its verdict.`,
  },
  {
    name: "categorical statements",
    rule:
      "A categorical statement (a curve's shape, a confusion, a class ranking) is judged in every seed: _reproduced_ when it holds " +
      'in all of them, _partly_ when in some ("holds in k of n seeds"), _contradicted_ when in none.',
  },
  {
    name: "readings",
    rule: "Where a paper's words allow two readings, the claim is judged on the one its notebook argues " +
      "for, and the literal reading's result is shown beside it.",
  },
  {
    name: "counts and facts",
    rule:
      "A count (parameters, sizes, FLOPs, images) is computed, not sampled: _reproduced_ when it equals ours " +
      'to the precision the paper wrote it in ("~98K" to the thousand; multiply-adds also within 2%, since ' +
      "counting conventions differ). A fact about the data or a model " +
      "is computed too: _reproduced_ when it holds, _contradicted_ when it does not.",
  },
  {
    name: "vague words",
    rule:
      "Vague words get an explicit reading, written in the claim's note and fixed before looking at our runs " +
      '("near-perfect F1" as at least 0.95, "mild overfitting" as the stated fit rule\'s verdict, "the ' +
      'speed order" as measured milliseconds per image on this CPU).',
  },
  {
    name: "training time",
    rule: 'Statements about it ("SGD is faster than Adam", "batch 8 takes longer") are facts about idle ' +
      "timings of the recipes (`lib/training/timing.ts`: one short epoch of each, three rounds, stored in " +
      "`data/measurements/`), not about the stored runs' own seconds, which depend on what else the machine " +
      "was doing; two times differ when they differ by more than 5%.",
  },
  {
    name: "settings",
    rule:
      "A setting the paper says it used is _adopted_ when our recipe uses it, _departed_ when we could not (with the " +
      'reason): never "reproduced", since using a setting is no evidence for it.',
  },
  {
    name: "what is left",
    rule:
      "What cannot be measured here is _not checkable_, with the reason; a paper contradicting itself is " +
      "an _internal contradiction_ (each of its numbers is also judged as a claim of its own).",
  },
];

/** The rulebook as markdown, for README's "Rulebook" section. */
export function rulebookMarkdown(): string {
  return RULES.map(({ name, rule }) => `- **${name[0].toUpperCase()}${name.slice(1)}.** ${rule}`).join("\n");
}

/** Where sampled evidence comes from: how many runs, at which settings. */
interface Sampled {
  /** The runs' profile. */
  profile: string;
  /** Whether the claim is about training at the paper's settings (true for every training result). */
  needsPaperSettings?: boolean;
  /** Why there are fewer than {@link MIN_RUNS} runs at the paper's settings, when that is known. */
  fewerSeedsBecause?: string;
  /** Set when the runs are at a reduced budget (`quick`) because the paper's cost too much: the reason. */
  reducedBecause?: string;
  /** Appended to the verdict's reason: another setting that differs between the runs compared. */
  confound?: string;
}

/** The evidence a rule weighs. */
export type Evidence =
  | ({
    rule: "seed-range";
    stated: number;
    /** One value per seed, in the stated value's unit. */
    values: number[];
    /** Appended to the numbers shown ("%", " pts"). */
    suffix?: string;
    unit: Unit;
    /** Per value: whether its run learned at all (test accuracy above chance), where that is known. */
    learned?: boolean[];
  } & Sampled)
  | ({
    rule: "holds";
    /** Whether the statement holds, one entry per seed. */
    outcomes: boolean[];
    /**
     * For a comparison: per seed, by how much the claim's side leads (positive: it holds; NaN: the claim's
     * own run diverged). Judged paired by seed rather than by counting.
     */
    leads?: number[];
    /** What was seen in each seed (optional, shown after the count). */
    seen?: string[];
    /** Said after the measurement (runs left out, the literal reading's result). */
    notes?: string[];
  } & Sampled)
  | {
    rule: "count";
    stated: number;
    ours: number;
    precision: number;
    /** Set where counting conventions differ (multiply-adds): also equal within this share of the stated. */
    relativeTolerance?: number;
  }
  | { rule: "fact"; holds: boolean; seen: string }
  | { rule: "setting"; adopted: boolean; reason?: string }
  | { rule: "not-checkable"; reason: string }
  | { rule: "contradiction"; between?: string[] };

/** A verdict, the words that justify it, and what it rests on. */
export interface Judgement {
  verdict: RuleVerdict;
  /** What we measured, as a reader should see it. */
  measured: string;
  /** The rule applied, in words. */
  because: string;
  /** Runs the verdict rests on (sampled evidence only). */
  runs?: number;
  /** `paper`, or the reduced profile and why (sampled evidence only). */
  settings?: string;
  /** For statements judged per seed: in how many seeds the claim's side holds. */
  agree?: { holds: number; of: number };
}

const fmt = (x: number) => Number(x.toPrecision(4)).toString();
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The precision a stated number was written to: "98K" -> 1000, "3.4M" -> 100000, "0.26" -> 0.01. */
export function statedPrecision(text: string): number {
  const match = /^[~≈]?\s*([\d,]*)(?:\.(\d+))?\s*([KkMmB])?/.exec(text.trim());
  if (!match || (!match[1] && !match[2])) throw new RangeError(`"${text}" is not a stated number`);
  const scale = { K: 1e3, k: 1e3, M: 1e6, m: 1e6, B: 1e9 }[match[3] ?? ""] ?? 1;
  const decimals = match[2]?.length ?? 0;
  if (decimals > 0) return scale * 10 ** -decimals;
  const digits = match[1].replace(/,/g, "");
  const trailingZeros = scale === 1 && /~|≈/.test(text)
    ? digits.length - digits.replace(/0+$/, "").length
    : 0;
  return scale * 10 ** trailingZeros;
}

/**
 * The half-width h of the band a stated number must fall in, from n finite seed values: the larger of
 * the unit's floor and the 95% prediction interval of one more run (see {@link RULES}).
 */
export function bandHalfWidth(values: number[], unit: Unit): number {
  const { mean, sd } = meanSd(values);
  const floor = limit(FLOORS[unit], mean);
  const n = values.length;
  const interval = n < 2 ? 0 : quantile(T_975, 1.96, n - 1) * sd * Math.sqrt(1 + 1 / n);
  return Math.max(floor, interval);
}

/** The settings sampled evidence stands at, as recorded. */
function settingsOf(evidence: Sampled): string {
  return evidence.reducedBecause
    ? `${evidence.profile} (reduced: ${evidence.reducedBecause})`
    : evidence.profile;
}

/** Why sampled evidence of `n` runs cannot decide, or null when it can. */
function missing(n: number, evidence: Sampled): string | null {
  if (evidence.needsPaperSettings && evidence.profile !== "paper" && !evidence.reducedBecause) {
    return `measured on ${evidence.profile} runs; the claim is about the paper's settings`;
  }
  if (evidence.reducedBecause) {
    return `measured at a reduced budget (${evidence.profile}: ${evidence.reducedBecause}); ` +
      `reduced runs never decide a claim about the paper's settings`;
  }
  if (n < MIN_RUNS) {
    return `rests on ${plural(n, "run")} at the paper's settings; ${MIN_RUNS} needed` +
      (evidence.fewerSeedsBecause ? ` (${evidence.fewerSeedsBecause})` : "");
  }
  return null;
}

/** A sampled judgement: inconclusive (with what is missing) when the runs cannot decide. */
function sampledJudgement(
  n: number,
  evidence: Sampled,
  decided: RuleVerdict,
  measured: string,
  because: string,
  agree?: { holds: number; of: number },
): Judgement {
  const lacking = missing(n, evidence);
  const confound = evidence.confound ? `; confounded: ${evidence.confound}` : "";
  return {
    verdict: lacking ? "inconclusive" : decided,
    measured: measured + confound,
    because: (lacking ? `${lacking}; ` : "") + because + confound,
    runs: n,
    settings: settingsOf(evidence),
    ...(agree ? { agree } : {}),
  };
}

function judgeSeedRange(evidence: Extract<Evidence, { rule: "seed-range" }>): Judgement {
  const { stated, learned } = evidence;
  // A configuration whose runs split into learned and failed ones is two outcomes, not one spread.
  const mixed = learned !== undefined && learned.some(Boolean) && !learned.every(Boolean);
  const kept = mixed ? evidence.values.filter((_, i) => learned[i]) : evidence.values;
  const finite = kept.filter(Number.isFinite);
  const notes = [
    mixed ? `${evidence.values.length - kept.length} of ${evidence.values.length} runs did not learn` : "",
    finite.length < kept.length ? `diverged (no finite value) in ${kept.length - finite.length}` : "",
  ].filter(Boolean);
  const sfx = evidence.suffix ?? "";
  const total = evidence.values.length;
  if (total === 0) {
    return sampledJudgement(0, evidence, "inconclusive", "no stored runs", `stated ${fmt(stated)}`);
  }
  if (finite.length === 0) {
    // Not one finite value where the paper states one: every run failed the claim.
    const measured = kept.length === 0
      ? `no run of ${total} learned`
      : `diverged (no finite value) in all ${plural(total, "seed")}`;
    return sampledJudgement(
      total,
      evidence,
      "contradicted",
      measured,
      `stated ${fmt(stated)}, a finite value`,
    );
  }
  const { mean } = meanSd(finite);
  const h = bandHalfWidth(finite, evidence.unit);
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const measured = `${fmt(mean)}${sfx} (range ${fmt(lo)}-${fmt(hi)}${sfx}, ${plural(total, "seed")})` +
    (notes.length ? `; ${notes.join("; ")}, left out` : "");
  const because = `stated ${fmt(stated)}${sfx} against our mean ± ${fmt(h)}${sfx} ` +
    `(${fmt(mean - h)}-${fmt(mean + h)}${sfx}; ${evidence.unit})`;
  const inside = Math.abs(stated - mean) <= h;
  const tooWide = h > limit(WIDEST[evidence.unit], mean);
  return sampledJudgement(
    finite.length,
    evidence,
    tooWide ? "inconclusive" : inside ? "reproduced" : "contradicted",
    measured,
    because + (tooWide ? "; our seeds spread too widely to test a number" : ""),
  );
}

function judgeComparison(evidence: Extract<Evidence, { rule: "holds" }>, leads: number[]): Judgement {
  const n = leads.length;
  const ahead = leads.filter((d) => d > 0).length;
  const finite = leads.filter(Number.isFinite);
  const { mean, sd } = meanSd(finite);
  const noise = finite.length < 2
    ? Infinity
    : quantile(T_95, 1.645, finite.length - 1) * sd / Math.sqrt(finite.length);
  const seen = evidence.seen?.length ? ` (${evidence.seen.join("; ")})` : "";
  const notes = evidence.notes?.length ? `; ${evidence.notes.join("; ")}` : "";
  const measured = `holds in ${ahead} of ${plural(n, "seed")}${seen}${notes}`;
  // A NaN lead is a seed where the claim's own run diverged: it counts against the claim. A tie in every
  // seed (two identical computations) contradicts a claim that one beats the other.
  const decided: RuleVerdict = ahead === n && mean > noise
    ? "reproduced"
    : ahead === 0 && (finite.length === 0 || -mean >= noise)
    ? "contradicted"
    : "inconclusive";
  const because = `a comparison paired by seed: mean lead ${fmt(mean)}, noise ` +
    `${Number.isFinite(noise) ? fmt(noise) : "unknown (one seed)"}` +
    (decided === "inconclusive" ? "; neither side leads in every seed beyond the noise" : "");
  return sampledJudgement(n, evidence, decided, measured, because, { holds: ahead, of: n });
}

/** Judge a claim by the rulebook. */
export function judge(evidence: Evidence): Judgement {
  switch (evidence.rule) {
    case "seed-range":
      return judgeSeedRange(evidence);
    case "holds": {
      const n = evidence.outcomes.length;
      if (n === 0) {
        return sampledJudgement(0, evidence, "inconclusive", "no stored runs", "judged in every seed");
      }
      if (evidence.leads) return judgeComparison(evidence, evidence.leads);
      const k = evidence.outcomes.filter(Boolean).length;
      const seen = evidence.seen?.length ? ` (${evidence.seen.join("; ")})` : "";
      const notes = evidence.notes?.length ? `; ${evidence.notes.join("; ")}` : "";
      const decided: RuleVerdict = k === n ? "reproduced" : k === 0 ? "contradicted" : "partly";
      return sampledJudgement(
        n,
        evidence,
        decided,
        `holds in ${k} of ${plural(n, "seed")}${seen}${notes}`,
        "a categorical statement, judged in every seed",
        { holds: k, of: n },
      );
    }
    case "count": {
      const { ours, stated, precision, relativeTolerance } = evidence;
      const allowed = Math.max(precision / 2, (relativeTolerance ?? 0) * stated);
      const inside = Math.abs(ours - stated) <= allowed;
      return {
        verdict: inside ? "reproduced" : "contradicted",
        measured: ours.toLocaleString("en-US"),
        because: `equal to ${stated.toLocaleString("en-US")} at the precision it was written to ` +
          `(${precision.toLocaleString("en-US")})` +
          (relativeTolerance ? ` or within ${100 * relativeTolerance}% (counting conventions differ)` : ""),
      };
    }
    case "fact":
      return {
        verdict: evidence.holds ? "reproduced" : "contradicted",
        measured: evidence.seen,
        because: "a statement about the data or a model, computed (no seeds involved)",
      };
    case "setting":
      return evidence.adopted
        ? {
          verdict: "adopted",
          measured: evidence.reason ?? "used in our recipe",
          because: "a setting we use is not evidence for it",
        }
        : {
          verdict: "departed",
          measured: evidence.reason ?? "not used",
          because: "we could not use this setting",
        };
    case "not-checkable":
      return { verdict: "not checkable", measured: "—", because: evidence.reason };
    case "contradiction":
      return {
        verdict: "internal contradiction",
        measured: evidence.between?.length ? `see ${evidence.between.join(", ")}` : "—",
        because: "the paper states different things about one thing; each statement is judged on its own",
      };
  }
}
