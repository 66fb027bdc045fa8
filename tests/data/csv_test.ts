import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as dfd from "danfojs-node";
import { initBackend } from "../../lib/backend/select.ts";
import { PIXELS, type Subset } from "../../lib/data/fashion_mnist.ts";
import {
  ensureKaggleCsv,
  KAGGLE_COLUMNS,
  kaggleCsvText,
  readKaggleCsv,
  writeKaggleCsv,
} from "../../lib/data/csv.ts";

function randomSubset(count: number): Subset {
  const images = Uint8Array.from({ length: count * PIXELS }, (_, i) => (i * 7919) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => (i * 3) % 10);
  return { images, labels, count };
}

Deno.test("Kaggle CSV: header is label,pixel1..pixel784 and a subset round-trips exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = randomSubset(25);
    const path = `${dir}/fashion-mnist_test.csv`;
    await writeKaggleCsv(s, path);
    const text = await Deno.readTextFile(path);
    const lines = text.trim().split("\n");
    assert.equal(lines.length, 26);
    assert.equal(lines[0], KAGGLE_COLUMNS.join(","));
    assert.equal(lines[0].split(",")[784], "pixel784");
    assert.equal(lines[1].split(",")[0], String(s.labels[0]));
    const back = await readKaggleCsv(path);
    assert.equal(back.count, 25);
    assert.deepEqual(back.labels, s.labels);
    assert.deepEqual(back.images, s.images);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), [
      "fashion-mnist_test.csv",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Kaggle CSV: wrong columns, bad pixels, bad labels and missing files are clear errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const header = KAGGLE_COLUMNS.join(",");
    const row = (label: string, first: string) =>
      [label, first, ...new Array(PIXELS - 1).fill("0")].join(",");
    await Deno.writeTextFile(`${dir}/cols.csv`, "label,a,b\n1,2,3\n");
    await assert.rejects(readKaggleCsv(`${dir}/cols.csv`), /expected the Kaggle layout.*got 3 columns/);
    await Deno.writeTextFile(`${dir}/pixel.csv`, `${header}\n${row("1", "300")}\n`);
    await assert.rejects(readKaggleCsv(`${dir}/pixel.csv`), /row 1, column pixel1 holds 300/);
    await Deno.writeTextFile(`${dir}/label.csv`, `${header}\n${row("0", "0")}\n${row("11", "0")}\n`);
    await assert.rejects(readKaggleCsv(`${dir}/label.csv`), /row 2 has label 11/);
    await assert.rejects(readKaggleCsv(`${dir}/missing.csv`), /missing\.csv: file not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// danfojs-node brings its own tfjs 3.x; both find the same engine on globalThis._tfengine.
// Keep this test: if that ever changes, danfo's tensor ops would silently run on another backend.
Deno.test("danfojs and tfjs 4 work side by side on our backend", async () => {
  const info = await initBackend();
  const frame = new dfd.DataFrame({ a: [1, 2, 3, 4], b: [10, 20, 30, 40] });
  assert.deepEqual(frame.shape, [4, 2]);
  assert.deepEqual(frame.mean({ axis: 0 }).values, [2.5, 25]);
  const scaled = new dfd.StandardScaler().fitTransform(frame) as dfd.DataFrame;
  assert.ok(Math.abs((scaled.values as number[][])[0][0] + 1.3416) < 1e-3);
  assert.equal(tf.getBackend(), info.name, "danfo did not switch our backend");
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
  const xs = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0]]);
  const ys = tf.tensor2d([[1], [1], [2], [0]]);
  const history = await model.fit(xs, ys, { epochs: 30, verbose: 0 });
  const loss = history.history.loss as number[];
  assert.ok(loss[loss.length - 1] < loss[0] / 5, `loss fell from ${loss[0]} to ${loss[loss.length - 1]}`);
  tf.dispose([xs, ys]);
  model.dispose();
});

Deno.test("Kaggle CSV: a truncated last row and a non-numeric value name the file, the row and the column", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bad.csv`;
    const good = kaggleCsvText(randomSubset(3)).trimEnd().split("\n");
    await Deno.writeTextFile(path, [...good, good[3].split(",").slice(0, 500).join(",")].join("\n") + "\n");
    await assert.rejects(readKaggleCsv(path), /bad\.csv: row 4, column pixel500/);
    const cells = good[2].split(",");
    cells[10] = "ten";
    await Deno.writeTextFile(path, [good[0], good[1], cells.join(",")].join("\n") + "\n");
    await assert.rejects(readKaggleCsv(path), /bad\.csv: row 2, column pixel10 holds "ten"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ensureKaggleCsv writes the two files once, atomically, and says which it wrote", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = { train: randomSubset(40), test: randomSubset(10), sources: [] };
    const first = await ensureKaggleCsv(data, dir);
    assert.deepEqual(first.written, [first.train, first.test]);
    assert.ok(
      first.train.endsWith("fashion-mnist_train.csv") && first.test.endsWith("fashion-mnist_test.csv"),
    );
    const again = await ensureKaggleCsv(data, `${dir}/`);
    assert.deepEqual(again.written, [], "present files are not written again");
    assert.equal(again.train, first.train, "a directory given with a trailing slash names the same file");
    const back = await readKaggleCsv(first.test);
    assert.deepEqual(Array.from(back.labels), Array.from(data.test.labels));
    const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(left, ["fashion-mnist_test.csv", "fashion-mnist_train.csv"], "no temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
