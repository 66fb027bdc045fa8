/**
 * The data as a paper read it: Band et al. 2024 loads the Kaggle CSV files with pandas; we read the same
 * layout with danfojs and show what the paper would have seen, and that it is the very data of the IDX files.
 *
 * @module
 */
import type * as dfd from "danfojs-node";
import { CLASS_NAMES, type FashionMnist } from "../../data/fashion_mnist.ts";
import { showTable } from "../../presentation/notebook.ts";

/** The Kaggle CSV files as read: the head and shape, class counts, and a check against the IDX files. */
export async function showKaggleCsv(
  csv: { train: dfd.DataFrame; test: dfd.DataFrame; data: FashionMnist; written: string[] },
  idx: FashionMnist,
): Promise<void> {
  // Nothing here says whether the files were written just now or found (the prose above the cell says
  // how they come to be), so a re-run on another machine leaves the notebook's outputs unchanged.
  const head = csv.train.head(5).iloc({ columns: ["0:7"] }) as dfd.DataFrame;
  await showTable(head, { caption: `fashion-mnist_train.csv: the first 5 rows and 7 of its 785 columns` });
  const [rows, columns] = csv.train.shape;
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    a.length === b.length && Array.from(a).every((v, i) => v === b[i]);
  const identical = (["train", "test"] as const).every((part) =>
    same(csv.data[part].images, idx[part].images) && same(csv.data[part].labels, idx[part].labels)
  );
  const counts = (part: "train" | "test") => {
    const n = new Array(10).fill(0);
    for (const l of csv.data[part].labels) n[l]++;
    return n;
  };
  const [train, test] = [counts("train"), counts("test")];
  await showTable(CLASS_NAMES.map((c, i) => ({ label: i, class: c, train: train[i], test: test[i] })), {
    caption: `train: ${rows.toLocaleString("en-US")} rows x ${columns} columns; test: ` +
      `${
        csv.test.shape[0].toLocaleString("en-US")
      } rows. Identical to the IDX files, pixel for pixel: ${identical}`,
  });
}
