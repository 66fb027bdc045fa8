/**
 * Speed benchmark: for every registered model on every available tfjs backend, training seconds
 * per 60,000-image epoch (batch 64, Adam 1e-3, cross-entropy, through {@link fit}), inference
 * images per second (batch 256, `model.predict`) and peak resident memory; optionally beside
 * PyTorch's seconds per epoch for the same networks (`lib/tools/torch_reference.py`, optional).
 *
 * ```sh
 * deno run -A lib/tools/bench.ts [--backends wasm,cpu] [--models a,b] [--torch] [--json out.json]
 *                          [--batches N] [--warmup N] [--profile] [--threads 1,2]
 * ```
 *
 * The wasm backend is measured on 1 thread and on one thread per core (XNNPACK's pool; see
 * lib/backend/threads.ts). Each (model, backend, threads) runs in its own Deno process, so its peak memory is its own and it
 * inherits no warmed-up or grown state from the models before it. The report (one table) goes to
 * stdout, progress to stderr. It is a benchmark, not a test: it prints numbers and checks nothing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import { parseArgs } from "node:util";
import { saveFigure } from "../presentation/plots.ts";
import { main, UserError } from "../errors.ts";
import { type BackendChoice, wasmThreads } from "../backend/select.ts";
import { MODELS, modelSpec } from "../papers/registry.ts";
import {
  ALL_BACKENDS,
  DEFAULT_PROTOCOL,
  EPOCH_IMAGES,
  INFER_BATCH,
  type Job,
  LEARNING_RATE,
  measure,
  type Probe,
  probe,
  type Protocol,
  RESULT_MARK,
  runChild,
  TRAIN_BATCH,
} from "./bench_measure.ts";
import { runTorch, TORCH_PYTHON, TORCH_SCRIPT, type TorchResult } from "./bench_torch.ts";
import {
  backendLabel,
  bestTorch,
  countParamsOf,
  cpuModel,
  loadAverage,
  protocolText,
  type Row,
  speedFigure,
  table,
} from "./bench_report.ts";

const USAGE = `Usage: deno run -A lib/tools/bench.ts [options]
  --backends a,b   backends to measure (tensorflow, wasm, cpu); default: every available one but cpu
                   (cpu: minutes per CNN even on 3 batches)
  --models a,b     registered models (default: all ${Object.keys(MODELS).length})
  --torch          also run ${TORCH_SCRIPT} and compare
  --json FILE      also write every number as JSON
  --figure         also write figures/bench_seconds-per-epoch.svg and .png
  --batches N      timed training batches (default: 32; cpu 3)
  --warmup N       warm-up training batches (default: 4; cpu 1)
  --profile        also profile training batches per kernel (tf.profile) and print the top kernels
  --threads a,b    wasm thread counts to measure (default: 1 and FMNIST_WASM_THREADS or one per core)`;

function positiveInt(value: string | undefined, flag: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new UserError(
      `${flag} must be a ${allowZero ? "non-negative" : "positive"} integer, got "${value}"`,
    );
  }
  return n;
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      backends: { type: "string" },
      models: { type: "string" },
      torch: { type: "boolean", default: false },
      json: { type: "string" },
      figure: { type: "boolean" },
      batches: { type: "string" },
      warmup: { type: "string" },
      profile: { type: "boolean", default: false },
      threads: { type: "string" },
      child: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.child !== undefined) {
    const measurement = await measure(JSON.parse(values.child) as Job);
    console.log(RESULT_MARK + JSON.stringify(measurement));
    return;
  }

  const started = new Date();
  const t0 = performance.now();
  const loadBefore = loadAverage();
  const models = values.models?.split(",").map((m) => m.trim()).filter(Boolean) ?? Object.keys(MODELS);
  models.forEach((m) => modelSpec(m)); // unknown names fail here, listing the known ones
  const batches = positiveInt(values.batches, "--batches");
  const warmup = positiveInt(values.warmup, "--warmup", true);
  const asked = values.backends?.split(",").map((b) => b.trim().toLowerCase()).filter(Boolean);
  for (const b of asked ?? []) {
    if (!(ALL_BACKENDS as readonly string[]).includes(b)) {
      throw new UserError(`unknown backend "${b}": use ${ALL_BACKENDS.join(", ")}`);
    }
  }
  const probes: Probe[] = [];
  for (const name of (asked as BackendChoice[] | undefined) ?? ALL_BACKENDS) probes.push(await probe(name));
  const available = probes.filter((p) => p.info !== null).map((p) => p.name);
  const backends = asked !== undefined
    ? available
    : available.filter((b) => b !== "cpu").length > 0
    ? available.filter((b) => b !== "cpu")
    : available;
  if (backends.length === 0) {
    throw new UserError(
      `no requested backend is available: ${probes.map((p) => `${p.name}: ${p.reason}`).join("; ")}`,
    );
  }
  const protocol = (b: BackendChoice): Protocol => ({
    ...DEFAULT_PROTOCOL[b],
    ...(batches !== undefined ? { batches } : {}),
    ...(warmup !== undefined ? { warmupBatches: warmup } : {}),
  });

  const threadCounts = values.threads === undefined
    ? [...new Set([1, wasmThreads()])]
    : values.threads.split(",").map((t) => positiveInt(t.trim(), "--threads")!);
  const rows: Row[] = [];
  let maxLoad = Number(loadBefore.split(" ")[0]);
  const jobs = models.flatMap((model) =>
    backends.flatMap((backend) =>
      (backend === "wasm" || backend === "onednn" ? threadCounts : [1]).map((threads) => ({
        model,
        backend,
        threads,
      }))
    )
  );
  for (const [i, { model, backend, threads }] of jobs.entries()) {
    const job: Job = { model, backend, threads, protocol: protocol(backend), profile: values.profile };
    const tag = `[${i + 1}/${jobs.length}] ${backendLabel(job)} ${model}`;
    try {
      const result = await runChild(job);
      rows.push({ model, backend, threads, result, torch: {} });
      console.error(
        `${tag}: ${result.secondsPerEpoch.toFixed(1)} s/epoch, ${
          result.inferImagesPerSecond.toFixed(0)
        } img/s, ` +
          `peak ${result.rssPeakMiB.toFixed(0)} MiB (${result.wallSeconds.toFixed(0)} s)`,
      );
      maxLoad = Math.max(maxLoad, Number(loadAverage().split(" ")[0]));
    } catch (error) {
      const message = (error as Error).message;
      rows.push({ model, backend, threads, result: null, error: message, torch: {} });
      console.error(`${tag}: FAILED ${message}`);
    }
  }
  const oursSeconds = (performance.now() - t0) / 1000;

  let torch = null as TorchResult | null;
  const torchThreads = [...new Set([1, navigator.hardwareConcurrency || 1])];
  if (values.torch) {
    for (const threads of torchThreads) {
      console.error(`running ${TORCH_PYTHON} ${TORCH_SCRIPT} on ${threads} thread(s) ...`);
      const result = await runTorch(models, DEFAULT_PROTOCOL.wasm, threads);
      const previous: TorchResult | null = torch;
      torch = previous === null ? result : {
        ...previous,
        wallSeconds: previous.wallSeconds + result.wallSeconds,
        error: [previous.error, result.error].filter(Boolean).join("; ") || undefined,
      };
      for (const row of rows) {
        const seconds = result.seconds.get(row.model);
        if (seconds !== undefined) row.torch[threads] = seconds;
      }
    }
  }
  const totalSeconds = (performance.now() - t0) / 1000;

  // ----- report -----
  const out: string[] = [];
  out.push(`Fashion-MNIST benchmark, ${started.toISOString()}`);
  out.push(
    `Machine: ${navigator.hardwareConcurrency} cores, ${cpuModel()}; load average ${loadBefore} at start, ` +
      `${loadAverage()} at end (1-minute peak ${maxLoad.toFixed(2)})`,
  );
  out.push(
    `Versions: tfjs ${tf.version.tfjs}, tfjs-backend-wasm ${version_wasm}, Deno ${Deno.version.deno}, ` +
      `V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript}` +
      (torch ? `, PyTorch ${torch.version} (${TORCH_PYTHON})` : ""),
  );
  out.push("Backends:");
  for (const p of probes) {
    const state = p.info === null
      ? `unavailable (${p.reason})`
      : backends.includes(p.name)
      ? p.info.description
      : `${p.info.description}; not measured${
        p.name === "cpu" ? " (30x slower for dense nets, hundreds of times for CNNs)" : ""
      }: ask with --backends ${[...backends, p.name].join(",")}`;
    out.push(`  ${p.name}: ${state}`);
  }
  out.push("");
  out.push(
    `Training: batch ${TRAIN_BATCH}, Adam ${LEARNING_RATE}, cross-entropy, through lib/training/fit.ts fit; seconds ` +
      `of the timed batches extrapolated to ${EPOCH_IMAGES.toLocaleString("en")} images.`,
  );
  out.push(`Inference: model.predict on one batch of ${INFER_BATCH} test images, repeated.`);
  out.push(
    "Peak RSS: largest Deno.memoryUsage().rss sampled before each training batch and after each inference " +
      "batch, one process per model (includes the runtime and the loaded dataset).",
  );
  const bases = rows.flatMap((r) => (r.result ? [r.result.rssBaseMiB] : []));
  if (bases.length > 0) {
    out.push(
      `  (RSS before building the model, after loading the data: ${Math.min(...bases).toFixed(0)}-` +
        `${Math.max(...bases).toFixed(0)} MiB)`,
    );
  }
  out.push(
    "cpu %: process CPU time / wall time over the timed training batches (about 100 for one thread on an " +
      "idle machine; lower means other processes competed for the CPU).",
  );
  for (const b of backends) out.push(`  ${protocolText(b, protocol(b))}`);
  if (torch) {
    out.push(
      `PyTorch: ${TORCH_SCRIPT} (random inputs, batch 64, Adam, ${
        torchThreads.join(" and ")
      } threads, 4 warm-up + 32 timed batches), run right after ours in the same sitting, ` +
        "without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE; ours / torch divides by PyTorch's faster time.",
    );
  }
  out.push("");
  const uniform = new Set(backends.map((b) => protocol(b).batches)).size === 1;
  const header = [
    "model",
    "backend",
    "params",
    uniform ? `train s/epoch (${protocol(backends[0]).batches} batches)` : "train s/epoch",
    ...(uniform ? [] : ["batches"]),
    `infer img/s (batch ${INFER_BATCH})`,
    "peak RSS MiB",
    "cpu %",
    ...(torch ? [...torchThreads.map((t) => `torch ${t}t s/epoch`), "ours / torch"] : []),
  ];
  const body = rows.map((row) => {
    const r = row.result;
    const best = bestTorch(row);
    const ratio = r && best ? `${(r.secondsPerEpoch / best).toFixed(2)}x` : "";
    return [
      row.model,
      backendLabel(row),
      String(countParamsOf(row.model, r)),
      r ? r.secondsPerEpoch.toFixed(1) : "FAILED",
      ...(uniform ? [] : [r ? String(r.protocol.batches) : ""]),
      r ? r.inferImagesPerSecond.toFixed(0) : "",
      r ? r.rssPeakMiB.toFixed(0) : "",
      r ? (100 * r.trainCpuShare).toFixed(0) : "",
      ...(torch ? [...torchThreads.map((t) => row.torch[t]?.toFixed(1) ?? ""), ratio] : []),
    ];
  });
  out.push(table(header, body));
  out.push("");
  for (const row of rows.filter((r) => r.error)) {
    out.push(`FAILED ${backendLabel(row)} ${row.model}: ${row.error}`);
  }
  if (torch?.error) out.push(`PyTorch: ${torch.error}`);
  if (torch) {
    for (const [model, params] of torch.params) {
      const ours = rows.find((r) => r.model === model && r.result)?.result?.params;
      const trainable = MODELS[model].counts.trainable;
      if (ours !== undefined && params !== trainable) {
        out.push(
          `Note: PyTorch's ${model} has ${params} parameters, ours ${trainable} trainable`,
        );
      }
    }
  }
  out.push(
    `Run took ${totalSeconds.toFixed(0)} s (ours ${oursSeconds.toFixed(0)} s` +
      (torch ? `, PyTorch ${torch.wallSeconds.toFixed(0)} s)` : ")"),
  );

  if (values.profile) {
    for (const row of rows) {
      const prof = row.result?.profile;
      if (!prof) continue;
      out.push("");
      out.push(
        `Profile ${backendLabel(row)} ${row.model}: ${prof.batches} batches, ${
          prof.msPerBatch.toFixed(1)
        } ms/batch ` +
          "wall under tf.profile; kernel self time per batch",
      );
      const attributed = prof.phases.reduce((s, p) => s + p.msPerBatch, 0);
      const share = (ms: number) => `${(100 * ms / prof.msPerBatch).toFixed(1)}%`;
      out.push(
        table(
          ["phase", "", "ms/batch", "share"],
          [
            ...prof.phases.slice(0, 8).map((
              p,
            ) => [p.phase, "", p.msPerBatch.toFixed(2), share(p.msPerBatch)]),
            [
              "(outside kernels)",
              "",
              (prof.msPerBatch - attributed).toFixed(2),
              share(prof.msPerBatch - attributed),
            ],
          ],
        ),
      );
      out.push(
        table(
          ["kernel", "phase", "calls", "ms/batch", "share"],
          prof.kernels.slice(0, 12).map((k) => [
            k.kernel,
            k.phase,
            k.callsPerBatch.toFixed(0),
            k.msPerBatch.toFixed(2),
            share(k.msPerBatch),
          ]),
        ),
      );
    }
  }
  console.log(out.join("\n"));

  if (values.figure) {
    const { svgPath } = await saveFigure("bench_seconds-per-epoch", speedFigure(rows, started));
    console.error(`figure: ${svgPath}`);
  }

  if (values.json !== undefined) {
    const json = {
      date: started.toISOString(),
      machine: { cores: navigator.hardwareConcurrency, cpu: cpuModel() },
      versions: {
        tfjs: tf.version.tfjs,
        tfjsBackendWasm: version_wasm,
        ...Deno.version,
        torch: torch?.version,
      },
      backends: probes.map((p) => ({ name: p.name, description: p.info?.description, reason: p.reason })),
      protocol: Object.fromEntries(backends.map((b) => [b, protocol(b)])),
      rows,
      torch: torch && {
        secondsPerEpoch: Object.fromEntries(torch.seconds),
        params: Object.fromEntries(torch.params),
        error: torch.error,
      },
      seconds: totalSeconds,
    };
    await Deno.writeTextFile(values.json, JSON.stringify(json, null, 2) + "\n");
  }
}

if (import.meta.main) await main(bench);
