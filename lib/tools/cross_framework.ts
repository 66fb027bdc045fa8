/**
 * Train PyTorch's twin of an experiment over several seeds on the real data (optional, like the bench: it
 * needs PyTorch), and store the runs in `data/measurements/torch_<experiment>.json` for notebook 05 to set
 * against ours. The twin is built from our own layer list with PyTorch's defaults (`torch_reference.py`).
 *
 * ```sh
 * deno run -A lib/tools/cross_framework.ts [004-tinyvgg] [--seeds 10] [--threads 1]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { main, UserError } from "../errors.ts";
import { writeAtomically } from "../data/files.ts";
import { loadFashionMnist } from "../data/fashion_mnist.ts";
import { experiment } from "../training/experiments.ts";
import { initBackend } from "../backend/select.ts";
import { type TorchRun, type TorchRuns, torchRunsPath } from "../analysis/cross_framework.ts";
import { layerList, startTorch, TORCH_PYTHON, TORCH_SCRIPT, torchVersion } from "./bench_torch.ts";

/** Options of {@link trainTorchTwin}; the limits and the path are for tests. */
export interface TwinOptions {
  threads?: number;
  python?: string;
  /** The first `train` training and `test` test images only (default: all, the paper's settings). */
  limit?: { train: number; test: number };
  /** Where to store the runs (default: {@link torchRunsPath}). */
  path?: string;
}

/** Train `seeds` PyTorch runs of a paper experiment at the paper's settings; returns what it stored. */
export async function trainTorchTwin(
  name: string,
  seeds: number[],
  options: TwinOptions = {},
): Promise<TorchRuns> {
  const { threads = 1, python = TORCH_PYTHON } = options;
  const config = experiment(name, "paper");
  if (config.split !== "official" || config.validationFraction !== 0 || config.augmentation) {
    throw new UserError(`${name}: the PyTorch twin trains on the official split, without augmentation, only`);
  }
  if (config.loss !== "crossEntropy" || !["sgd", "adam"].includes(config.optimizer)) {
    throw new UserError(`${name}: the PyTorch twin knows cross-entropy with SGD or Adam only`);
  }
  await initBackend();
  const data = await loadFashionMnist();
  const dir = await Deno.makeTempDir({ prefix: "fmnist-torch-" });
  try {
    const files = {
      train_images: `${dir}/train.images`,
      train_labels: `${dir}/train.labels`,
      test_images: `${dir}/test.images`,
      test_labels: `${dir}/test.labels`,
    };
    const [train, test] = [options.limit?.train ?? data.train.count, options.limit?.test ?? data.test.count];
    await Deno.writeFile(files.train_images, data.train.images.subarray(0, train * 784));
    await Deno.writeFile(files.train_labels, data.train.labels.subarray(0, train));
    await Deno.writeFile(files.test_images, data.test.images.subarray(0, test * 784));
    await Deno.writeFile(files.test_labels, data.test.labels.subarray(0, test));
    const job = {
      threads,
      models: { [config.model]: layerList(config.model) },
      train: {
        ...files,
        model: config.model,
        seeds,
        epochs: config.epochs,
        batch: config.batchSize,
        optimizer: config.optimizer,
        learning_rate: config.learningRate,
      },
    };
    const version = await torchVersion(python);
    if (version === null) {
      throw new UserError(
        `${python} cannot import torch. Fix: sudo apt-get install python3-torch, or set FMNIST_PYTHON`,
      );
    }
    const child = await startTorch(job, python, "inherit");
    const runs: TorchRun[] = [];
    let pending = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines.filter((l) => l.startsWith("{"))) {
        const run = JSON.parse(line) as TorchRun;
        runs.push(run);
        console.error(
          `PyTorch ${name} seed ${run.seed}: test ${
            (100 * run.test.accuracy).toFixed(2)
          }% in ${run.seconds} s ` +
            `(${runs.length} of ${seeds.length})`,
        );
      }
    }
    const status = await child.status;
    if (!status.success) throw new UserError(`${TORCH_SCRIPT} exited with code ${status.code}`);
    const stored: TorchRuns = {
      experiment: name,
      date: new Date().toISOString(),
      torch: version,
      threads,
      recipe: {
        optimizer: config.optimizer,
        learningRate: config.learningRate,
        batchSize: config.batchSize,
        epochs: config.epochs,
        trainImages: train,
      },
      runs,
    };
    await writeAtomically(options.path ?? torchRunsPath(name), JSON.stringify(stored, null, 1) + "\n");
    return stored;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  await main(async () => {
    const { values, positionals } = parseArgs({
      args: Deno.args,
      options: { seeds: { type: "string", default: "10" }, threads: { type: "string", default: "1" } },
      allowPositionals: true,
    });
    const count = Number(values.seeds), threads = Number(values.threads);
    if (!(Number.isInteger(count) && count >= 2)) throw new UserError("--seeds needs a whole number >= 2");
    if (!(Number.isInteger(threads) && threads >= 1)) {
      throw new UserError("--threads needs a whole number >= 1");
    }
    const name = positionals[0] ?? "004-tinyvgg";
    const stored = await trainTorchTwin(name, Array.from({ length: count }, (_, i) => i + 1), { threads });
    console.log(`${torchRunsPath(name)}: ${stored.runs.length} PyTorch runs of ${name}`);
  });
}
