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
