/**
 * One rulebook for every claim: what evidence each kind of claim needs, and the verdict that evidence
 * gives, with one declared tolerance per unit. The rules, in words (README's "Rulebook" says the same):
 *
 * - **A stated number** (accuracy, F1, loss, gap) is *reproduced* when it lies within the tolerance of
 *   the range our seeds give ([min - tolerance, max + tolerance]), else *contradicted*. Where some runs of
 *   a configuration learned and others stayed at chance, the range is that of the runs that learned, and
 *   the verdict counts the others.
 * - **A count** (parameters, sizes, FLOPs, images) is computed, not sampled: it is *reproduced* when it
 *   equals ours to the precision the paper wrote it in ("~98K" to the thousand, "3.4M" to 0.1M).
 *   **A fact** about the data or a model (balanced classes, a layer's output shape) is computed too:
 *   *reproduced* when it holds, *contradicted* when it does not.
 * - **A categorical statement** (a curve's shape, a confusion, a comparison) is judged in every seed:
 *   *reproduced* when it holds in all of them, *partly* when in some ("holds in k of n seeds"),
 *   *contradicted* when in none.
 * - **A setting** the paper says it used is *adopted* when our recipe uses it, *departed* when we could
 *   not (with the reason): never "reproduced", since using a setting is no evidence for it.
 * - **What cannot be measured here** is *not checkable*, with the reason; **a paper contradicting
 *   itself** is an *internal contradiction* (each of its numbers is also a claim of its own).
 * - A verdict on sampled evidence needs at least {@link MIN_SEEDS} seeds; fewer give *too few runs*,
 *   unless the claim's runs cost hours each at the paper's settings and the verdict says how many it
 *   rests on. Claims about training at the paper's settings are judged only from `paper` runs: other
 *   profiles show the measurement with *needs paper settings*.
 *
 * @module
 */

/** Every verdict a claim can get. */
export type RuleVerdict =
  | "reproduced"
  | "partly"
  | "contradicted"
  | "adopted"
  | "departed"
  | "not checkable"
  | "internal contradiction"
  | "too few runs"
  | "needs paper settings";

/** Seeds a sampled verdict needs. */
export const MIN_SEEDS = 3;

/** The one tolerance of each unit, in that unit. */
export const TOLERANCES = {
  /** Accuracy, gaps and other percentages, in percentage points. */
  points: 1,
  /** F1, precision and recall on [0, 1]. */
  score: 0.01,
  /** Losses. */
  loss: 0.02,
} as const;

/** The evidence a rule weighs. */
export type Evidence =
  | {
    rule: "seed-range";
    stated: number;
    /** One value per seed, in the stated value's unit. */
    values: number[];
    /** Appended to the numbers shown ("%", " pts"). */
    suffix?: string;
    unit: keyof typeof TOLERANCES;
    /** The runs' profile, and whether the claim is about training at the paper's settings. */
    profile: string;
    needsPaperSettings?: boolean;
    /** Set when the paper's settings cost hours per run and fewer seeds are accepted: the reason. */
    fewerSeedsBecause?: string;
    /** Set when the runs are at reduced settings (`quick`) because the paper's cost too much: the reason. */
    reducedBecause?: string;
    /** Per value: whether its run learned at all (test accuracy above chance), where that is known. */
    learned?: boolean[];
  }
  | {
    rule: "count";
    stated: number;
    ours: number;
    precision: number;
    /** Set where counting conventions differ (multiply-adds): also equal within this share of the stated. */
    relativeTolerance?: number;
  }
  | {
    rule: "holds";
    /** Whether the statement holds, one entry per seed. */
    outcomes: boolean[];
    /** What was seen in each seed (optional, shown after the count). */
    seen?: string[];
    profile: string;
    needsPaperSettings?: boolean;
    fewerSeedsBecause?: string;
    reducedBecause?: string;
  }
  | { rule: "fact"; holds: boolean; seen: string }
  | { rule: "setting"; adopted: boolean; reason?: string }
  | { rule: "not-checkable"; reason: string }
  | { rule: "contradiction"; between?: string[] };

