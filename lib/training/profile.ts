/**
 * Run profiles, chosen by the `FMNIST_PROFILE` environment variable, and where outputs go.
 *
 * - `smoke`: tiny slices, for CI: every notebook in minutes; never overwrites committed figures.
 * - `quick` (default): full data where cheap, reduced epochs.
 * - `paper`: each paper's own splits, epochs and batch sizes.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.ts";

/** The three run profiles. */
export type Profile = "smoke" | "quick" | "paper";
/** Every profile, cheapest first. */
export const PROFILES: readonly Profile[] = ["smoke", "quick", "paper"];

/** The repository root (the directory holding `deno.json`). */
export const REPO_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** The active profile: `FMNIST_PROFILE`, default `quick`; an unknown value is an error. */
export function currentProfile(): Profile {
  const value = (Deno.env.get("FMNIST_PROFILE") ?? "quick").trim().toLowerCase();
  if (!(PROFILES as readonly string[]).includes(value)) {
    throw new UserError(
      `FMNIST_PROFILE="${value}" is not a profile. Fix: set it to one of ${PROFILES.join(", ")}`,
    );
  }
  return value as Profile;
}

/** Directory figures are written to: `FMNIST_FIGURES_DIR`, default the repository's `figures/`. */
export function figuresDir(): string {
  return Deno.env.get("FMNIST_FIGURES_DIR") ?? `${REPO_ROOT}figures`;
}
