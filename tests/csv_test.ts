import assert from "node:assert/strict";
import { PIXELS, type Subset } from "../lib/fashion_mnist.ts";
import { KAGGLE_COLUMNS, readKaggleCsv, writeKaggleCsv } from "../lib/csv.ts";

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
