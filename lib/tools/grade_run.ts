/**
 * Run one prepared submission in its sandbox (`sandbox.ts`): Jupyter and the Deno kernel inside
 * bubblewrap, under profile `smoke`. The notebook goes in on stdin and the executed copy comes out on
 * stdout, so no file the student's code can read holds the hidden tests and none it can write holds the
 * results; the kernel's own output is discarded; each cell's status travels in the executed notebook's
 * metadata; and a watchdog ends a run whose processes outgrow the memory limit.
 *
 * @module
 */
import { type CellStatus, nbconvertExecute } from "./headless.ts";
import { type Notebook, parseNotebook } from "./nbgrader.ts";
import { sandboxed, type SandboxSpec, watchMemory } from "./sandbox.ts";

/** What a sandboxed run gave: the executed notebook (null when none came back), cell statuses, an error. */
export interface SandboxedRun {
  executed: Notebook | null;
  cells: CellStatus[];
  error?: string;
  /** The most memory the run's processes held together, in bytes (sampled twice a second). */
  peakBytes: number;
}

/** Options of {@link runSandboxed}. */
export interface SandboxedOptions extends Omit<SandboxSpec, "scratch"> {
  /** A fresh, empty directory: the run's only writable place. */
  scratch: string;
  timeoutSeconds: number;
  memoryLimitBytes: number;
}

/** The kernelspec of a graded run: the kernel's stdout and stderr go nowhere (no back channel). */
async function quietKernelspec(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/kernels/deno`, { recursive: true });
  const spec = {
    argv: [
      "/bin/sh",
      "-c",
      'exec "$0" jupyter --kernel --conn "$1" >/dev/null 2>&1 </dev/null',
      Deno.execPath(),
      "{connection_file}",
    ],
    display_name: "Deno",
    language: "typescript",
    interrupt_mode: "message",
    env: { NO_COLOR: "1" },
  };
  await Deno.writeTextFile(`${dir}/kernels/deno/kernel.json`, JSON.stringify(spec));
}

/** Execute `notebook` in a sandbox; see the module documentation. */
export async function runSandboxed(notebook: Notebook, options: SandboxedOptions): Promise<SandboxedRun> {
  const { scratch } = options;
  await quietKernelspec(`${scratch}/jupyter`);
  const smoke = `${scratch}/smoke`;
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    HOME: scratch,
    NO_COLOR: "1",
    FMNIST_SANDBOXED: "1",
    FMNIST_PROFILE: "smoke",
    JUPYTER_PATH: `${scratch}/jupyter`,
    FMNIST_CELL_FILE: `${scratch}/cell`,
    FMNIST_FIGURES_DIR: `${smoke}/figures`,
    FMNIST_RUNS_DIR: `${smoke}/runs`,
    FMNIST_CLAIMS_DIR: `${smoke}/claims`,
    FMNIST_MEASUREMENTS_DIR: `${smoke}/measurements`,
  };
  for (const name of ["DENO_DIR", "FMNIST_DATA_DIR", "FMNIST_DNNL", "FMNIST_BACKEND"]) {
    const value = Deno.env.get(name);
    if (value) env[name] = value;
  }
  const nbconvert = [
    ...nbconvertExecute({
      timeoutSeconds: options.timeoutSeconds,
      allowErrors: true,
      interruptOnTimeout: true,
    }),
    "--stdin",
    "--stdout",
  ];
  const [program, args] = sandboxed(options, "jupyter", nbconvert);
  const child = new Deno.Command(program, {
    args,
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const memory = watchMemory(child, options.memoryLimitBytes);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(notebook))).then(() => writer.close()).catch(
    () => {},
  );
  const result = await child.output().finally(() => memory.stop());
  if (memory.exceeded()) {
    const limit = (options.memoryLimitBytes / 2 ** 30).toFixed(1);
    return {
      executed: null,
      cells: [],
      error: `memory limit exceeded: the run held more than ${limit} GiB`,
      peakBytes: memory.peak(),
    };
  }
  let executed: Notebook | null = null;
  try {
    executed = parseNotebook(new TextDecoder().decode(result.stdout), "the executed notebook");
  } catch { /* no executed copy: the log says why */ }
  const cells: CellStatus[] = [];
  executed?.cells.forEach((cell) => {
    const status = (cell.metadata as { fmnist_status?: CellStatus }).fmnist_status;
    if (status) cells.push(status);
  });
  const log = new TextDecoder().decode(result.stderr).trim().split("\n").filter((l) => l.trim());
  return {
    executed,
    cells,
    error: executed ? undefined : log.at(-1) ?? `the run ended with code ${result.code}`,
    peakBytes: memory.peak(),
  };
}
