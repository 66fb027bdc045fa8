/**
 * `deno task grade`: grade submitted notebooks against the source notebooks (see COURSEWORK.md).
 *
 * ```sh
 * deno task grade submissions/ [--source notebooks] [--timeout 60] [--out grades]
 * ```
 *
 * `submissions/` holds one folder per student (the folder's name is the student's id) with the
 * submitted notebooks, under the source notebooks' file names, anywhere inside it (so nbgrader's
 * `submitted/<student>/<assignment>/` layout works too). For each student and each source notebook
 * with exercises: the test and locked cells are restored from the source, hidden tests included
 * (lib/tools/grading.ts); the notebook runs headless under profile `smoke`, from the source folder so
 * that `../lib/mod.ts` resolves, going past errors and interrupting any cell that runs past the
 * timeout; and each exercise scores its points when its test cell ran without error. The results go
 * to `<out>/grades.csv` and `<out>/feedback/<student>.md`. One bad submission (invalid JSON, a deleted
 * cell, an endless loop, another assignment's notebook) costs only its own rows.
 *
 * @module
 */
import { parseArgs as parseFlags } from "node:util";
import { main, UserError } from "../errors.ts";
import { writeAtomically } from "../data/files.ts";
import { REPO_ROOT } from "../training/profile.ts";
import { checkJupyter, runNotebook, writeKernelspec } from "./headless.ts";
import {
  exercises,
  type Notebook,
  parseNotebook,
  readNotebook,
  validateNotebook,
  writeNotebook,
} from "./nbgrader.ts";
import {
  armNotebook,
  type Execution,
  type GradeRow,
  oneLine,
  prepareSubmission,
  scoreExercises,
} from "./grading.ts";
import { requireSandbox } from "./sandbox.ts";
import { runSandboxed } from "./grade_run.ts";
import { feedbackMarkdown, gradesCsv } from "./grade_report.ts";

/**
 * Memory (GiB) a graded run may hold by default, Jupyter and kernel together. Measured peaks under
 * `smoke`: notebook 02 1.0 GiB, 04 1.8 GiB, 07 4.3 GiB (it reads the Kaggle CSV files through danfojs).
 */
export const DEFAULT_MEMORY_GIB = 6;

/** Options of {@link grade}. */
export interface GradeOptions {
  /** The folder with one sub-folder per student. */
  submissions: string;
  /** The folder of the source (instructor) notebooks. */
  sourceDir: string;
  /** Where grades.csv and feedback/ go. */
  outDir: string;
  /** Seconds each cell may run before it is interrupted. */
  timeoutSeconds: number;
  /** Grade outside the sandbox (trusted notebooks only; see COURSEWORK.md). */
  unsafeNoSandbox?: boolean;
  /** Memory a run's processes may hold together, in bytes (default {@link DEFAULT_MEMORY_GIB} GiB). */
  memoryLimitBytes?: number;
  /** Grade only the notebooks each student handed in (self-grading), not the missing ones as 0. */
  onlySubmitted?: boolean;
  /** Progress lines (stderr by default). */
  log?: (message: string) => void;
}

/** What {@link grade} produced. */
export interface GradeResult {
  rows: GradeRow[];
  csvPath: string;
  /** Student id to the path of their feedback file. */
  feedback: Map<string, string>;
}

interface Source {
  name: string;
  path: string;
  nb: Notebook;
}

async function sources(folder: string): Promise<{ graded: Source[]; names: Set<string> }> {
  const dir = await Deno.realPath(folder);
  const names = new Set<string>();
  const graded: Source[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".ipynb")) continue;
    names.add(entry.name);
    const path = `${dir}/${entry.name}`;
    const nb = await readNotebook(path);
    if (!exercises(nb).length) continue;
    const problems = validateNotebook(nb);
    if (problems.length) {
      throw new UserError(`${path}: ${problems.slice(0, 3).join("; ")}. Fix the source notebook`);
    }
    graded.push({ name: entry.name, path, nb });
  }
  if (!graded.length) {
    throw new UserError(
      `no notebook in ${folder} has exercises. Fix: give --source the folder of the source notebooks`,
    );
  }
  graded.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { graded, names };
}

/** The .ipynb files anywhere under `dir` (checkpoints skipped), by file name, in path order. */
async function submittedFiles(dir: string, prefix = ""): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const entries = (await Array.fromAsync(Deno.readDir(dir))).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) {
      for (const [name, paths] of await submittedFiles(`${dir}/${entry.name}`, `${prefix}${entry.name}/`)) {
        found.set(name, [...(found.get(name) ?? []), ...paths]);
      }
    } else if (entry.isFile && entry.name.endsWith(".ipynb")) {
      found.set(entry.name, [...(found.get(entry.name) ?? []), `${prefix}${entry.name}`]);
    }
  }
  return found;
}

