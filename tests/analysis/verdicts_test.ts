import assert from "node:assert/strict";
import { judgeClaim, statedText } from "../../lib/analysis/verdicts.ts";
import type { CatalogueClaim, ClaimCheck } from "../../lib/analysis/catalogue.ts";
import { fakeRun } from "./fake_runs.ts";

const claim = (check: ClaimCheck, extra: Partial<CatalogueClaim> = {}): CatalogueClaim => ({
  id: "000-test",
  section: "4.1",
  quote: "a quote",
  kind: "metric",
  stated: 0.888,
  unit: "fraction",
  note: "",
  check,
  notebook: "04_three_block_cnn",
  ...extra,
});

const seeds = (...accuracies: number[]) =>
  accuracies.map((a, i) => fakeRun({ seed: i + 1, errors: [["Shirt", "Coat", a]] }));

Deno.test("verdicts: a stated accuracy against three seeds of stored runs", async () => {
  const runs = seeds(12, 10, 8); // 98.8, 99.0, 99.2 %
  const check: ClaimCheck = {
    rule: "seed-range",
    runs: "000-three-block",
    measure: "test-accuracy",
    value: 98.5,
    unit: "points",
    paperSettings: true,
  };
  const record = await judgeClaim(claim(check), "000", "paper", () => Promise.resolve(runs));
  assert.equal(record.verdict, "reproduced");
  assert.equal(record.stated, "98.5%");
  assert.match(record.measured, /^99% \(range 98\.8-99\.2%, 3 seeds\)$/);
  const far = await judgeClaim(claim({ ...check, value: 88.8 }), "000", "paper", () => Promise.resolve(runs));
  assert.equal(far.verdict, "contradicted");
  assert.deepEqual([record.runs, record.settings], [3, "paper"]);
  const quick = await judgeClaim(claim(check), "000", "quick", () => Promise.resolve(runs));
  assert.equal(quick.verdict, "inconclusive");
  assert.match(quick.because, /measured on quick runs; the claim is about the paper's settings/);
  const none = await judgeClaim(claim(check), "000", "paper", () => Promise.resolve([]));
  assert.deepEqual([none.verdict, none.measured, none.runs], ["inconclusive", "no stored runs", 0]);
});

Deno.test("verdicts: a categorical claim counts seeds; comparisons pair runs by seed", async () => {
  const check: ClaimCheck = {
    rule: "holds",
    runs: "a",
    test: "confuses",
    class: "Shirt",
    with: ["Coat"],
    paperSettings: true,
  };
  const runs = [...seeds(5, 5), fakeRun({ seed: 3, errors: [["Shirt", "Dress", 5]] })];
  const record = await judgeClaim(
    claim(check, { kind: "confusion" }),
    "000",
    "paper",
    () => Promise.resolve(runs),
  );
  assert.equal(record.verdict, "partly");
  assert.equal(record.measured, "holds in 2 of 3 seeds (Coat; Coat; Dress)");
  const better = seeds(1, 1, 1), worse = seeds(9, 9, 9);
  const compare: ClaimCheck = {
    rule: "holds",
    runs: "a",
    test: "compare",
    measure: "test-accuracy",
    other: "b",
    relation: ">",
  };
  const byName = (name: string) => Promise.resolve(name === "a" ? better : worse.slice(0, 2));
  const judged = await judgeClaim(claim(compare, { kind: "comparison" }), "002", "paper", byName);
  assert.equal(judged.verdict, "inconclusive", "only two seeds have both runs");
  assert.deepEqual([judged.runs, judged.agree], [2, { holds: 2, of: 2 }]);
});

Deno.test("verdicts: a check at reduced settings reads the quick runs at paper, and says so", async () => {
  const [quickRuns, paperRuns] = [seeds(1, 1, 1), seeds(9, 9)];
  const asked: string[] = [];
  const runsOf = (name: string, profile: string) => {
    asked.push(`${name} ${profile}`);
    return Promise.resolve(profile === "quick" ? (name === "a" ? quickRuns : seeds(5, 5, 5)) : paperRuns);
  };
  const check: ClaimCheck = {
    rule: "holds",
    runs: "a",
    test: "compare",
    measure: "test-accuracy",
    other: "b",
    relation: ">",
    paperSettings: true,
    reducedSettings: "a quarter of the images",
  };
  const record = await judgeClaim(claim(check, { kind: "comparison" }), "003", "paper", runsOf);
  assert.deepEqual(asked, ["a quick", "b quick"]);
  assert.equal(
    record.verdict,
    "inconclusive",
    "reduced runs never decide a claim about the paper's settings",
  );
  assert.match(record.measured, /^holds in 3 of 3 seeds /);
  assert.match(record.because, /measured at a reduced budget \(quick: a quarter of the images\)/);
  assert.equal(record.settings, "quick (reduced: a quarter of the images)");
  const { reducedSettings: _, ...full } = check as Extract<ClaimCheck, { rule: "holds" }>;
  const atPaper = await judgeClaim(claim(full, { kind: "comparison" }), "003", "paper", runsOf);
  assert.equal(atPaper.verdict, "inconclusive", "without it, the two paper runs are judged");
  assert.equal(atPaper.runs, 2);
  const smoke = await judgeClaim(claim(check, { kind: "comparison" }), "003", "smoke", runsOf);
  assert.equal(smoke.verdict, "inconclusive", "smoke runs stand in for nothing");
  assert.match(smoke.because, /measured on smoke runs/);
});

Deno.test("verdicts: settings, contradictions and not-checkable claims need no runs", async () => {
  const noRuns = () => Promise.reject(new Error("no runs should be loaded"));
  const adopted = await judgeClaim(
    claim({ rule: "setting", adopted: true, how: "Adam 1e-3" }),
    "000",
    "paper",
    noRuns,
  );
  assert.deepEqual([adopted.verdict, adopted.measured], ["adopted", "Adam 1e-3"]);
  const x = await judgeClaim(
    claim({ rule: "contradiction", claims: ["000-a", "000-b"] }),
    "000",
    "paper",
    noRuns,
  );
  assert.deepEqual([x.verdict, x.measured], ["internal contradiction", "see 000-a, 000-b"]);
  const nc = await judgeClaim(
    claim({ rule: "not-checkable", reason: "needs ImageNet weights" }),
    "000",
    "paper",
    noRuns,
  );
  assert.deepEqual([nc.verdict, nc.because], ["not checkable", "needs ImageNet weights"]);
  assert.equal(
    statedText(claim({ rule: "not-checkable", reason: "" }, { stated: { a: 1, b: [2, "x"] } })),
    "a: 1; b: 2, x",
  );
});

Deno.test("verdicts: an ambiguous claim is judged on the argued reading, the literal one shown beside it", async () => {
  const runsOf = (name: string) => Promise.resolve(name === "ce" ? seeds(12, 10, 8) : seeds(900, 900, 900));
  const check: ClaimCheck = {
    rule: "seed-range",
    runs: "ce",
    measure: "test-accuracy",
    value: 99,
    unit: "points",
    paperSettings: true,
    literal: { reading: "NLLLoss fed the raw scores", runs: "nll" },
  };
  const record = await judgeClaim(claim(check), "004", "paper", runsOf);
  assert.equal(record.verdict, "reproduced");
  assert.match(
    record.measured,
    /^99% .*; the literal reading \(NLLLoss fed the raw scores\): 10% .*which would be contradicted$/,
  );
  assert.match(record.because, /judged on the reading the notebook argues for/);
});

Deno.test("verdicts: a diverged rival is left out of the field and said; a confound is said", async () => {
  const nanLoss = (seed: number) => ({
    ...fakeRun({ seed }),
    test: { ...fakeRun({ seed }).test, loss: NaN },
  });
  const runsOf = (name: string) =>
    Promise.resolve(
      [1, 2, 3].map((seed) =>
        name === "mm"
          ? { ...fakeRun({ seed }), test: { ...fakeRun({ seed }).test, loss: 0.05 + seed / 1000 } }
          : name === "nll"
          ? nanLoss(seed)
          : { ...fakeRun({ seed }), test: { ...fakeRun({ seed }).test, loss: 0.33 } }
      ),
    );
  const check: ClaimCheck = {
    rule: "holds",
    runs: "mm",
    test: "extreme",
    measure: "test-loss",
    among: ["ce", "nll"],
    which: "min",
    paperSettings: true,
    confound: "the losses are of different functions",
  };
  const record = await judgeClaim(claim(check, { kind: "comparison" }), "004", "paper", runsOf);
  assert.equal(record.verdict, "reproduced", "Math.min over a NaN made this contradicted");
  assert.match(record.measured, /nll diverged in 3 of 3 seeds and is left out of the field/);
  assert.match(record.because, /confounded: the losses are of different functions/);
  assert.deepEqual(record.agree, { holds: 3, of: 3 });
});
