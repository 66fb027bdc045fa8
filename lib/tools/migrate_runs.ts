/**
 * One-off migration of a run store to the current key scheme ({@link runKey}: config, layer topology,
 * backend and training version, no source hash). Every stored result whose checksum verifies is
 * rewritten under its new key, with `trainingVersion` set; a checkpoint of an unfinished run is renamed
 * with it, so the run resumes (checkpoints older than this scheme carry no config and are left alone:
 * their run finishes under its old key and is migrated then). Results that do not verify are left alone (they would be retrained).
 * Running it again changes nothing.
 *
 * ```sh
 * deno run -A lib/tools/migrate_runs.ts [data/runs]
 * ```
 *
 * @module
 */
import { initBackend } from "../backend/select.ts";
import { main } from "../errors.ts";
import { writeAtomically } from "../data/files.ts";
import { type ExperimentConfig } from "../training/config.ts";
import { loadResult, runKey, runsDir, withChecksum } from "../training/store.ts";
import { TRAINING_VERSION } from "../training/version.ts";

/** What a migration did: old key to new key, for results and checkpoints. */
export interface Migration {
  results: [string, string][];
  checkpoints: [string, string][];
  skipped: string[];
}

/** Migrate every result and checkpoint in `dir` to the current keys. */
export async function migrateRuns(dir = runsDir()): Promise<Migration> {
  await initBackend();
  const done: Migration = { results: [], checkpoints: [], skipped: [] };
  const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
  for (const name of names.filter((n) => n.endsWith(".json") && !n.includes(".ckpt."))) {
    const oldKey = name.slice(0, -".json".length);
    const stored = await loadResult(oldKey, dir, () => {});
    if (!stored) {
      done.skipped.push(name);
      continue;
    }
    const { key } = runKey(stored.config, stored.backend);
    if (key === oldKey && stored.trainingVersion === TRAINING_VERSION) continue;
    const { checksum: _checksum, ...rest } = stored;
    const migrated = withChecksum({ ...rest, key, trainingVersion: TRAINING_VERSION });
    await writeAtomically(`${dir}/${key}.json`, JSON.stringify(migrated));
    if (key !== oldKey) await Deno.remove(`${dir}/${name}`);
    done.results.push([oldKey, key]);
  }
  for (const name of names.filter((n) => n.endsWith(".ckpt.json"))) {
    const oldKey = name.slice(0, -".ckpt.json".length);
    const state = JSON.parse(await Deno.readTextFile(`${dir}/${name}`)) as {
      key: string;
      config?: ExperimentConfig;
      weightsFile?: string;
    };
    const config = state.config; // checkpoints carry their config since the key scheme changed
    if (!config) {
      done.skipped.push(name);
      continue;
    }
    const { key } = runKey(config, (await initBackend()).name);
    if (key === oldKey) continue;
    const weightsFile = `${key}.ckpt.bin`;
    await Deno.rename(`${dir}/${state.weightsFile ?? `${oldKey}.ckpt.bin`}`, `${dir}/${weightsFile}`);
    await writeAtomically(`${dir}/${key}.ckpt.json`, JSON.stringify({ ...state, key, weightsFile }));
    await Deno.remove(`${dir}/${name}`);
    done.checkpoints.push([oldKey, key]);
  }
  return done;
}

if (import.meta.main) {
  await main(async () => {
    const done = await migrateRuns(Deno.args[0]);
    for (const [from, to] of [...done.results, ...done.checkpoints]) console.log(`${from} -> ${to}`);
    console.log(
      `${done.results.length} results and ${done.checkpoints.length} checkpoints migrated` +
        (done.skipped.length
          ? `; left alone (corrupt, or a checkpoint from before checkpoints carried their config): ${
            done.skipped.join(", ")
          }`
          : ""),
    );
  });
}