/** A verdict and the words that justify it. */
export interface Judgement {
  verdict: RuleVerdict;
  /** What we measured, as a reader should see it. */
  measured: string;
  /** The rule applied, in words. */
  because: string;
}

const fmt = (x: number) => Number(x.toPrecision(4)).toString();

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

/** The note on runs judged at reduced settings, or nothing. */
function reduced(evidence: { profile: string; reducedBecause?: string }): string {
  return evidence.reducedBecause
    ? `; judged on the ${evidence.profile} runs: ${evidence.reducedBecause}`
    : "";
}

function sampled(
  count: number,
  evidence: { profile: string; needsPaperSettings?: boolean; fewerSeedsBecause?: string },
): RuleVerdict | null {
  if (evidence.needsPaperSettings && evidence.profile !== "paper") return "needs paper settings";
  // a stated reason for fewer seeds excuses fewer than MIN_SEEDS, never none at all
  if (count === 0 || (count < MIN_SEEDS && !evidence.fewerSeedsBecause)) return "too few runs";
  return null;
}

/** Judge a claim by the rulebook. */
export function judge(evidence: Evidence): Judgement {
  switch (evidence.rule) {
    case "seed-range": {
      const { stated, learned } = evidence;
      // A configuration whose runs split into learned and failed ones is two outcomes, not one spread:
      // the stated number is judged on the runs that learned, and the failures are counted.
      const mixed = learned !== undefined && learned.some(Boolean) && !learned.every(Boolean);
      const values = mixed ? evidence.values.filter((_, i) => learned[i]) : evidence.values;
      const failedNote = mixed
        ? `; ${learned.length - values.length} of ${learned.length} runs did not learn and are left out`
        : "";
      const tolerance = TOLERANCES[evidence.unit];
      const because = `stated ${
        fmt(stated)
      } against the seed range widened by ${tolerance} (${evidence.unit})`;
      if (values.length === 0) return { verdict: sampled(0, evidence)!, measured: "no stored runs", because };
      const finite = values.filter(Number.isFinite);
      const diverged = values.length - finite.length;
      if (finite.length === 0) {
        const early = sampled(values.length, evidence);
        const measured = `diverged (no finite value) in all ${values.length} seeds`;
        return { verdict: early ?? "contradicted", measured, because };
      }
      const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
      const sfx = evidence.suffix ?? "";
      const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
      const measured =
        `${fmt(mean)}${sfx} (range ${fmt(lo)}-${fmt(hi)}${sfx}, ${values.length} seed${
          values.length === 1 ? "" : "s"
        })` +
        (diverged ? `; diverged in ${diverged} of ${values.length} seeds` : "") + failedNote +
        (evidence.fewerSeedsBecause && values.length < MIN_SEEDS ? `; ${evidence.fewerSeedsBecause}` : "") +
        reduced(evidence);
      const early = sampled(values.length, evidence);
      if (early) return { verdict: early, measured, because };
      const inside = stated >= lo - tolerance && stated <= hi + tolerance;
      return { verdict: inside ? "reproduced" : "contradicted", measured, because };
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
    case "holds": {
      const k = evidence.outcomes.filter(Boolean).length, n = evidence.outcomes.length;
      const seen = evidence.seen?.length ? ` (${evidence.seen.join("; ")})` : "";
      const measured = n === 0 ? "no stored runs" : `holds in ${k} of ${n} seeds${seen}${reduced(evidence)}`;
      const because = "a categorical statement, judged in every seed";
      const early = sampled(n, evidence);
      if (early) return { verdict: early, measured, because };
      return { verdict: k === n ? "reproduced" : k === 0 ? "contradicted" : "partly", measured, because };
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
