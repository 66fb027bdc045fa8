/**
 * Stress check of notebook outputs: run every notebook many times under `smoke` while a load of
 * busy-looping processes keeps the cores busy, and count the outputs that were lost or landed in
 * another cell (see `checkOutputs` in `lib/tools/headless.ts`). Not part of `deno task test`: it takes
 * about half a minute per notebook run.
 *
 * ```sh
 * deno task stress [--runs 20] [--load 2] [notebooks/04_three_block_cnn.ipynb ...]
 * ```
 *
 * `--load` is the number of busy processes (default: one per core). The exit status is non-zero
 * when any output was lost or misplaced, or a run failed.
 *
 * @module
 */
import { main, UserError } from "../errors.ts";
import { checkJupyter, listNotebooks, type NotebookRun, runNotebook, writeKernelspec } from "./headless.ts";

/** Per-notebook totals of a stress check. */
export interface StressTotals {
  notebook: string;
  runs: number;
  /** Runs that failed for another reason than lost or misplaced outputs (an error in a cell). */
  failed: number;
  outputs: number;
  lost: number;
  misplaced: number;
  seconds: number[];
}

/** Start `count` processes that busy-loop until killed; returns a function that stops them. */
export function startLoad(count: number): () => void {
  const children = Array.from({ length: count }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "for (;;) {}"],
      stdout: "null",
      stderr: "null",
    }).spawn());
  return () => {
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  };
}

function positiveInt(flag: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag} needs a whole number, got "${text}"`);
  return n;
}

/** Parse `[--runs N] [--load N] [notebook ...]`. */
export function parseStressArgs(args: string[]): { runs: number; load: number; notebooks: string[] } {
  let runs = 20;
  let load = navigator.hardwareConcurrency;
  const notebooks: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--runs") runs = positiveInt("--runs", args[++i]);
    else if (args[i] === "--load") load = positiveInt("--load", args[++i]);
    else if (args[i].startsWith("-")) {
      throw new UserError(`unknown option "${args[i]}". Usage: [--runs N] [--load N] [notebook.ipynb ...]`);
    } else {
      try {
        if (!Deno.statSync(args[i]).isFile) throw new Error();
      } catch {
        throw new UserError(
          `notebook "${args[i]}" does not exist. Fix: give a path such as notebooks/01_eda_pca.ipynb`,
        );
      }
      notebooks.push(args[i].startsWith("/") ? args[i] : `${Deno.cwd()}/${args[i]}`);
    }
  }
  if (runs < 1) throw new UserError("--runs must be at least 1");
  return { runs, load, notebooks };
}

/** Run each notebook `runs` times under `smoke` with `load` busy processes, and tally the outputs. */
export async function stress(
  options: { runs: number; load: number; notebooks?: string[]; log?: (m: string) => void },
): Promise<StressTotals[]> {
  const log = options.log ?? ((m: string) => console.error(m));
  await checkJupyter();
  const list = options.notebooks?.length ? options.notebooks : await listNotebooks();
  const work = await Deno.makeTempDir({ prefix: "fmnist-stress-" });
  const jupyterPath = await writeKernelspec(`${work}/jupyter`);
  const stop = startLoad(options.load);
  const onSignal = () => {
    stop();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  log(`stress: ${options.runs} smoke runs of ${list.length} notebooks, ${options.load} busy processes`);
  const totals: StressTotals[] = [];
  try {
    for (const path of list) {
      const name = path.split("/").pop()!;
      const t: StressTotals = {
        notebook: name,
        runs: 0,
        failed: 0,
        outputs: 0,
        lost: 0,
        misplaced: 0,
        seconds: [],
      };
      totals.push(t);
      for (let i = 1; i <= options.runs; i++) {
        const outDir = `${work}/run-${totals.length}-${i}`;
        await Deno.mkdir(outDir, { recursive: true });
        const run: NotebookRun = await runNotebook(path, "smoke", { jupyterPath, outDir });
        t.runs++;
        t.seconds.push(run.seconds);
        t.outputs += run.outputs?.produced ?? 0;
        t.lost += run.outputs?.lost.length ?? 0;
        t.misplaced += run.outputs?.misplaced.length ?? 0;
        if (!run.ok && !run.outputs) t.failed++;
        log(
          `${name} ${i}/${options.runs}: ${run.ok ? "ok" : `FAILED: ${run.error}`} (${
            run.seconds.toFixed(1)
          } s)`,
        );
        if (run.ok) await Deno.remove(outDir, { recursive: true });
      }
    }
  } finally {
    stop();
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  return totals;
}

/** The totals as a plain-text table. */
export function formatTotals(totals: StressTotals[]): string {
  const rows = totals.map((t) => {
    const s = [...t.seconds].sort((a, b) => a - b);
    return [
      t.notebook,
      `${t.runs}`,
      `${t.outputs}`,
      `${t.lost}`,
      `${t.misplaced}`,
      `${t.failed}`,
      s.length ? `${s[Math.floor(s.length / 2)].toFixed(1)}` : "-",
    ];
  });
  const head = ["notebook", "runs", "outputs", "lost", "misplaced", "failed", "median s"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}

if (import.meta.main) {
  await main(async () => {
    const totals = await stress(parseStressArgs(Deno.args));
    console.log(formatTotals(totals));
    return totals.every((t) => t.lost === 0 && t.misplaced === 0 && t.failed === 0) ? 0 : 1;
  });
}
