import assert from "node:assert/strict";
import { judge, MIN_SEEDS, statedPrecision } from "../../lib/analysis/rulebook.ts";

Deno.test("rulebook: a stated number against the seed range, widened by the unit's one tolerance", () => {
  const base = { rule: "seed-range", unit: "points", profile: "paper", needsPaperSettings: true } as const;
  assert.equal(judge({ ...base, stated: 88.8, values: [88.3, 89.1, 89.9] }).verdict, "reproduced");
  assert.equal(
    judge({ ...base, stated: 88.8, values: [89.5, 90.1, 90.6] }).verdict,
    "reproduced",
    "within 1 point",
  );
  assert.equal(judge({ ...base, stated: 92.74, values: [89.5, 90.1, 90.6] }).verdict, "contradicted");
  assert.match(
    judge({ ...base, stated: 88.8, values: [88.3, 89.1, 89.9] }).measured,
    /range 88.3-89.9, 3 seeds/,
  );
});

Deno.test("rulebook: one seed is too few; a quick run cannot judge a claim about the paper's settings", () => {
  const base = { rule: "seed-range", unit: "points", stated: 97.4, needsPaperSettings: true } as const;
  assert.equal(judge({ ...base, values: [97.1], profile: "paper" }).verdict, "too few runs");
  assert.equal(judge({ ...base, values: [93, 93.5, 94], profile: "quick" }).verdict, "needs paper settings");
  const costly = judge({
    ...base,
    values: [97.1],
    profile: "paper",
    fewerSeedsBecause: "100 epochs take 3 h a run",
  });
  assert.equal(costly.verdict, "reproduced");
  assert.match(costly.measured, /1 seed\); 100 epochs take 3 h a run/);
  assert.equal(MIN_SEEDS, 3);
});

Deno.test("rulebook: a reason for fewer seeds never excuses none: no stored runs are too few runs", () => {
  const fewer = { profile: "paper", fewerSeedsBecause: "100 epochs take 3 h a run" } as const;
  const range = judge({ ...fewer, rule: "seed-range", unit: "points", stated: 93.3, values: [] });
  assert.equal(range.verdict, "too few runs");
  assert.equal(range.measured, "no stored runs");
  const holds = judge({ ...fewer, rule: "holds", outcomes: [] });
  assert.equal(holds.verdict, "too few runs");
  assert.equal(holds.measured, "no stored runs");
});

Deno.test("rulebook: categorical statements are judged in every seed", () => {
  const base = { rule: "holds", profile: "paper" } as const;
  assert.deepEqual(
    [[true, true, true], [true, false, true], [false, false, false]].map((outcomes) =>
      judge({ ...base, outcomes }).verdict
    ),
    ["reproduced", "partly", "contradicted"],
  );
  assert.equal(judge({ ...base, outcomes: [true, false, true] }).measured, "holds in 2 of 3 seeds");
});

Deno.test("rulebook: counts are exact to the precision the paper wrote them in", () => {
  assert.equal(statedPrecision("~98K"), 1000);
  assert.equal(statedPrecision("~98,000"), 1000);
  assert.equal(statedPrecision("65,354"), 1);
  assert.equal(statedPrecision("3.4M"), 100_000);
  assert.equal(statedPrecision("0.26"), 0.01);
  const count = (stated: number, ours: number, text: string) =>
    judge({ rule: "count", stated, ours, precision: statedPrecision(text) }).verdict;
  assert.equal(count(65354, 110474, "65,354"), "contradicted");
  assert.equal(count(98000, 110474, "~98K"), "contradicted");
  assert.equal(count(5.3e6, 5_330_571, "5.3M"), "reproduced");
  assert.equal(count(1_386_506, 1_386_506, "1,386,506"), "reproduced");
  assert.throws(() => statedPrecision("about"), /not a stated number/);
});

Deno.test("rulebook: a setting we use is adopted, never reproduced; the rest says why", () => {
  assert.equal(judge({ rule: "setting", adopted: true }).verdict, "adopted");
  assert.equal(judge({ rule: "setting", adopted: false, reason: "no seed given" }).verdict, "departed");
  assert.equal(
    judge({ rule: "not-checkable", reason: "needs ImageNet weights" }).because,
    "needs ImageNet weights",
  );
  assert.equal(judge({ rule: "contradiction" }).verdict, "internal contradiction");
});

Deno.test("rulebook: a loss that diverged (NaN) counts against a stated finite number", () => {
  const all = judge({
    rule: "seed-range",
    stated: 0.2578,
    values: [NaN, NaN, NaN],
    unit: "loss",
    profile: "paper",
  });
  assert.deepEqual([all.verdict, all.measured], [
    "contradicted",
    "diverged (no finite value) in all 3 seeds",
  ]);
  const some = judge({
    rule: "seed-range",
    stated: 0.3,
    values: [0.29, NaN, 0.31],
    unit: "loss",
    profile: "paper",
  });
  assert.equal(some.verdict, "reproduced");
  assert.match(some.measured, /diverged in 1 of 3 seeds/);
});

Deno.test("rulebook: runs that stayed at chance are a separate outcome, left out of the range and counted", () => {
  const evidence = {
    rule: "seed-range" as const,
    unit: "loss" as const,
    stated: 0.36,
    values: [0.37, 2.306, 0.371, 0.391, 2.305],
    profile: "paper",
  };
  // All five: the failed runs stretch the range to include anything up to 2.3.
  assert.equal(judge({ ...evidence, stated: 1.5 }).verdict, "reproduced");
  const split = { ...evidence, learned: [true, false, true, true, false] };
  const judged = judge({ ...split, stated: 1.5 });
  assert.equal(judged.verdict, "contradicted");
  assert.match(judged.measured, /range 0\.37-0\.391, 3 seeds\); 2 of 5 runs did not learn and are left out/);
  assert.equal(judge(split).verdict, "reproduced", "0.36 is within 0.02 of 0.37");
  // When no run learned (or all did), every run counts.
  assert.equal(
    judge({ ...evidence, values: [2.31, 2.32, 2.3], learned: [false, false, false], stated: 2.31 })
      .verdict,
    "reproduced",
  );
  assert.equal(
    judge({ ...split, learned: [false, false, true, true, true] }).measured.includes("2 of 5"),
    true,
  );
});
