/**
 * nbgrader's notebook format, for `deno task assign` and `deno task grade` (see COURSEWORK.md):
 * cell metadata (schema version 3), the solution and hidden-test regions, cell checksums, and
 * reading and writing notebooks the way nbformat does.
 *
 * Written from nbgrader's documentation and its `nbgraderformat/v3.json` schema,
 * `utils.compute_checksum`, and the `ClearSolutions`, `ClearHiddenTests`, `ComputeChecksums` and
 * `LockCells` preprocessors, so that a notebook released here validates and grades under nbgrader
 * with `nbgrader_config.py`, and the other way round.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { UserError } from "../errors.ts";
import { writeAtomically } from "../data/files.ts";

/** A notebook cell as stored in an `.ipynb` file (nbformat 4). */
export interface Cell {
  cell_type: string;
  id?: string;
  metadata: Record<string, unknown> & { nbgrader?: NbgraderMeta };
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
  [key: string]: unknown;
}

/** A code cell's output. */
export interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A notebook (nbformat 4). */
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** `metadata.nbgrader` of a cell, nbgrader schema version 3. */
export interface NbgraderMeta {
  schema_version: number;
  grade: boolean;
  solution: boolean;
  locked: boolean;
  task?: boolean;
  grade_id?: string;
  points?: number;
  /** Added in the released version: see {@link computeChecksum}. */
  checksum?: string;
  /** Added in the released version: the cell's type when it was released. */
  cell_type?: string;
}

/** The nbgrader cell-metadata schema version written and accepted here. */
export const SCHEMA_VERSION = 3;
/** Every key nbgrader's v3 schema allows in `metadata.nbgrader` (it forbids any other). */
export const NBGRADER_KEYS = [
  "schema_version",
  "grade",
  "solution",
  "locked",
  "task",
  "grade_id",
  "points",
  "checksum",
  "cell_type",
] as const;
/** What a grade_id may contain (nbgrader v3). */
export const GRADE_ID_PATTERN = /^[A-Za-z0-9_-]*$/;

/** The delimiters of a solution region (also in nbgrader_config.py). */
export const BEGIN_SOLUTION = "// BEGIN SOLUTION";
/** @see BEGIN_SOLUTION */
export const END_SOLUTION = "// END SOLUTION";
/** The delimiters of a hidden-test region (also in nbgrader_config.py). */
export const BEGIN_HIDDEN_TESTS = "// BEGIN HIDDEN TESTS";
/** @see BEGIN_HIDDEN_TESTS */
export const END_HIDDEN_TESTS = "// END HIDDEN TESTS";
/** What replaces each solution region of a code cell in the student version. */
export const CODE_STUB = "notImplemented();";
/** What replaces a markdown solution (nbgrader's default text stub). */
export const TEXT_STUB = "YOUR ANSWER HERE";
/** The kernel language of the notebooks (the Deno kernel's), the key of nbgrader's code stub. */
export const LANGUAGE = "typescript";

/** A cell's source as one string (nbformat stores it as a list of lines or a string). */
export function cellSource(cell: Pick<Cell, "source">): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source ?? "";
}

/** Text as nbformat stores it: a list of lines, each but the last ending with its newline. */
export function toLines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** The cell's `metadata.nbgrader`, if it has one. */
export function nbgraderMeta(cell: Cell): NbgraderMeta | undefined {
  const meta = cell.metadata?.nbgrader;
  return meta && typeof meta === "object" ? meta : undefined;
}

/** nbgrader's `is_grade`: a graded cell (an autograder test, or a manually graded answer). */
export function isGrade(cell: Cell): boolean {
  return nbgraderMeta(cell)?.grade === true;
}

/** nbgrader's `is_solution`: a cell the student answers in. */
export function isSolution(cell: Cell): boolean {
  return nbgraderMeta(cell)?.solution === true;
}

/** nbgrader's `is_locked`: never a solution cell; always a graded (test) cell; else its `locked`. */
export function isLocked(cell: Cell): boolean {
  const meta = nbgraderMeta(cell);
  if (!meta || meta.solution === true) return false;
  return meta.grade === true || meta.locked === true;
}

/** An autograded test cell: graded, not a solution, code. */
export function isTest(cell: Cell): boolean {
  return isGrade(cell) && !isSolution(cell) && cell.cell_type === "code";
}

/** A number as Python's `str(float(x))` writes it: `1.0`, `2.5`, `1e+16`, `1e-05`. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // Both languages print the shortest digits that read back as the same double; only the layout differs.
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = x < 0 ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp >= 16 || exp < -4) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  return `${sign}${digits.slice(0, exp + 1).padEnd(exp + 1, "0")}.${digits.slice(exp + 1) || "0"}`;
}

/**
 * A cell's checksum exactly as nbgrader's `utils.compute_checksum` computes it: the MD5 (hex) of the
 * UTF-8 bytes of, in order, the source, the cell type, Python's `str()` of `is_grade`,
 * `is_solution` and `is_locked` (`True`/`False`), the grade_id, and for graded cells
 * `str(float(points))`. Checked against checksums that nbgrader itself wrote into its test
 * notebooks (tests/tools/nbgrader_test.ts).
 */
