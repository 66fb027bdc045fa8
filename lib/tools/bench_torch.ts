/**
 * PyTorch's side of the benchmark: `torch_reference.py` (optional) builds each registered model from
 * our own layer list and times it on a given number of threads; without PyTorch it says how to install it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { initBackend } from "../backend/select.ts";
import { buildModel } from "../papers/registry.ts";
import { LEARNING_RATE, type Protocol, TRAIN_BATCH } from "./bench_measure.ts";

/**
 * The PyTorch reference script (ours, optional) and the interpreter that runs it: the one Jupyter
 * runs on, where Debian's `python3-torch` installs. It builds each model from our own layer list.
 */
export const TORCH_PYTHON = Deno.env.get("FMNIST_PYTHON") ?? "/usr/bin/python3";
export const TORCH_SCRIPT = fileURLToPath(new URL("./torch_reference.py", import.meta.url));
const TORCH_INSTALL = "Fix: sudo apt-get install python3-torch (Debian/Ubuntu), or pip install torch " +
  "(then set FMNIST_PYTHON to that python)";

/** PyTorch's version as `python` imports it, or null when it cannot import torch. */
export async function torchVersion(python = TORCH_PYTHON): Promise<string | null> {
  const out = await new Deno.Command(python, {
    args: ["-c", "import torch; print(torch.__version__)"],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  return out?.success ? new TextDecoder().decode(out.stdout).trim() || "?" : null;
}

/** Start `torch_reference.py` on a job (sent as JSON on its stdin); its stdout is piped. */
export async function startTorch(
  job: unknown,
  python = TORCH_PYTHON,
  stderr: "piped" | "inherit" = "piped",
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(python, {
    args: [TORCH_SCRIPT],
    clearEnv: true,
    env: torchEnvironment(),
    stdin: "piped",
    stdout: "piped",
    stderr,
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(job)));
  await writer.close();
  return child;
}

/** PyTorch seconds per epoch (and parameter counts) by our model name, or why there are none. */
export interface TorchResult {
  seconds: Map<string, number>;
  params: Map<string, number>;
  version: string;
  wallSeconds: number;
  error?: string;
}

/** The layers of a registered model as PyTorch's side reads them: class name and tfjs config. */
export function layerList(name: string): [string, Record<string, unknown>][] {
  const model = buildModel(name, 0);
  const layers = model.layers.map((l): [string, Record<string, unknown>] => [
    l.getClassName(),
    l.getConfig() as Record<string, unknown>,
  ]);
  model.dispose();
  return layers;
}

/**
 * The environment PyTorch is timed in: ours, less OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some
 * machines set for old OpenBLAS builds and which slow a current one (what a user would run has neither).
 */
export function torchEnvironment(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/**
 * PyTorch's seconds per epoch for `models` on `threads` threads (`torch.set_num_threads`), or the reason
 * there are none (with how to install it).
 */
export async function runTorch(
  models: string[],
  protocol: Protocol,
  threads = 1,
  python = TORCH_PYTHON,
): Promise<TorchResult> {
  const result: TorchResult = { seconds: new Map(), params: new Map(), version: "?", wallSeconds: 0 };
  const t0 = performance.now();
  await initBackend(); // building the models for their layer lists needs one
  const job = {
    batch: TRAIN_BATCH,
    warmup: protocol.warmupBatches,
    timed: protocol.batches,
    threads,
    learning_rate: LEARNING_RATE,
    models: Object.fromEntries(models.map((m) => [m, layerList(m)])),
  };
  try {
    const version = await torchVersion(python);
    if (version === null) {
      return {
        ...result,
        error: `${python} cannot import torch, so there is no PyTorch column. ${TORCH_INSTALL}`,
      };
    }
    result.version = version;
    const run = await (await startTorch(job, python)).output();
    const failures: string[] = [];
    for (const line of new TextDecoder().decode(run.stdout).split("\n")) {
      if (!line.startsWith("{")) continue;
      const row = JSON.parse(line) as {
        model: string;
        params?: number;
        seconds_per_epoch?: number;
        error?: string;
      };
      if (row.error) failures.push(`${row.model}: ${row.error}`);
      else {
        result.params.set(row.model, row.params!);
        result.seconds.set(row.model, row.seconds_per_epoch!);
      }
    }
    if (run.code !== 0) {
      const err = new TextDecoder().decode(run.stderr).trim().split("\n").slice(-2).join(" | ");
      failures.push(`${TORCH_SCRIPT} exited with code ${run.code}: ${err}`);
    }
    if (failures.length) result.error = failures.join("; ");
  } catch (error) {
    result.error = `could not run ${python} (${(error as Error).message}). ${TORCH_INSTALL}`;
  }
  result.wallSeconds = (performance.now() - t0) / 1000;
  return result;
}
