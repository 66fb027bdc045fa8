/**
 * Headless execution of every notebook through Jupyter's nbclient (`jupyter nbconvert --execute`)
 * with the Deno kernel, under a profile.
 *
 * ```sh
 * deno run -A lib/headless.ts [--profile smoke|quick|paper] [notebooks/01_eda_pca.ipynb ...]
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
import { initBackend } from "./backend.ts";
import { type Profile, PROFILES, REPO_ROOT } from "./profile.ts";

/** The outcome of one notebook's execution. */
export interface NotebookRun {
  notebook: string;
  ok: boolean;
  seconds: number;
  /** Where the executed copy is (the notebook itself for quick/paper runs that succeeded). */
  output: string;
  /** The end of nbconvert's output when it failed. */
  error?: string;
  /** The session's outputs were lost (see {@link outputsLost}); the run is retried. */
  lostOutputs?: boolean;
}

/** Write a kernelspec for this Deno into `<dir>/kernels/deno` and return `dir`. */
export async function writeKernelspec(dir: string): Promise<string> {
  const kernelDir = `${dir}/kernels/deno`;
  await Deno.mkdir(kernelDir, { recursive: true });
  const spec = {
    argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
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
    throw new Error(`Jupyter's nbconvert is not available (${(e as Error).message}). ${fix}`);
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

/** Check an executed notebook for error outputs nbconvert may have let through. */
function firstErrorOutput(notebookJson: string): string | undefined {
  const nb = JSON.parse(notebookJson) as {
    cells: { outputs?: { output_type: string; ename?: string; evalue?: string }[] }[];
  };
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.output_type === "error") return `${out.ename}: ${out.evalue}`;
    }
  }
  return undefined;
}

/**
 * True when the kernel lost outputs of an executed notebook. Under load, the Deno kernel sometimes
 * reports a cell idle before its output arrives, and nbclient then drops that output, or every
 * output of the session (seen 4 times in 9 runs on a busy machine). Two signs:
 * - the first code cell has no output (every notebook here starts with `setupNotebook`, which
 *   displays something);
 * - a gap in the outputs' numbers: `lib/notebook.ts` numbers every output it displays
 *   (`metadata.fmnist.output` = 1, 2, ...), so a missing number is a lost output.
 */
export function outputsLost(notebookJson: string): boolean {
  type Output = { metadata?: { fmnist?: { output?: number } } };
  const nb = JSON.parse(notebookJson) as { cells: { cell_type: string; outputs?: Output[] }[] };
  const code = nb.cells.filter((c) => c.cell_type === "code");
  if (code.length > 0 && (code[0].outputs ?? []).length === 0) return true;
  const numbers = code.flatMap((c) => (c.outputs ?? []).map((o) => o.metadata?.fmnist?.output))
    .filter((n): n is number => typeof n === "number");
  return numbers.some((n, i) => n !== i + 1);
}

/** Execute one notebook under a profile, retrying (up to 3 tries) a session whose outputs were lost. */
export async function runNotebook(
  path: string,
  profile: Profile,
  options: { jupyterPath: string; outDir: string; timeoutSeconds?: number },
): Promise<NotebookRun> {
  let run: NotebookRun;
  for (let attempt = 1;; attempt++) {
    run = await runNotebookOnce(path, profile, options);
    if (!run.lostOutputs || attempt === 3) break;
  }
  if (run.lostOutputs) {
    return {
      ...run,
      ok: false,
      error: "the kernel lost outputs in 3 tries (an empty first code cell or a gap in the output numbers)",
    };
  }
  return run;
}

async function runNotebookOnce(
  path: string,
  profile: Profile,
  options: { jupyterPath: string; outDir: string; timeoutSeconds?: number },
): Promise<NotebookRun> {
  const name = path.split("/").pop()!;
  const t0 = performance.now();
  const env: Record<string, string> = {
    FMNIST_PROFILE: profile,
    JUPYTER_PATH: options.jupyterPath,
    NO_COLOR: "1",
  };
  if (profile === "smoke") {
    // Smoke runs write nothing into the repository: figures, runs and claims go to the temp dir.
    env.FMNIST_FIGURES_DIR = `${options.outDir}/figures`;
    env.FMNIST_RUNS_DIR = `${options.outDir}/runs`;
    env.FMNIST_CLAIMS_DIR = `${options.outDir}/claims`;
  }
  const outName = name.replace(/\.ipynb$/, "");
  const command = new Deno.Command("jupyter", {
    args: [
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=deno",
      "--ExecutePreprocessor.record_timing=False", // re-runs from the store then leave no diff
      `--ExecutePreprocessor.timeout=${options.timeoutSeconds ?? -1}`,
      "--output-dir",
      options.outDir,
      "--output",
      outName,
      path,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  });
  const result = await command.output();
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
    };
  }
  const executedJson = await Deno.readTextFile(executed);
  const cellError = firstErrorOutput(executedJson);
  if (cellError) return { notebook: name, ok: false, seconds, output: executed, error: cellError };
  if (outputsLost(executedJson)) {
    return { notebook: name, ok: false, seconds, output: executed, lostOutputs: true };
  }
  if (profile === "smoke") return { notebook: name, ok: true, seconds, output: executed };
  // Replace the committed notebook atomically: copy next to it, then rename over it.
  const staged = `${path}.partial-${Deno.pid}`;
  await Deno.copyFile(executed, staged);
  await Deno.rename(staged, path);
  return { notebook: name, ok: true, seconds, output: path };
}

/** Execute notebooks one after another, keep going past failures, and report. */
export async function runAll(
  profile: Profile,
  notebooks?: string[],
  log: (message: string) => void = (m) => console.error(m),
): Promise<NotebookRun[]> {
  await checkJupyter();
  const backend = await initBackend();
  log(`profile ${profile} · backend ${backend.name}: ${backend.description}`);
  for (const reason of backend.skipped) log(`  not used: ${reason}`);
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
    log(
      `${run.ok ? "✓" : "✗"} ${name} in ${run.seconds.toFixed(1)} s${run.ok ? "" : `\n${run.error}`}`,
    );
  }
  const failed = runs.filter((r) => !r.ok);
  const figures = profile === "smoke" ? `${outDir}/figures` : `${REPO_ROOT}figures`;
  log(
    `\n${
      runs.length - failed.length
    } of ${runs.length} notebooks ran (profile ${profile}); figures in ${figures}`,
  );
  if (profile === "smoke") log(`executed copies in ${outDir} (committed notebooks untouched)`);
  for (const f of failed) log(`FAILED ${f.notebook}: executed copy with the error at ${f.output}`);
  log(`notebooks: ${runs.length - failed.length} passed, ${failed.length} failed`);
  return runs;
}

function parseArgs(args: string[]): { profile: Profile; notebooks: string[] } {
  let profile = (Deno.env.get("FMNIST_PROFILE") ?? "quick") as Profile;
  const notebooks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--profile") profile = args[++i] as Profile;
    else if (args[i].startsWith("--profile=")) profile = args[i].slice(10) as Profile;
    else notebooks.push(args[i]);
  }
  if (!PROFILES.includes(profile)) {
    console.error(`unknown profile "${profile}". Fix: use --profile ${PROFILES.join("|")}`);
    Deno.exit(2);
  }
  return { profile, notebooks };
}

if (import.meta.main) {
  const { profile, notebooks } = parseArgs(Deno.args);
  const runs = await runAll(profile, notebooks);
  Deno.exit(runs.every((r) => r.ok) ? 0 : 1);
}
