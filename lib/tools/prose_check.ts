/**
 * Prose that cannot go stale: every measured number a notebook's markdown quotes (a number with a decimal
 * point) must appear in that notebook's outputs, at the precision the prose writes it (89.09 matches 89.09,
 * 89.1 matches 89.094, 90.6% matches an output of 0.906), or be on the allow-list with the reason it is
 * derived by hand. A retrain that moves a number fails `deno task test` until the prose is rewritten.
 *
 * ```sh
 * deno run -A lib/tools/prose_check.ts [notebooks/05_tinyvgg_hyperparameters.ipynb ...]
 * ```
 *
 * @module
 */
import { main, UserError } from "../errors.ts";
import { REPO_ROOT } from "../training/profile.ts";

/** Numbers the prose may quote without an output showing them, per notebook, each with its reason. */
export type AllowList = Record<string, Record<string, string>>;

/** Where the allow-list lives. */
export const ALLOW_LIST_PATH = `${REPO_ROOT}data/prose_numbers.json`;

/** A number in a markdown cell that no output shows and the allow-list does not explain. */
export interface StaleNumber {
  notebook: string;
  /** Index of the markdown cell. */
  cell: number;
  number: string;
  /** The words around it. */
  context: string;
}

interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: { text?: string | string[]; data?: Record<string, unknown> }[];
}

const joined = (text: unknown) => Array.isArray(text) ? text.join("") : typeof text === "string" ? text : "";

/** Every number (integer or decimal) in a notebook's text outputs. */
function outputNumbers(cells: Cell[]): number[] {
  const texts = cells.flatMap((c) =>
    (c.outputs ?? []).flatMap((o) => [
      joined(o.text),
      ...Object.entries(o.data ?? {}).filter(([type]) => type.startsWith("text/")).map(([, v]) => joined(v)),
    ])
  );
  return texts.join("\n").match(/\d+(?:\.\d+)?/g)?.map(Number) ?? [];
}

/** Whether an output value reads as `quoted` at its precision: as it is, or as a percentage of a fraction. */
function shows(value: number, quoted: string): boolean {
  const decimals = quoted.split(".")[1].length;
  const target = Number(quoted);
  const at = (x: number) => Math.abs(Number(x.toFixed(decimals)) - target) < 10 ** -(decimals + 3);
  return at(value) || at(100 * value);
}

/**
 * The numbers of a notebook's markdown that neither its outputs show nor `allowed` explains, and the
 * allow-list entries no markdown quotes any more (reported with cell -1: a stale reason is a stale claim).
 */
export function staleNumbers(
  notebook: string,
  cells: Cell[],
  allowed: Record<string, string> = {},
): StaleNumber[] {
  const values = [...new Set(outputNumbers(cells))];
  const stale: StaleNumber[] = [];
  const quoted = new Set<string>();
  cells.forEach((cell, index) => {
    if (cell.cell_type !== "markdown") return;
    const text = joined(cell.source).replace(/`[^`]*`/g, ""); // code spans name things, they do not measure
    for (const match of text.matchAll(/(?<![\w.])\d+\.\d+(?![\w.])/g)) {
      const number = match[0];
      quoted.add(number);
      if (Object.hasOwn(allowed, number) || values.some((v) => shows(v, number))) continue;
      const at = match.index!;
      const context = text.slice(Math.max(0, at - 50), at + number.length + 30).replace(/\s+/g, " ");
      stale.push({ notebook, cell: index, number, context });
    }
  });
  for (const number of Object.keys(allowed)) {
    if (!quoted.has(number)) {
      stale.push({ notebook, cell: -1, number, context: "allowed but no longer quoted" });
    }
  }
  return stale;
}

/** Check notebooks (default: every one in `notebooks/`) against the allow-list. */
export async function checkProse(paths?: string[]): Promise<StaleNumber[]> {
  const allowList = JSON.parse(await Deno.readTextFile(ALLOW_LIST_PATH)) as AllowList;
  const files = paths ?? [...Deno.readDirSync(`${REPO_ROOT}notebooks`)]
    .map((e) => e.name).filter((n) => n.endsWith(".ipynb")).sort().map((n) => `${REPO_ROOT}notebooks/${n}`);
  const stale: StaleNumber[] = [];
  for (const path of files) {
    const name = path.split("/").pop()!.replace(/\.ipynb$/, "");
    let cells: Cell[];
    try {
      cells = JSON.parse(await Deno.readTextFile(path)).cells;
    } catch (e) {
      throw new UserError(`cannot read notebook ${path} (${(e as Error).message})`);
    }
    stale.push(...staleNumbers(name, cells, allowList[name] ?? {}));
  }
  return stale;
}

if (import.meta.main) {
  await main(async () => {
    const stale = await checkProse(Deno.args.length ? Deno.args : undefined);
    for (const s of stale) console.log(`${s.notebook} cell ${s.cell}: ${s.number} in "...${s.context}..."`);
    if (stale.length) {
      throw new UserError(
        `${stale.length} number(s) in the prose appear in no output. Fix: rewrite the prose from the outputs, ` +
          `or add the number to data/prose_numbers.json with the reason it is derived by hand`,
      );
    }
    console.log("every number the prose quotes appears in an output or is explained");
  });
}
