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
  checkableHere: true,
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
  const quick = await judgeClaim(claim(check), "000", "quick", () => Promise.resolve(runs));
  assert.equal(quick.verdict, "needs paper settings");
  const none = await judgeClaim(claim(check), "000", "paper", () => Promise.resolve([]));
  assert.deepEqual([none.verdict, none.measured], ["too few runs", "no stored runs"]);
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
  assert.equal(judged.verdict, "too few runs", "only two seeds have both runs");
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
  assert.equal(record.verdict, "reproduced", "quick runs stand in for the paper's settings");
  assert.match(
    record.measured,
    /^holds in 3 of 3 seeds .*; judged on the quick runs: a quarter of the images$/,
  );
  const { reducedSettings: _, ...full } = check as Extract<ClaimCheck, { rule: "holds" }>;
  const atPaper = await judgeClaim(claim(full, { kind: "comparison" }), "003", "paper", runsOf);
  assert.equal(atPaper.verdict, "too few runs", "without it, the two paper runs are judged");
  const smoke = await judgeClaim(claim(check, { kind: "comparison" }), "003", "smoke", runsOf);
  assert.equal(smoke.verdict, "needs paper settings", "smoke runs stand in for nothing");
  assert.doesNotMatch(smoke.measured, /judged on/);
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
