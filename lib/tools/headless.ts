/**
 * Headless execution of every notebook through Jupyter's nbclient (`jupyter nbconvert --execute`)
 * with the Deno kernel, under a profile.
 *
 * ```sh
 * deno run -A lib/tools/headless.ts [--profile smoke|quick|paper] [notebooks/01_eda_pca.ipynb ...]
 * ```
 *
 * - The Deno kernelspec is written to a temporary `JUPYTER_PATH`, pointing at this very Deno,
 *   so nothing needs registering first.
 * - `quick` and `paper` runs replace each notebook with its executed copy (atomically, and only
 *   if it ran to the end) and write figures to `figures/`. `smoke` runs write the executed
 *   notebooks and figures to a temporary directory: committed files are never touched.
 * - A failing notebook does not stop the others; the exit status is non-zero and each failure
 *   is named at the end.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { initBackend } from "../backend/select.ts";
import { loadFashionMnist } from "../data/fashion_mnist.ts";
import { main, UserError } from "../errors.ts";
import { COMMIT_FIGURES_VAR, type Profile, PROFILES, REPO_ROOT } from "../training/profile.ts";
import { checkOutputs, describeOutputCheck, firstErrorOutput, type OutputCheck } from "./output_check.ts";

/** The outcome of one notebook's execution. */
export interface NotebookRun {
  notebook: string;
  ok: boolean;
  seconds: number;
  /** Where the executed copy is (the notebook itself for quick/paper runs that succeeded). */
  output: string;
  /** What went wrong, when it failed. */
  error?: string;
  /** The output check (see {@link checkOutputs}), when the notebook ran to the end. */
  outputs?: OutputCheck;
  /** How each code cell that ran ended, from the kernel's replies (see {@link CellStatus}). */
  cells?: CellStatus[];
}

/** How one code cell ended: the kernel's execute_reply, recorded by `headless_hooks.py`. */
export interface CellStatus {
  /** Index of the cell in the notebook. */
  cell: number;
  /** The reply's status: "ok" or "error". */
  status: string;
  ename?: string;
  evalue?: string;
  seconds: number;
  /** Resident memory of the kernel after the cell (MiB), where the platform tells. */
  kernelMiB?: number | null;
}

/** The kernel's resident memory after the last cell that ran (MiB), or null when not measured. */
export function kernelMemoryAfter(cells: CellStatus[] | undefined): number | null {
  return cells?.findLast((c) => typeof c.kernelMiB === "number")?.kernelMiB ?? null;
}

/** The `ename` of a cell that ran past the per-cell timeout and was interrupted (see {@link RunOptions}). */
export const TIMEOUT_ENAME = "CellTimeoutError";

/** Options of {@link runNotebook}. */
export interface RunOptions {
  /** The `JUPYTER_PATH` holding the kernelspec (see {@link writeKernelspec}). */
  jupyterPath: string;
  /** Where the executed copy, the output ledger and (smoke) figures and runs go. */
  outDir: string;
  /** Seconds a cell may run (nbclient's timeout); none by default. */
  timeoutSeconds?: number;
  /**
   * Keep going past cells that raise (nbclient's allow_errors): the run succeeds with the errors in
   * the executed copy, which never replaces the notebook.
   */
  allowErrors?: boolean;
  /**
   * Interrupt a cell that runs past `timeoutSeconds`, record it as failed with {@link TIMEOUT_ENAME}
   * (nbclient's error_on_timeout) and go on with the next cell, instead of failing the run.
   */
  interruptOnTimeout?: boolean;
  /**
   * Execute with the kernel in this directory (the notebook goes to nbconvert on stdin), so that a
   * notebook stored elsewhere resolves `../lib/mod.ts` as if it were here. The notebook is never replaced.
   */
  workingDir?: string;
}

export function parseCellStatus(text: string): CellStatus[] {
  return text.split("\n").filter((l) => l.trim()).flatMap((line) => {
    try {
      return [JSON.parse(line) as CellStatus];
    } catch {
      return [];
    }
  });
}

/**
 * Write a kernelspec for this Deno into `<dir>/kernels/deno` and return `dir`. Interrupts are sent
 * as messages: with the default (a SIGINT), the Deno kernel cannot stop a busy cell.
 */
export async function writeKernelspec(dir: string): Promise<string> {
  const kernelDir = `${dir}/kernels/deno`;
  await Deno.mkdir(kernelDir, { recursive: true });
  const spec = {
    argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    interrupt_mode: "message",
    env: { NO_COLOR: "1" },
  };
  await Deno.writeTextFile(`${kernelDir}/kernel.json`, JSON.stringify(spec, null, 2));
  return dir;
}

