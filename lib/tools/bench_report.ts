/**
 * The benchmark's report: machine and load, text tables, the seconds-per-epoch figure.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { figure, plotSvg } from "../presentation/plots.ts";
import { type BackendChoice } from "../backend/select.ts";
import { MODELS } from "../papers/registry.ts";
import { type Measurement, type Protocol } from "./bench_measure.ts";

/** One table row: a measurement, or why there is none, plus PyTorch's times by thread count if it maps. */
export interface Row {
  model: string;
  backend: BackendChoice;
  threads: number;
  result: Measurement | null;
  error?: string;
  /** PyTorch's seconds per epoch on 1 thread, and on one thread per core. */
  torch: Record<number, number>;
}

/** PyTorch's best seconds per epoch over the thread counts measured, or null. */
export function bestTorch(row: Row): number | null {
  const times = Object.values(row.torch);
  return times.length > 0 ? Math.min(...times) : null;
}

export function cpuModel(): string {
  try {
    const line = Deno.readTextFileSync("/proc/cpuinfo").split("\n").find((l) => l.startsWith("model name"));
    return line?.split(":")[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** Render rows as a text table: the first `left` columns left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][], left = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function protocolText(name: BackendChoice, p: Protocol): string {
  return `${name}: ${p.batches} timed training batches after ${p.warmupBatches} warm-up; ` +
    `${p.inferBatches} timed inference batches after ${p.inferWarmup} warm-up`;
}

/**
 * The figure's finding in one line: on how many models our fastest measured backend trains an epoch at
 * least as fast as PyTorch's faster thread count.
 */
export function speedHeadline(rows: Row[]): string {
  const models = [...new Set(rows.map((r) => r.model))];
  const compared = models.flatMap((model) => {
    const ours = rows.filter((r) => r.model === model && r.result).map((r) => r.result!.secondsPerEpoch);
    const torch = rows.filter((r) => r.model === model).map(bestTorch).find((t) => t !== null);
    return ours.length > 0 && torch != null ? [Math.min(...ours) <= torch] : [];
  });
  if (compared.length === 0) return "Training speed per model, seconds per epoch on the same CPU";
  const fast = compared.filter(Boolean).length;
  return `At least as fast as PyTorch on ${fast} of ${compared.length} models (fastest of our backends, same CPU)`;
}

/** Seconds per 60k-image epoch per model: each measured backend beside PyTorch, log scale. */
export function speedFigure(rows: Row[], started: Date): string {
  const data = rows.flatMap((r) => [
    ...(r.result
      ? [{ model: r.model, who: `tfjs ${backendLabel(r)}`, seconds: r.result.secondsPerEpoch }]
      : []),
    ...Object.entries(r.torch).map(([threads, seconds]) => ({
      model: r.model,
      who: `PyTorch, ${threads} thread${threads === "1" ? "" : "s"}`,
      seconds,
    })),
  ]).filter((d, i, all) => all.findIndex((e) => e.model === d.model && e.who === d.who) === i);
  // tfjs first (in thread order), PyTorch last.
  const who = [...new Set(data.map((d) => d.who))].sort((a, b) =>
    Number(a.startsWith("PyTorch")) - Number(b.startsWith("PyTorch"))
  );
  const colors = ["#4e79a7", "#a0cbe8", "#59a14f", "#8cd17d", "#e15759", "#ff9d9a"];
  const chart = plotSvg({
    width: 760,
    height: 360,
    marginLeft: 60,
    marginBottom: 80,
    fx: {
      domain: [...new Set(data.map((d) => d.model))],
      label: null,
      tickRotate: -30,
      axis: "bottom",
      padding: 0.1,
    },
    x: { domain: who, axis: null },
    y: {
      type: "log",
      label: "seconds per 60,000-image epoch",
      grid: true,
      domain: [0.1, 2 * Math.max(...data.map((d) => d.seconds))],
      tickFormat: (d: number) => (d >= 1 ? d.toLocaleString("en-US") : String(d)),
    },
    color: { domain: who, range: colors },
    marks: [Plot.barY(data, { fx: "model", x: "who", y1: 0.1, y2: "seconds", fill: "who" })],
  });
  return figure(chart, {
    title: speedHeadline(rows),
    subtitle: `batch 64, Adam; measured ${
      started.toISOString().slice(0, 10)
    }, ${navigator.hardwareConcurrency} cores`,
    legend: { labels: who, colors },
  });
}

/** "wasm, 2 threads", "onednn, 1 thread" or the backend's name. */
export function backendLabel(row: { backend: BackendChoice; threads: number }): string {
  if (row.backend !== "wasm" && row.backend !== "onednn") return row.backend;
  return `${row.backend}, ${row.threads} thread${row.threads === 1 ? "" : "s"}`;
}

/** Parameter count of a row: measured if it ran, else from the registry. */
export function countParamsOf(model: string, result: Measurement | null): number {
  return result?.params ?? MODELS[model].counts.total;
}
