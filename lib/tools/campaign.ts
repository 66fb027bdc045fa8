/**
 * The campaign's configs: every run the papers' training claims need at their own settings under each
 * paper's framework's defaults, in the order worth training them (cheap, many-claim configurations first),
 * then three seeds of everything under `quick`. Feed the list to the sweep runner:
 *
 * ```sh
 * deno run -A lib/tools/campaign.ts > campaign.json
 * deno run -A lib/training/sweep.ts campaign.json --workers 2 --threads 1
 * ```
 *
 * @module
 */
import { main } from "../errors.ts";
import type { ExperimentConfig } from "../training/config.ts";
import { experiment } from "../training/experiments.ts";
import { RECIPES } from "../papers/registry.ts";
import { modelSpec } from "../papers/registry.ts";

/** Seeds per configuration: five where a run is short, three where it costs an hour or more. */
export const CAMPAIGN_SEEDS = { short: 5, long: 3, tinyvggDefault: 10, quick: 3 } as const;

/** Every config of the campaign, in training order, each with its paper's framework. */
export function campaignConfigs(): ExperimentConfig[] {
  const names = Object.keys(RECIPES);
  const out: ExperimentConfig[] = [];
  const add = (name: string, seeds: number, profile: "paper" | "quick" = "paper") => {
    for (let seed = 1; seed <= seeds; seed++) {
      const config = experiment(name, profile, { seed });
      out.push({ ...config, framework: modelSpec(config.model).framework });
    }
  };
  for (const n of names.filter((n) => n.startsWith("002-") && !n.endsWith("-split60k"))) {
    add(n, CAMPAIGN_SEEDS.short);
  }
  add("000-three-block", CAMPAIGN_SEEDS.short);
  for (const n of names.filter((n) => n.endsWith("-split60k"))) add(n, CAMPAIGN_SEEDS.long);
  add("004-tinyvgg", CAMPAIGN_SEEDS.tinyvggDefault);
  for (const n of names.filter((n) => n.startsWith("004-") && n !== "004-tinyvgg")) {
    add(n, CAMPAIGN_SEEDS.short);
  }
  for (const n of names.filter((n) => n.startsWith("001-"))) add(n, CAMPAIGN_SEEDS.long);
  for (const n of names.filter((n) => n.startsWith("003-"))) add(n, CAMPAIGN_SEEDS.long);
  for (const n of names) add(n, CAMPAIGN_SEEDS.quick, "quick");
  return out;
}

if (import.meta.main) {
  await main(() => {
    const configs = campaignConfigs();
    console.log(JSON.stringify(configs));
    console.error(`${configs.length} configs`);
  });
}