/** Fail early, with the install line, if Jupyter's nbconvert is not available. */
export async function checkJupyter(): Promise<void> {
  const fix = "Fix: install Jupyter: sudo apt-get install jupyter-nbconvert python3-nbclient " +
    "jupyter-client python3-ipykernel (Debian/Ubuntu), or pip install nbconvert nbclient ipykernel";
  try {
    const { success } = await new Deno.Command("jupyter", {
      args: ["nbconvert", "--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    if (!success) throw new Error("jupyter nbconvert --version failed");
  } catch (e) {
    throw new UserError(`Jupyter's nbconvert is not available (${(e as Error).message}). ${fix}`);
  }
}

/** The notebooks in `notebooks/`, sorted by name. */
export async function listNotebooks(): Promise<string[]> {
  const dir = `${REPO_ROOT}notebooks`;
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) names.push(`${dir}/${entry.name}`);
  }
  return names.sort();
}

export { checkOutputs, describeOutputCheck, type OutputCheck } from "./output_check.ts";

/**
 * `jupyter nbconvert` arguments that execute a notebook with the Deno kernel and this runner's hooks: a
 * per-cell timeout (none by default), and optionally going past errors and interrupting a cell at the
 * timeout (recorded as {@link TIMEOUT_ENAME}). Input and output arguments follow them.
 */
export function nbconvertExecute(
  options: { timeoutSeconds?: number; allowErrors?: boolean; interruptOnTimeout?: boolean },
): string[] {
  return [
    "nbconvert",
    "--config",
    HOOKS,
    "--to",
    "notebook",
    "--execute",
    "--ExecutePreprocessor.kernel_name=deno",
    "--ExecutePreprocessor.record_timing=False", // re-runs from the store then leave no diff
    `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? -1}`,
    ...(options.allowErrors ? ["--allow-errors"] : []),
    ...(options.interruptOnTimeout
      ? [
        "--ExecutePreprocessor.interrupt_on_timeout=True",
        `--ExecutePreprocessor.error_on_timeout={'ename': '${TIMEOUT_ENAME}', 'evalue': ` +
        `'the cell ran past the timeout of ${options.timeoutSeconds} s and was interrupted'}`,
      ]
      : []),
  ];
}

export const HOOKS = fileURLToPath(new URL("./headless_hooks.py", import.meta.url));

/**
 * Execute one notebook under a profile and check that every output sits in the cell that produced it.
 * By default a cell that raises fails the run; see {@link RunOptions} for grading runs, which go past
 * errors and timeouts.
 */
export async function runNotebook(path: string, profile: Profile, options: RunOptions): Promise<NotebookRun> {
  const name = path.split("/").pop()!;
  const t0 = performance.now();
  const outName = name.replace(/\.ipynb$/, "");
  const cellFile = `${options.outDir}/${outName}.cell`;
  const ledgerFile = `${options.outDir}/${outName}.outputs`;
  const statusFile = `${options.outDir}/${outName}.status`;
  await Deno.writeTextFile(ledgerFile, "");
  await Deno.writeTextFile(statusFile, "");
  const env: Record<string, string> = {
    FMNIST_PROFILE: profile,
    JUPYTER_PATH: options.jupyterPath,
    NO_COLOR: "1",
    FMNIST_CELL_FILE: cellFile,
    FMNIST_OUTPUT_LEDGER: ledgerFile,
    FMNIST_CELL_STATUS: statusFile,
  };
  // Only the paper profile's figures are the committed ones (README embeds them).
  if (profile === "paper") env[COMMIT_FIGURES_VAR] = "1";
  if (profile === "smoke") {
    // Smoke runs write nothing into the repository: figures, runs and claims go to the temp dir.
    env.FMNIST_FIGURES_DIR = `${options.outDir}/figures`;
    env.FMNIST_RUNS_DIR = `${options.outDir}/runs`;
    env.FMNIST_CLAIMS_DIR = `${options.outDir}/claims`;
    env.FMNIST_MEASUREMENTS_DIR = `${options.outDir}/measurements`;
  }
  const fromStdin = options.workingDir !== undefined;
  const command = new Deno.Command("jupyter", {
    args: [
      ...nbconvertExecute(options),
      "--output-dir",
      options.outDir,
      "--output",
      outName,
      ...(fromStdin ? ["--stdin"] : [path]),
    ],
    env,
    cwd: options.workingDir,
    stdin: fromStdin ? "piped" : "inherit",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (fromStdin) {
    const writer = child.stdin.getWriter();
    // If nbconvert exits before reading it all, its exit status and log say why.
    await writer.write(await Deno.readFile(path)).then(() => writer.close()).catch(() => {});
  }
  const result = await child.output();
  const cells = parseCellStatus(await Deno.readTextFile(statusFile));
  const seconds = (performance.now() - t0) / 1000;
  const executed = `${options.outDir}/${outName}.ipynb`;
  const log = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
  if (!result.success) {
    return {
      notebook: name,
      ok: false,
      seconds,
      output: executed,
      error: log.trim().split("\n").slice(-15).join("\n"),
      cells,
    };
  }
  const executedJson = await Deno.readTextFile(executed);
  const cellError = options.allowErrors ? undefined : firstErrorOutput(JSON.parse(executedJson));
  if (cellError) return { notebook: name, ok: false, seconds, output: executed, error: cellError, cells };
  const outputs = checkOutputs(executedJson, await Deno.readTextFile(ledgerFile));
  const problem = describeOutputCheck(outputs);
  if (problem) {
    return { notebook: name, ok: false, seconds, output: executed, error: problem, outputs, cells };
  }
  if (profile === "smoke" || options.allowErrors || fromStdin) {
    return { notebook: name, ok: true, seconds, output: executed, outputs, cells };
  }
  // Replace the committed notebook atomically: copy next to it, then rename over it.
  const staged = `${path}.partial-${Deno.pid}`;
  await Deno.copyFile(executed, staged);
  await Deno.rename(staged, path);
  return { notebook: name, ok: true, seconds, output: path, outputs, cells };
}

/** Execute notebooks one after another, keep going past failures, and report. */
export async function runAll(
  profile: Profile,
  notebooks?: string[],
  log: (message: string) => void = (m) => console.error(m),
): Promise<NotebookRun[]> {
  await checkJupyter();
  const backend = await initBackend();
  log(`profile ${profile} · backend ${backend.choice}: ${backend.description}`);
  for (const reason of backend.skipped) log(`  not used: ${reason}`);
  // Every notebook reads the dataset: a missing or corrupt file is one line here, not a traceback per notebook.
  await loadFashionMnist();
  const work = await Deno.makeTempDir({ prefix: "fmnist-headless-" });
  const jupyterPath = await writeKernelspec(`${work}/jupyter`);
  const outDir = `${work}/executed`;
  await Deno.mkdir(outDir, { recursive: true });
  const list = notebooks?.length
    ? notebooks.map((n) => (n.startsWith("/") ? n : `${Deno.cwd()}/${n}`))
    : await listNotebooks();
  const runs: NotebookRun[] = [];
  for (const path of list) {
    const name = path.split("/").pop();
    log(`▶ ${name} (profile ${profile}) …`);
    const run = await runNotebook(path, profile, { jupyterPath, outDir });
    runs.push(run);
    const memory = kernelMemoryAfter(run.cells);
    log(
      `${run.ok ? "✓" : "✗"} ${name} in ${run.seconds.toFixed(1)} s` +
        (memory === null ? "" : ` · kernel ${(memory / 1024).toFixed(2)} GiB after the last cell`) +
        (run.ok ? "" : `\n${run.error}`),
    );
  }
  const failed = runs.filter((r) => !r.ok);
  const figures =
    { smoke: `${outDir}/figures`, quick: `${REPO_ROOT}figures/local`, paper: `${REPO_ROOT}figures` }[profile];
  log(
    `\n${
      runs.length - failed.length
    } of ${runs.length} notebooks ran (profile ${profile}); figures in ${figures}`,
  );
  if (profile === "smoke") log(`executed copies in ${outDir} (committed notebooks untouched)`);
  for (const f of failed) {
    const copy = existsFile(f.output)
      ? `executed copy with the error at ${f.output}`
      : "it did not run (see above)";
    log(`FAILED ${f.notebook}: ${copy}`);
  }
  log(`notebooks: ${runs.length - failed.length} passed, ${failed.length} failed`);
  return runs;
}

/** Parse `[--profile P] [notebook ...]`; a bad profile or a missing notebook is a {@link UserError}. */
export function parseArgs(args: string[]): { profile: Profile; notebooks: string[] } {
  let profile = Deno.env.get("FMNIST_PROFILE") ?? "quick";
  const notebooks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--profile") profile = args[++i] ?? "";
    else if (args[i].startsWith("--profile=")) profile = args[i].slice(10);
    else if (args[i].startsWith("-")) {
      throw new UserError(
        `unknown option "${args[i]}". Usage: [--profile ${PROFILES.join("|")}] [notebook.ipynb ...]`,
      );
    } else notebooks.push(args[i]);
  }
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new UserError(`unknown profile "${profile}". Fix: use --profile ${PROFILES.join("|")}`);
  }
  for (const path of notebooks) {
    let isFile = false;
    try {
      isFile = Deno.statSync(path).isFile;
    } catch { /* reported below */ }
    if (!isFile || !path.endsWith(".ipynb")) {
      throw new UserError(
        `notebook "${path}" does not exist. Fix: give a path such as notebooks/01_eda_pca.ipynb`,
      );
    }
    try {
      if (!Array.isArray(JSON.parse(Deno.readTextFileSync(path)).cells)) {
        throw new Error("it has no list of cells");
      }
    } catch (e) {
      throw new UserError(
        `notebook "${path}" is not valid notebook JSON (${(e as Error).message.split("\n")[0]}). ` +
          `Fix: restore it (git checkout -- ${path}) or repair it in Jupyter`,
      );
    }
  }
  return { profile: profile as Profile, notebooks };
}

function existsFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  await main(async () => {
    const { profile, notebooks } = parseArgs(Deno.args);
    const runs = await runAll(profile, notebooks);
    return runs.every((r) => r.ok) ? 0 : 1;
  });
}
