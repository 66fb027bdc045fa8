/**
 * Paper claims beside our measurements, with a verdict, recorded per notebook in
 * `data/claims/<notebook>.json` (one file per profile run, rewritten atomically).
 *
 * @module
 */
import { summarize } from "./diagnosis.ts";
import { writeAtomically } from "../data/files.ts";
import { REPO_ROOT } from "../training/profile.ts";

/** The verdicts a claim can get. */
export type Verdict =
  | "reproduced within the seed range"
  | "better"
  | "worse"
  | "not reproducible here"
  | "not checkable"
  | "reproduced"
  | "contradicted";

/** One claim of a paper and what we measured. */
export interface Claim {
  paper: string;
  claim: string;
  stated: string;
  measured: string;
  profile: string;
  verdict: Verdict;
}

/**
 * Verdict on a stated number against repeated measurements (e.g. test accuracy over seeds):
 * reproduced when it lies within the seed range widened by `tolerance` (default 0.5 points);
 * otherwise better or worse, seen from our side (`higherIsBetter` for accuracies).
 */
export function compareToSeeds(
  stated: number,
  measured: number[],
  tolerance = 0.005,
  higherIsBetter = true,
): Verdict {
  const { min, max } = summarize(measured);
  if (stated >= min - tolerance && stated <= max + tolerance) return "reproduced within the seed range";
  const oursHigher = min > stated;
  return oursHigher === higherIsBetter ? "better" : "worse";
}

/** Write a notebook's claims to `data/claims/<notebook>.<profile>.json` atomically; returns the path. */
export async function recordClaims(notebook: string, profile: string, claims: Claim[]): Promise<string> {
  const dir = Deno.env.get("FMNIST_CLAIMS_DIR") ?? `${REPO_ROOT}data/claims`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${notebook}.${profile}.json`;
  await writeAtomically(path, JSON.stringify(claims, null, 2) + "\n");
  return path;
}