export function computeChecksum(cell: Cell): string {
  const meta = nbgraderMeta(cell);
  if (!meta?.grade_id) throw new Error("computeChecksum: the cell has no nbgrader grade_id");
  const py = (b: boolean) => (b ? "True" : "False");
  const md5 = createHash("md5");
  md5.update(cellSource(cell), "utf8");
  md5.update(cell.cell_type, "utf8");
  md5.update(py(isGrade(cell)) + py(isSolution(cell)) + py(isLocked(cell)), "utf8");
  md5.update(meta.grade_id, "utf8");
  if (isGrade(cell)) md5.update(pythonFloat(Number(meta.points)), "utf8");
  return md5.digest("hex");
}

/** The result of replacing or removing regions in a cell's source. */
export interface RegionEdit {
  source: string;
  /** How many regions were replaced or removed. */
  regions: number;
  /** What is wrong with the delimiters (nested, unterminated), if anything. */
  problem?: string;
}

function editRegions(source: string, begin: string, end: string, stub: string[] | null): RegionEdit {
  const out: string[] = [];
  let inside = false, regions = 0, problem: string | undefined;
  for (const line of source.split("\n")) {
    if (line.includes(begin)) {
      if (inside) problem ??= `nested "${begin}"`;
      inside = true;
      regions++;
      const indent = line.match(/^\s*/)![0];
      if (stub) out.push(...stub.map((s) => indent + s));
    } else if (line.includes(end)) {
      if (!inside) problem ??= `"${end}" without "${begin}"`;
      inside = false;
    } else if (!inside) out.push(line);
  }
  if (inside) problem ??= `"${begin}" without "${end}"`;
  return { source: out.join("\n"), regions, problem };
}

/** Replace each solution region (delimiter lines included) by `stub`, indented like its BEGIN line. */
export function replaceSolutions(source: string, stub = CODE_STUB): RegionEdit {
  return editRegions(source, BEGIN_SOLUTION, END_SOLUTION, stub.split("\n"));
}

/** Remove each hidden-test region, delimiter lines included. */
export function removeHiddenTests(source: string): RegionEdit {
  return editRegions(source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS, null);
}

/**
 * The student version of one cell, as nbgrader's `generate_assignment` makes it: solution regions
 * replaced by the stub (a solution cell without regions becomes the stub), hidden tests removed,
 * outputs and execution count cleared, solution cells non-deletable, locked and test cells
 * non-editable and non-deletable, and each nbgrader cell's checksum and type recorded.
 */
export function releaseCell(cell: Cell): Cell {
  const out: Cell = structuredClone(cell);
  const stub = cell.cell_type === "code" ? CODE_STUB : TEXT_STUB;
  let source = replaceSolutions(cellSource(cell), stub);
  if (isSolution(cell) && source.regions === 0) source = { source: stub, regions: 0 };
  out.source = toLines(removeHiddenTests(source.source).source);
  for (const key of ["collapsed", "scrolled", "execution"]) delete out.metadata[key];
  if (out.cell_type === "code") {
    out.outputs = [];
    out.execution_count = null;
  }
  const meta = nbgraderMeta(out);
  if (!meta) return out;
  if (isSolution(out)) out.metadata.deletable = false;
  else if (isLocked(out)) Object.assign(out.metadata, { deletable: false, editable: false });
  if (isGrade(out) || isSolution(out) || isLocked(out)) {
    meta.checksum = computeChecksum(out);
    meta.cell_type = out.cell_type;
  }
  return out;
}

/** An autograded exercise of a notebook: its test cell and the nbgrader cells since the previous test. */
export interface Exercise {
  gradeId: string;
  points: number;
  /** Index of the test cell in the notebook. */
  index: number;
  /** grade_ids of the solution and locked cells between the previous test cell and this one. */
  cells: string[];
}

/** The autograded exercises of a notebook, in order. */
export function exercises(nb: Notebook): Exercise[] {
  const found: Exercise[] = [];
  let pending: string[] = [];
  nb.cells.forEach((cell, index) => {
    const id = nbgraderMeta(cell)?.grade_id;
    if (!id) return;
    if (isTest(cell)) {
      found.push({ gradeId: id, points: Number(nbgraderMeta(cell)!.points ?? 0), index, cells: pending });
      pending = [];
    } else if (isSolution(cell) || isLocked(cell)) pending.push(id);
  });
  return found;
}

