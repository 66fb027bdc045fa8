/**
 * The floor under our training speed: one 3x3 convolution (forward only, batch 64) from each paper model,
 * timed on the tfjs wasm backend (XNNPACK), on the oneDNN path when libdnnl loads, and in PyTorch on one
 * thread of the same CPU, as multiply-adds per second. Convolutions are most of a CNN's training step, so
 * these ratios bound what the rest of the backend can reach.
 *
 * ```sh
 * deno task bench:conv                          # wasm on one thread per core; PyTorch needs python3-torch
 * FMNIST_WASM_THREADS=1 deno task bench:conv    # wasm on one thread
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend/select.ts";
import { main } from "../errors.ts";

/** One convolution: NHWC input, 3x3 kernel, stride 1. */
interface ConvShape {
  layer: string;
  height: number;
  channelsIn: number;
  channelsOut: number;
  padding: "same" | "valid";
}

const BATCH = 64;
const REPEATS = 10;
const SHAPES: ConvShape[] = [
  { layer: "003-baseline conv 2", height: 26, channelsIn: 64, channelsOut: 64, padding: "valid" },
  { layer: "003-baseline conv 4", height: 10, channelsIn: 128, channelsOut: 128, padding: "valid" },
  { layer: "001-enhanced conv 2", height: 14, channelsIn: 32, channelsOut: 64, padding: "same" },
  { layer: "000-three-block conv 2", height: 13, channelsIn: 32, channelsOut: 64, padding: "valid" },
  { layer: "004-tinyvgg conv 2", height: 28, channelsIn: 10, channelsOut: 10, padding: "same" },
];

/** Multiply-adds of one forward pass of `shape` over a batch. */
export function multiplyAdds(shape: ConvShape): number {
  const out = shape.padding === "same" ? shape.height : shape.height - 2;
  return BATCH * out * out * shape.channelsOut * 9 * shape.channelsIn;
}

/** Median milliseconds of one conv2d on the active tfjs backend (fresh output each time). */
function timeTfjs(shape: ConvShape): number {
  const x = tf.randomNormal([BATCH, shape.height, shape.height, shape.channelsIn]) as tf.Tensor4D;
  const filter = tf.randomNormal([3, 3, shape.channelsIn, shape.channelsOut]) as tf.Tensor4D;
  const once = () => {
    const start = performance.now();
    const y = tf.conv2d(x, filter, 1, shape.padding);
    y.dataSync(); // (not returned from a tidy: tidy would walk every element of the array looking for tensors)
    y.dispose();
    return performance.now() - start;
  };
  once();
  once();
  const times = Array.from({ length: REPEATS }, once).sort((a, b) => a - b);
  tf.dispose([x, filter]);
  return times[Math.floor(REPEATS / 2)];
}

/** The same convolutions in PyTorch (one thread, NCHW), median milliseconds each; null without torch. */
async function timeTorch(shapes: ConvShape[]): Promise<number[] | null> {
  const script = `
import json, sys, time, torch
torch.set_num_threads(1)
out = []
for h, cin, cout, pad in json.loads(sys.argv[1]):
    x, w = torch.randn(${BATCH}, cin, h, h), torch.randn(cout, cin, 3, 3)
    f = lambda: torch.nn.functional.conv2d(x, w, padding=1 if pad == "same" else 0)
    f(); f()
    times = []
    for _ in range(${REPEATS}):
        t = time.perf_counter(); f(); times.append((time.perf_counter() - t) * 1000)
    out.append(sorted(times)[${Math.floor(REPEATS / 2)}])
print(json.dumps(out))
`;
  const args = JSON.stringify(shapes.map((s) => [s.height, s.channelsIn, s.channelsOut, s.padding]));
  try {
    const result = await new Deno.Command("/usr/bin/python3", { args: ["-c", script, args], stderr: "piped" })
      .output();
    if (!result.success) return null;
    return JSON.parse(new TextDecoder().decode(result.stdout)) as number[];
  } catch {
    return null;
  }
}

async function benchConv(): Promise<void> {
  const info = await initBackend({ prefer: "wasm" });
  console.log(
    `One 3x3 convolution, forward, batch ${BATCH}, median of ${REPEATS}; wasm: ${info.description}`,
  );
  const ours = SHAPES.map(timeTfjs);
  let native: number[] | null = null;
  try {
    const nativeInfo = await initBackend({ prefer: "onednn" });
    console.log(`onednn: ${nativeInfo.description}`);
    native = SHAPES.map(timeTfjs);
  } catch (error) {
    console.log(`(oneDNN column empty: ${(error as Error).message.split("\n")[0]})`);
  }
  const torch = await timeTorch(SHAPES);
  if (torch === null) {
    console.log(
      "(PyTorch column empty: /usr/bin/python3 cannot import torch. Fix: sudo apt-get install python3-torch)",
    );
  }
  const rows = SHAPES.map((shape, i) => {
    const gmacs = (ms: number) => (multiplyAdds(shape) / ms / 1e6).toFixed(1);
    return [
      shape.layer,
      `${shape.height}x${shape.height}x${shape.channelsIn} -> ${shape.channelsOut}`,
      ours[i].toFixed(1),
      gmacs(ours[i]),
      native ? native[i].toFixed(1) : "—",
      native ? gmacs(native[i]) : "—",
      torch ? torch[i].toFixed(1) : "—",
      torch ? gmacs(torch[i]) : "—",
      torch ? `${(ours[i] / torch[i]).toFixed(1)}x` : "—",
      torch && native ? `${(native[i] / torch[i]).toFixed(1)}x` : "—",
    ];
  });
  const header = [
    "layer",
    "input -> filters",
    "wasm ms",
    "wasm GMAC/s",
    "oneDNN ms",
    "oneDNN GMAC/s",
    "PyTorch ms",
    "PyTorch GMAC/s",
    "wasm / PyTorch",
    "oneDNN / PyTorch",
  ];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])));
  console.log(line(header).join("  "));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row).join("  "));
}

if (import.meta.main) await main(benchConv);