/** Grade every student's submissions; see the module documentation. */
export async function grade(options: GradeOptions): Promise<GradeResult> {
  const log = options.log ?? ((m: string) => console.error(m));
  const { graded, names } = await sources(options.sourceDir);
  const students = (await Array.fromAsync(Deno.readDir(options.submissions)))
    .filter((e) => e.isDirectory && !e.name.startsWith(".")).map((e) => e.name).sort();
  if (!students.length) {
    throw new UserError(
      `no student folders in ${options.submissions}. Fix: put each student's notebooks in a folder named after them`,
    );
  }
  await checkJupyter();
  if (options.unsafeNoSandbox) {
    log("WARNING: grading without a sandbox: a submission can change other grades and read the hidden tests");
  } else await requireSandbox();
  // Never visible inside a sandbox: the solutions, the history, the tests, the grades, other submissions.
  const root = REPO_ROOT.replace(/\/+$/, "");
  const hidden = await Promise.all(
    [
      options.sourceDir,
      options.submissions,
      options.outDir,
      `${root}/.git`,
      `${root}/tests`,
      `${root}/notebooks`,
    ]
      .map((p) => Deno.realPath(p).catch(() => p)),
  );
  const work = await Deno.makeTempDir({ prefix: "fmnist-grade-" });
  const rows: GradeRow[] = [];
  const feedback = new Map<string, string>();
  try {
    const jupyterPath = await writeKernelspec(`${work}/jupyter`);
    let run = 0;
    for (const student of students) {
      const own: GradeRow[] = [];
      const notes = new Map<string, string[]>();
      const files = await submittedFiles(`${options.submissions}/${student}`);
      for (const source of graded) {
        const paths = files.get(source.name) ?? [];
        if (!paths.length && options.onlySubmitted) continue;
        const who = { student, notebook: source.name };
        if (paths.length > 1) {
          notes.set(source.name, [`several files named ${source.name}: graded ${paths[0]}`]);
        }
        const t0 = performance.now();
        const result = await gradeOne(source, paths[0], `${options.submissions}/${student}`, who, {
          jupyterPath,
          dir: `${work}/run${++run}`,
          timeoutSeconds: options.timeoutSeconds,
          sandbox: options.unsafeNoSandbox ? undefined : {
            repoRoot: root,
            hidden,
            memoryLimitBytes: options.memoryLimitBytes ?? DEFAULT_MEMORY_GIB * 2 ** 30,
          },
        });
        own.push(...result.rows);
        if (result.general.length) {
          notes.set(source.name, [...(notes.get(source.name) ?? []), ...result.general]);
        }
        const points = result.rows.reduce((s, r) => s + r.points, 0);
        const max = result.rows.reduce((s, r) => s + r.maxPoints, 0);
        const peak = result.peakBytes ? `, peak ${(result.peakBytes / 2 ** 30).toFixed(1)} GiB` : "";
        log(
          `${student}/${source.name}: ${points} / ${max} points (${
            ((performance.now() - t0) / 1000).toFixed(1)
          } s${peak})`,
        );
      }
      for (const [name, paths] of files) {
        if (names.has(name)) continue;
        own.push({
          student,
          notebook: name,
          exercise: "",
          points: 0,
          maxPoints: 0,
          status: "wrong notebook",
          message: `${paths[0]} is not a notebook of this assignment (its notebooks: ${
            graded.map((s) => s.name).join(", ")
          })`,
        });
      }
      rows.push(...own);
      const path = `${options.outDir}/feedback/${student}.md`;
      feedback.set(student, path);
      await Deno.mkdir(`${options.outDir}/feedback`, { recursive: true });
      await writeAtomically(path, feedbackMarkdown(student, own, notes));
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  const csvPath = `${options.outDir}/grades.csv`;
  await writeAtomically(csvPath, gradesCsv(rows));
  return { rows, csvPath, feedback };
}

/** Grade one student's copy of one source notebook (`file` relative to `studentDir`, or none). */
async function gradeOne(
  source: Source,
  file: string | undefined,
  studentDir: string,
  who: { student: string; notebook: string },
  run: {
    jupyterPath: string;
    dir: string;
    timeoutSeconds: number;
    sandbox?: { repoRoot: string; hidden: string[]; memoryLimitBytes: number };
  },
): Promise<{ rows: GradeRow[]; general: string[]; peakBytes?: number }> {
  const all = (status: GradeRow["status"], message: string) =>
    exercises(source.nb).map((e) => ({
      ...who,
      exercise: e.gradeId,
      points: 0,
      maxPoints: e.points,
      status,
      message,
    }));
  if (!file) return { rows: all("missing", `notebook ${source.name} not submitted`), general: [] };
  let submission: Notebook;
  try {
    submission = parseNotebook(await Deno.readTextFile(`${studentDir}/${file}`), `${who.student}/${file}`);
  } catch (e) {
    return { rows: all("invalid", oneLine((e as Error).message)), general: [] };
  }
  const prepared = armNotebook(
    prepareSubmission(source.nb, submission),
    crypto.randomUUID().replaceAll("-", ""),
  );
  if (!prepared.notebook) return { rows: scoreExercises(prepared, null, who), general: prepared.general };
  await Deno.mkdir(`${run.dir}/out`, { recursive: true });
  const workingDir = source.path.slice(0, source.path.lastIndexOf("/")) || ".";
  if (run.sandbox) {
    const ran = await runSandboxed(prepared.notebook, {
      ...run.sandbox,
      scratch: await Deno.realPath(run.dir),
      workingDir,
      timeoutSeconds: run.timeoutSeconds,
    });
    const error = ran.error ? oneLine(ran.error) : undefined;
    const execution = { ...ran, error, timeoutSeconds: run.timeoutSeconds };
    return {
      rows: scoreExercises(prepared, execution, who),
      general: prepared.general,
      peakBytes: ran.peakBytes,
    };
  }
  const merged = `${run.dir}/${source.name}`;
  await writeNotebook(merged, prepared.notebook);
  const result = await runNotebook(merged, "smoke", {
    jupyterPath: run.jupyterPath,
    outDir: `${run.dir}/out`,
    timeoutSeconds: run.timeoutSeconds,
    allowErrors: true,
    interruptOnTimeout: true,
    workingDir,
  });
  let executed: Notebook | null = null;
  try {
    executed = parseNotebook(await Deno.readTextFile(result.output), result.output);
  } catch { /* no executed copy: the run's error says why */ }
  const execution: Execution = {
    executed,
    cells: result.cells ?? [],
    error: result.error ? oneLine(result.error.split("\n").filter((l) => l.trim()).at(-1) ?? "") : undefined,
    timeoutSeconds: run.timeoutSeconds,
  };
  return { rows: scoreExercises(prepared, execution, who), general: prepared.general };
}

/** Parse `<submissions> [--source DIR] [--timeout S] [--out DIR]`; mistakes are {@link UserError}s. */
export async function parseArgs(args: string[]): Promise<GradeOptions> {
  const { values, positionals } = parseFlags({
    args,
    options: {
      source: { type: "string" },
      timeout: { type: "string" },
      out: { type: "string" },
      memory: { type: "string" },
      "unsafe-no-sandbox": { type: "boolean" },
      "only-submitted": { type: "boolean" },
    },
    allowPositionals: true,
  });
  const usage =
    "Usage: deno task grade <submissions-dir> [--source notebooks] [--timeout 60] [--out grades] " +
    `[--memory ${DEFAULT_MEMORY_GIB}] [--only-submitted] [--unsafe-no-sandbox]`;
  if (positionals.length !== 1) throw new UserError(`give exactly one submissions folder. ${usage}`);
  const timeoutSeconds = Number(values.timeout ?? 60);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) {
    throw new UserError(`--timeout must be a whole number of seconds >= 1, got "${values.timeout}"`);
  }
  const isDir = (p: string) => Deno.stat(p).then((s) => s.isDirectory, () => false);
  const submissions = positionals[0].replace(/\/+$/, "");
  if (!await isDir(submissions)) {
    throw new UserError(`submissions folder "${submissions}" does not exist. ${usage}`);
  }
  const sourceDir = (values.source ?? `${REPO_ROOT}notebooks`).replace(/\/+$/, "");
  if (!await isDir(sourceDir)) throw new UserError(`source folder "${sourceDir}" does not exist. ${usage}`);
  const memory = Number(values.memory ?? DEFAULT_MEMORY_GIB);
  if (!(memory > 0)) throw new UserError(`--memory must be a positive number of GiB, got "${values.memory}"`);
  return {
    submissions,
    sourceDir,
    outDir: values.out ?? `${REPO_ROOT}grades`,
    timeoutSeconds,
    unsafeNoSandbox: values["unsafe-no-sandbox"] ?? false,
    onlySubmitted: values["only-submitted"] ?? false,
    memoryLimitBytes: memory * 2 ** 30,
  };
}

if (import.meta.main) {
  await main(async () => {
    const options = await parseArgs(Deno.args);
    const { rows, csvPath, feedback } = await grade(options);
    const students = new Set(rows.map((r) => r.student)).size;
    console.log(
      `graded ${students} students: ${csvPath}, feedback in ${options.outDir}/feedback/ (${feedback.size} files)`,
    );
  });
}
