import assert from "node:assert/strict";
import { campaignConfigs } from "../../lib/tools/campaign.ts";
import { checkConfig } from "../../lib/training/config.ts";

Deno.test("campaign: every paper config at its framework's defaults, enough seeds, cheap ones first", () => {
  const configs = campaignConfigs();
  for (const c of configs) checkConfig(c);
  assert.ok(configs.every((c) => c.framework === (c.model.startsWith("004-") ? "pytorch" : "keras")));
  const seeds = (model: string, profile = "paper") =>
    configs.filter((c) => c.model === model && c.profile === profile && c.split !== "602020-train").length;
  assert.equal(seeds("002-ann"), 5);
  assert.ok(seeds("001-enhanced") >= 3 * 2, "100 epochs and the early-stopped twin, three seeds each");
  assert.equal(
    configs.filter((c) => c.model === "003-baseline" && c.profile === "paper" && !c.augmentation).length,
    3,
  );
  const first001 = configs.findIndex((c) => c.model.startsWith("001-"));
  assert.ok(configs.findIndex((c) => c.model.startsWith("003-")) > first001, "Band et al.'s hours come last");
  assert.ok(configs.filter((c) => c.profile === "quick").every((c, _, all) => all.length > 0 && c.seed <= 3));
});

Deno.test("campaign status: stored runs counted per experiment, and the epoch each checkpoint holds", async () => {
  const { campaignEntries, campaignStatus } = await import("../../lib/tools/campaign.ts");
  const { runKey } = await import("../../lib/training/store.ts");
  const dir = await Deno.makeTempDir();
  try {
    const [first, second] = campaignEntries();
    assert.equal(first.experiment, second.experiment, "seeds of one experiment come together");
    await Deno.writeTextFile(`${dir}/${runKey(first.config, "wasm").key}.json`, "{}");
    await Deno.writeTextFile(`${dir}/${runKey(second.config, "wasm").key}.ckpt.json`, '{"history":[{},{}]}');
    const rows = await campaignStatus(dir, "wasm");
    const row = rows.find((r) => r.experiment === first.experiment && r.profile === "paper")!;
    assert.equal(row.stored, 1);
    assert.deepEqual(row.checkpoints, [`seed 2 at epoch 2/${second.config.epochs}`]);
    assert.equal(rows.reduce((n, r) => n + r.of, 0), campaignEntries().length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a paper whose experiments use its framework's defaults has every campaign run stored", async () => {
  const { campaignStatus } = await import("../../lib/tools/campaign.ts");
  const { paperOfExperiment } = await import("../../lib/papers/registry.ts");
  const missing = (await campaignStatus())
    .filter((row) => paperOfExperiment(row.experiment).defaults !== "tfjs" && row.stored < row.of)
    .map((row) => `${row.experiment} ${row.profile}: ${row.stored} of ${row.of}`);
  assert.deepEqual(
    missing,
    [],
    "`deno task figures` would train these: finish them, or keep the paper on tfjs",
  );
});

Deno.test("a paper on its framework's defaults excuses no claim for fewer seeds or a reduced budget", async () => {
  const { PAPER_LIST } = await import("../../lib/papers/registry.ts");
  const stale = PAPER_LIST.filter((p) => p.defaults !== "tfjs").flatMap((p) =>
    (p.claims as { claims: { id: string; check: object }[] }).claims
      .filter(({ check }) => "fewerSeedsBecause" in check || "reducedSettings" in check)
      .map(({ id }) => id)
  );
  assert.deepEqual(stale, [], "its campaign runs are stored at the paper's settings: drop the excuse");
});
