/**
 * `deno task assign`: the student versions of the notebooks, as nbgrader's `generate_assignment`
 * makes them (see COURSEWORK.md).
 *
 * ```sh
 * deno task assign [--out release] [notebooks/01_eda_pca.ipynb ...]
 * ```
 *
 * Every notebook (by default all of `notebooks/`) is checked first (nbgrader v3 metadata, solution
 * and hidden-test regions); then each is written, atomically, to the output folder under the same
 * name: solution regions replaced by `notImplemented();`, hidden tests removed, outputs and
 * execution counts cleared, locked and test cells non-editable and non-deletable, and the checksum
 * and type of every nbgrader cell recorded. The output folder sits beside `notebooks/` by default, so
 * the released notebooks import `../lib/papers/<paper>/mod.ts` as the originals do.
 *
 * @module
 */
import { parseArgs as parseFlags } from "node:util";
import { main, UserError } from "../errors.ts";
import { REPO_ROOT } from "../training/profile.ts";
import { listNotebooks } from "./headless.ts";
import {
  exercises,
  isSolution,
  LANGUAGE,
  type Notebook,
  readNotebook,
  releaseCell,
  validateNotebook,
  writeNotebook,
} from "./nbgrader.ts";

/** Where `deno task assign` writes by default (git-ignored). */
export const DEFAULT_RELEASE_DIR = `${REPO_ROOT}release`;

/** The student version of a notebook (see `releaseCell` in nbgrader.ts). The input is not changed. */
export function releaseNotebook(nb: Notebook): Notebook {
  const metadata = structuredClone(nb.metadata);
  delete metadata.celltoolbar;
  return { ...nb, metadata, cells: nb.cells.map(releaseCell) };
}

/** Why a notebook cannot be released, in one line, or null when it can. */
export function releaseProblem(nb: Notebook, name: string): string | null {
  const problems = validateNotebook(nb);
  const language = (nb.metadata.kernelspec as { language?: string } | undefined)?.language ?? "python";
  if (language !== LANGUAGE && nb.cells.some((c) => isSolution(c) && c.cell_type === "code")) {
    problems.push(`the kernel language is "${language}"; solution stubs are written for "${LANGUAGE}"`);
  }
  if (!problems.length) return null;
  const shown = problems.slice(0, 5).join("; ") +
    (problems.length > 5 ? `; and ${problems.length - 5} more` : "");
  return `${name}: ${problems.length} problem(s) with its exercises: ${shown}`;
}

/** One released notebook. */
export interface Release {
  source: string;
  output: string;
  exercises: number;
  points: number;
}

/**
 * Release notebooks into `outDir`. Every notebook is read and checked before anything is written;
 * a problem is a {@link UserError} naming the notebook and the cells.
 */
export async function assign(paths: string[], outDir: string): Promise<Release[]> {
  const notebooks: { path: string; nb: Notebook }[] = [];
  for (const path of paths) {
    const nb = await readNotebook(path);
    const problem = releaseProblem(nb, path);
    if (problem) throw new UserError(`${problem}. Fix the notebook's nbgrader metadata (see COURSEWORK.md)`);
    notebooks.push({ path, nb });
  }
  await Deno.mkdir(outDir, { recursive: true });
  const releases: Release[] = [];
  for (const { path, nb } of notebooks) {
    const output = `${outDir}/${path.split("/").pop()}`;
    if (await sameFile(path, output)) {
      throw new UserError(`${output} would overwrite its own source. Fix: give another --out folder`);
    }
    await writeNotebook(output, releaseNotebook(nb));
    const found = exercises(nb);
    releases.push({
      source: path,
      output,
      exercises: found.length,
      points: found.reduce((s, e) => s + e.points, 0),
    });
  }
  return releases;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await Deno.realPath(a)) === (await Deno.realPath(b));
  } catch {
    return false;
  }
}

/** Parse `[--out DIR] [notebook ...]`; an unknown option or a missing notebook is a {@link UserError}. */
export async function parseArgs(args: string[]): Promise<{ outDir: string; notebooks: string[] }> {
  const { values, positionals } = parseFlags({
    args,
    options: { out: { type: "string" } },
    allowPositionals: true,
  });
  const notebooks = positionals.length ? positionals : await listNotebooks();
  for (const path of notebooks) {
    const isFile = await Deno.stat(path).then((s) => s.isFile, () => false);
    if (!isFile || !path.endsWith(".ipynb")) {
      throw new UserError(
        `notebook "${path}" does not exist. Fix: give a path such as notebooks/01_eda_pca.ipynb`,
      );
    }
  }
  return { outDir: values.out ?? DEFAULT_RELEASE_DIR, notebooks };
}

if (import.meta.main) {
  await main(async () => {
    const { outDir, notebooks } = await parseArgs(Deno.args);
    for (const r of await assign(notebooks, outDir)) {
      console.log(`released ${r.source} -> ${r.output} (${r.exercises} exercises, ${r.points} points)`);
    }
  });
}
