/**
 * Fashion-MNIST as CSV in the Kaggle layout (`label,pixel1,...,pixel784`, one image per row),
 * read and written through danfojs. Band et al. 2024 reads its data this way.
 *
 * @module
 */
import { StatusLine } from "../kernel.ts";
import { join } from "node:path";
import "./quiet_deprecations.ts"; // before danfojs-node
import * as dfd from "danfojs-node";
import { CACHE_DIR, CLASS_NAMES, type FashionMnist, PIXELS, type Subset } from "./fashion_mnist.ts";
import { writeAtomically } from "./files.ts";
import { UserError } from "../errors.ts";

/** The Kaggle CSV header: `label`, then `pixel1` to `pixel784`. */
export const KAGGLE_COLUMNS: string[] = [
  "label",
  ...Array.from({ length: PIXELS }, (_, i) => `pixel${i + 1}`),
];

/** A subset as a danfojs DataFrame in the Kaggle layout. */
export function toKaggleFrame(subset: Subset): dfd.DataFrame {
  const rows: number[][] = new Array(subset.count);
  for (let r = 0; r < subset.count; r++) {
    const row = new Array<number>(PIXELS + 1);
    row[0] = subset.labels[r];
    const offset = r * PIXELS;
    for (let p = 0; p < PIXELS; p++) row[p + 1] = subset.images[offset + p];
    rows[r] = row;
  }
  return new dfd.DataFrame(rows, { columns: KAGGLE_COLUMNS });
}

/**
 * Check a DataFrame has the Kaggle layout with integer pixels 0-255 and labels 0-9, and turn it
 * into a subset. `source` names the data in error messages.
 */
export function fromKaggleFrame(frame: dfd.DataFrame, source = "DataFrame"): Subset {
  const columns = frame.columns;
  const bad = KAGGLE_COLUMNS.findIndex((c, i) => columns[i] !== c);
  if (columns.length !== KAGGLE_COLUMNS.length || bad >= 0) {
    throw new UserError(
      `${source}: expected the Kaggle layout (label,pixel1..pixel784: 785 columns), got ` +
        `${columns.length} columns` +
        (bad >= 0 ? ` with "${columns[bad]}" where "${KAGGLE_COLUMNS[bad]}" belongs` : "") +
        `. Fix: export the data with writeKaggleCsv, or use the Kaggle fashion-mnist_train.csv/test.csv`,
    );
  }
  const values = frame.values as number[][];
  const count = values.length;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const row = values[r];
    const label = row[0];
    if (!(Number.isInteger(label) && label >= 0 && label < CLASS_NAMES.length)) {
      throw new UserError(`${source}: row ${r + 1} has label ${label}; labels must be integers 0-9`);
    }
    labels[r] = label;
    for (let p = 0; p < PIXELS; p++) {
      const v = row[p + 1];
      if (!(Number.isInteger(v) && v >= 0 && v <= 255)) {
        throw new UserError(
          `${source}: row ${r + 1}, column pixel${p + 1} holds ${JSON.stringify(v)}; pixels must be ` +
            `integers 0-255`,
        );
      }
      images[r * PIXELS + p] = v;
    }
  }
  return { images, labels, count };
}

/** A subset as Kaggle-layout CSV text, header first (built directly: 60,000 rows in about a second). */
export function kaggleCsvText(subset: Subset): string {
  const lines = new Array<string>(subset.count + 1);
  lines[0] = KAGGLE_COLUMNS.join(",");
  for (let r = 0; r < subset.count; r++) {
    lines[r + 1] = `${subset.labels[r]},${subset.images.subarray(r * PIXELS, (r + 1) * PIXELS).join(",")}`;
  }
  return lines.join("\n") + "\n";
}

/** Write a subset to a Kaggle-layout CSV file, atomically (temporary file, then rename). */
export async function writeKaggleCsv(subset: Subset, path: string): Promise<void> {
  await writeAtomically(path, kaggleCsvText(subset));
}

/** The file names of the Kaggle release of Fashion-MNIST. */
export const KAGGLE_FILES = { train: "fashion-mnist_train.csv", test: "fashion-mnist_test.csv" } as const;

/**
 * The Kaggle CSV files in `dir` (default `data/`): when one is absent it is written once from the
 * verified IDX data, atomically, and named in `written` so the caller can say so.
 */
export async function ensureKaggleCsv(
  data: FashionMnist,
  dir = CACHE_DIR,
  status?: StatusLine,
): Promise<{ train: string; test: string; written: string[] }> {
  const paths = { train: join(dir, KAGGLE_FILES.train), test: join(dir, KAGGLE_FILES.test) };
  const written: string[] = [];
  await Deno.mkdir(dir, { recursive: true });
  for (const part of ["train", "test"] as const) {
    const exists = await Deno.stat(paths[part]).then(() => true, () => false);
    if (exists) continue;
    await status?.show(
      `writing ${KAGGLE_FILES[part]} (${
        data[part].count.toLocaleString("en-US")
      } rows) from the IDX files, ` +
        "once…",
    );
    await writeKaggleCsv(data[part], paths[part]);
    written.push(paths[part]);
  }
  return { ...paths, written };
}

/** Read a Kaggle-layout CSV file through danfojs and validate it (see {@link fromKaggleFrame}). */
export async function readKaggleCsv(path: string): Promise<Subset> {
  return (await readKaggleFrame(path)).subset;
}

/** Read a Kaggle-layout CSV file through danfojs: the DataFrame as read, and the validated subset. */
export async function readKaggleFrame(path: string): Promise<{ frame: dfd.DataFrame; subset: Subset }> {
  try {
    await Deno.stat(path);
  } catch {
    throw new UserError(`${path}: file not found. Fix: check the path, or write one with writeKaggleCsv`);
  }
  const frame = await dfd.readCSV(path) as dfd.DataFrame;
  return { frame, subset: fromKaggleFrame(frame, path) };
}

/** Both Kaggle CSV files, written first from the IDX files where absent (named in `written`), then read. */
export async function loadKaggleCsv(
  data: FashionMnist,
  dir = CACHE_DIR,
): Promise<{ train: dfd.DataFrame; test: dfd.DataFrame; data: FashionMnist; written: string[] }> {
  const status = new StatusLine();
  const paths = await ensureKaggleCsv(data, dir, status);
  await status.show(
    `reading ${KAGGLE_FILES.train} with danfojs (60,000 rows of 785 columns, about a minute)…`,
  );
  const train = await readKaggleFrame(paths.train);
  await status.show(`reading ${KAGGLE_FILES.test} with danfojs…`);
  const test = await readKaggleFrame(paths.test);
  await status.done(`Read with danfojs: ${KAGGLE_FILES.train} and ${KAGGLE_FILES.test}`);
  return {
    train: train.frame,
    test: test.frame,
    data: { ...data, train: train.subset, test: test.subset },
    written: paths.written,
  };
}
