/**
 * The campaign's configs: every run the papers' training claims need at their own settings under each
 * paper's framework's defaults, in the order worth training them (cheap, many-claim configurations first),
 * then three seeds of everything under `quick`. Feed the list to the sweep runner:
 *
 * ```sh
 * deno run -A lib/tools/campaign.ts > campaign.json
 * deno run -A lib/training/sweep.ts campaign.json --workers 2 --threads 1
 * deno run -A lib/tools/campaign.ts --status   # what is stored, per experiment, and checkpoints held
 * ```
 *
 * @module
 */
import { main } from "../errors.ts";
import type { ExperimentConfig } from "../training/config.ts";
import { experiment, experimentSeeds } from "../training/experiments.ts";
import { RECIPES } from "../papers/registry.ts";
import { modelSpec } from "../papers/registry.ts";
import { runKey, runsDir } from "../training/store.ts";

/** Every config of the campaign, in training order, each with its paper's framework. */
export function campaignConfigs(): ExperimentConfig[] {
  return campaignEntries().map((e) => e.config);
}

/**
 * The campaign's configs with the experiment each is a seed of, in training order: each recipe's seeds
 * ({@link experimentSeeds}) at the paper's settings, recipes with more seeds (runs of minutes) first, then
 * `quick`'s three seeds of everything.
 */
export function campaignEntries(): { experiment: string; config: ExperimentConfig }[] {
  const out: { experiment: string; config: ExperimentConfig }[] = [];
  const add = (name: string, profile: "paper" | "quick") => {
    for (const seed of experimentSeeds(name, profile)) {
      const config = experiment(name, profile, { seed });
      out.push({ experiment: name, config: { ...config, framework: modelSpec(config.model).framework } });
    }
  };
  const names = Object.keys(RECIPES);
  const seeds = (name: string) => experimentSeeds(name, "paper").length;
  for (const name of [...names].sort((a, b) => seeds(b) - seeds(a))) add(name, "paper");
  for (const name of names) add(name, "quick");
  return out;
}

/** Per experiment and profile: how many of its campaign runs are stored, and the epochs its checkpoints hold. */
export async function campaignStatus(
  dir = runsDir(),
  backend = "wasm",
): Promise<{ experiment: string; profile: string; stored: number; of: number; checkpoints: string[] }[]> {
  const rows = new Map<
    string,
    { experiment: string; profile: string; stored: number; of: number; checkpoints: string[] }
  >();
  for (const { experiment, config } of campaignEntries()) {
    const id = `${experiment} ${config.profile}`;
    const row = rows.get(id) ?? { experiment, profile: config.profile, stored: 0, of: 0, checkpoints: [] };
    rows.set(id, row);
    row.of++;
    const { key } = runKey(config, backend);
    if (await Deno.stat(`${dir}/${key}.json`).then(() => true, () => false)) {
      row.stored++;
      continue;
    }
    const checkpoint = await Deno.readTextFile(`${dir}/${key}.ckpt.json`).catch(() => null);
    if (checkpoint) {
      const epochs = (JSON.parse(checkpoint) as { history: unknown[] }).history.length;
      row.checkpoints.push(`seed ${config.seed} at epoch ${epochs}/${config.epochs}`);
    }
  }
  return [...rows.values()];
}

if (import.meta.main) {
  await main(async () => {
    if (Deno.args.includes("--status")) {
      const rows = await campaignStatus();
      for (const r of rows.filter((r) => r.stored < r.of)) {
        const held = r.checkpoints.length ? ` (checkpoints: ${r.checkpoints.join(", ")})` : "";
        console.log(`${r.experiment} ${r.profile}: ${r.stored} of ${r.of} stored${held}`);
      }
      const [stored, of] = rows.reduce(([s, o], r) => [s + r.stored, o + r.of], [0, 0]);
      console.log(`${stored} of ${of} campaign runs stored`);
      return;
    }
    const configs = campaignConfigs();
    console.log(JSON.stringify(configs));
    console.error(`${configs.length} configs`);
  });
}
