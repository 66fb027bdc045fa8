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
import { inNotebook } from "../kernel.ts";

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

/** Set by `deno task figures` for the notebooks it executes: their figures are the committed ones. */
export const COMMIT_FIGURES_VAR = "FMNIST_COMMIT_FIGURES";

/**
 * Directory figures are written to: `FMNIST_FIGURES_DIR` when set; for a notebook, the repository's
 * `figures/` only under `deno task figures` (which sets {@link COMMIT_FIGURES_VAR}), else the git-ignored
 * `figures/local/`, so running a notebook by hand never changes a committed figure; for the tools
 * (bench, scorecard), `figures/`.
 */
export function figuresDir(): string {
  const explicit = Deno.env.get("FMNIST_FIGURES_DIR");
  if (explicit) return explicit;
  if (inNotebook() && Deno.env.get(COMMIT_FIGURES_VAR) !== "1") return `${REPO_ROOT}figures/local`;
  return `${REPO_ROOT}figures`;
}