/** Problems with one cell's `metadata.nbgrader` against nbgrader's v3 schema and rules. */
function metaProblems(cell: Cell): string[] {
  const meta = cell.metadata.nbgrader as unknown;
  if (meta === undefined) return [];
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) {
    return ["metadata.nbgrader is not an object"];
  }
  const m = meta as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(m).filter((k) => !(NBGRADER_KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    problems.push(`unknown key(s) ${unknown.join(", ")} (nbgrader v3 allows ${NBGRADER_KEYS.join(", ")})`);
  }
  if (m.schema_version !== SCHEMA_VERSION) {
    problems.push(`schema_version must be 3, got ${JSON.stringify(m.schema_version)}`);
  }
  for (const key of ["grade", "solution", "locked"]) {
    if (typeof m[key] !== "boolean") {
      problems.push(`${key} must be true or false, got ${JSON.stringify(m[key])}`);
    }
  }
  if (m.task !== undefined && typeof m.task !== "boolean") problems.push("task must be true or false");
  const needsId = m.grade === true || m.solution === true || m.locked === true;
  if (m.grade_id !== undefined && (typeof m.grade_id !== "string" || !GRADE_ID_PATTERN.test(m.grade_id))) {
    problems.push(`grade_id ${JSON.stringify(m.grade_id)} must match [A-Za-z0-9_-]*`);
  } else if (needsId && !m.grade_id) problems.push("grade_id is missing or empty");
  if (m.points !== undefined && (typeof m.points !== "number" || !(m.points >= 0))) {
    problems.push(`points must be a number >= 0, got ${JSON.stringify(m.points)}`);
  } else if (m.grade === true && m.points === undefined) problems.push("a graded cell needs points");
  if (m.checksum !== undefined && (typeof m.checksum !== "string" || m.checksum.length !== 32)) {
    problems.push("checksum must be 32 characters");
  }
  if (m.cell_type !== undefined && !["raw", "code", "markdown"].includes(m.cell_type as string)) {
    problems.push(`cell_type must be raw, code or markdown, got ${JSON.stringify(m.cell_type)}`);
  }
  if (m.task === true && cell.cell_type !== "markdown") problems.push("task cells must be markdown");
  if (m.task !== true && cell.cell_type === "markdown" && m.grade !== m.solution) {
    problems.push("a markdown cell that is graded must also be a solution cell, and the other way round");
  }
  if (m.grade === true && m.solution === true) {
    problems.push("manually graded answer cells (grade and solution) are not supported by deno task grade");
  }
  return problems;
}

/** Problems with a cell's solution and hidden-test regions. */
function regionProblems(cell: Cell): string[] {
  const source = cellSource(cell);
  const problems: string[] = [];
  const solutions = replaceSolutions(source), hidden = removeHiddenTests(source);
  if (solutions.problem) problems.push(`solution region: ${solutions.problem}`);
  if (hidden.problem) problems.push(`hidden tests: ${hidden.problem}`);
  if (solutions.regions && !isSolution(cell)) problems.push("a solution region outside a solution cell");
  if (hidden.regions && !isGrade(cell)) problems.push("a hidden-test region outside a graded cell");
  source.split("\n").forEach((line, i) => {
    const marker = line.match(/\b(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b/)?.[0];
    if (marker && !line.includes(`// ${marker}`)) {
      problems.push(`line ${i + 1} says "${marker}" but the delimiter is "// ${marker}"`);
    }
  });
  return problems;
}

/**
 * Every problem with a notebook's nbgrader metadata (schema v3: allowed keys, types, grade_id and
 * points rules, unique grade_ids) and with its solution and hidden-test regions, one line each,
 * naming the cell. An empty list means nbgrader and `deno task assign` both accept the notebook.
 */
export function validateNotebook(nb: Notebook): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  nb.cells.forEach((cell, index) => {
    const id = nbgraderMeta(cell)?.grade_id;
    const where = `cell ${index}${typeof id === "string" && id ? ` (${id})` : ""}`;
    for (const p of [...metaProblems(cell), ...regionProblems(cell)]) problems.push(`${where}: ${p}`);
    const meta = nbgraderMeta(cell);
    if (typeof id === "string" && id && (meta?.grade || meta?.solution || meta?.locked)) {
      if (seen.has(id)) problems.push(`${where}: grade_id "${id}" is also used by cell ${seen.get(id)}`);
      else seen.set(id, index);
    }
  });
  return problems;
}

/** Parse notebook JSON, or say in one line why it is not a notebook. */
export function parseNotebook(text: string, name: string): Notebook {
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${name} is not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const cells = (nb as Notebook | null)?.cells;
  if (!Array.isArray(cells) || cells.some((c) => typeof c !== "object" || c === null || !c.cell_type)) {
    throw new UserError(`${name} is not a Jupyter notebook (no list of cells)`);
  }
  for (const cell of cells) cell.metadata ??= {};
  return nb as Notebook;
}

/** Read a notebook file (see {@link parseNotebook}). */
export async function readNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new UserError(`cannot read ${path} (${(e as Error).message})`);
  }
  return parseNotebook(text, path);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** A notebook as nbformat writes it: sorted keys, one-space indent, sources as lists of lines. */
export function formatNotebook(nb: Notebook): string {
  const cells = nb.cells.map((c) => ({ ...c, source: toLines(cellSource(c)) }));
  return JSON.stringify(sortKeys({ ...nb, cells }), null, 1) + "\n";
}

/** Write a notebook atomically (see {@link formatNotebook}). */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await writeAtomically(path, formatNotebook(nb));
}
