/**
 * The two halves of grading one submitted notebook for `deno task grade` (lib/tools/grade.ts), apart
 * from running it: {@link prepareSubmission} restores what the student may not change from the
 * source notebook, and {@link scoreExercises} turns the executed copy into one row per exercise.
 *
 * @module
 */
import { type CellStatus, TIMEOUT_ENAME } from "./headless.ts";
import {
  BEGIN_HIDDEN_TESTS,
  type Cell,
  cellSource,
  END_HIDDEN_TESTS,
  type Exercise,
  exercises,
  isLocked,
  isSolution,
  isTest,
  nbgraderMeta,
  type Notebook,
  releaseCell,
} from "./nbgrader.ts";

/** What happened to one exercise. */
export type GradeStatus =
  | "passed"
  | "failed"
  | "timed out"
  | "missing"
  | "invalid"
  | "wrong notebook"
  | "not run";

/** One line of grades.csv. */
export interface GradeRow {
  student: string;
  notebook: string;
  /** The grade_id of the exercise's test cell ("" for a row about a whole notebook). */
  exercise: string;
  points: number;
  maxPoints: number;
  status: GradeStatus;
  message: string;
}

/** A submission made ready to run. */
export interface Prepared {
  /** The notebook to execute, or null when there is nothing to run (see `decided`). */
  notebook: Notebook | null;
  /** The source's exercises. */
  exercises: Exercise[];
  /** Where each exercise's test cell sits in `notebook`. */
  testIndex: Map<string, number>;
  /** Where each other nbgrader cell (solution, locked) sits in `notebook`. */
  cellIndex: Map<string, number>;
  /** Outcomes known before running (a deleted test cell, a notebook of another assignment). */
  decided: Map<string, { status: GradeStatus; message: string }>;
  /** Remarks per exercise (a test cell restored, a solution cell missing). */
  notes: Map<string, string[]>;
  /** Remarks about the notebook as a whole. */
  general: string[];
}

/** One line, without colour codes, at most `max` characters. */
export function oneLine(text: string, max = 300): string {
  // deno-lint-ignore no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, "").replace(/\s*\n\s*/g, " ").trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

function asType(cell: Cell, type: string): Cell {
  const out: Cell = { ...cell, cell_type: type };
  if (type === "code") {
    out.outputs = [];
    out.execution_count = null;
  } else {
    delete out.outputs;
    delete out.execution_count;
  }
  return out;
}

function note(notes: Map<string, string[]>, id: string, text: string): void {
  notes.set(id, [...(notes.get(id) ?? []), text]);
}

/**
 * Merge a submission with its source notebook, by grade_id, as nbgrader's autograde does: test and
 * locked cells get the source's full text back (hidden tests included) and, when the student changed
 * them, a note "test cell edited: original restored"; solution cells keep the student's code; every
 * nbgrader cell gets the source's metadata and cell type back; outputs are cleared. A deleted test
 * cell decides its exercise (0 points, "cell <id> missing"); a submission sharing no grade_id with
 * the source is a notebook of another assignment and is not run.
 */
export function prepareSubmission(source: Notebook, submission: Notebook): Prepared {
  const sourceCells = new Map<string, Cell>();
  for (const cell of source.cells) {
    const id = nbgraderMeta(cell)?.grade_id;
    if (id && (isSolution(cell) || isLocked(cell))) sourceCells.set(id, cell);
  }
  const found = exercises(source);
  const exerciseOf = new Map<string, string>();
  for (const e of found) for (const id of [e.gradeId, ...e.cells]) exerciseOf.set(id, e.gradeId);
  const prepared: Prepared = {
    notebook: null,
    exercises: found,
    testIndex: new Map(),
    cellIndex: new Map(),
    decided: new Map(),
    notes: new Map(),
    general: [],
  };
  const remark = (id: string, text: string) => {
    const owner = exerciseOf.get(id);
    if (owner) note(prepared.notes, owner, text);
    else prepared.general.push(text);
  };
  const seen = new Set<string>();
  const cells: Cell[] = submission.cells.map((submitted, index) => {
    const cell = asType(structuredClone(submitted), submitted.cell_type);
    const id = nbgraderMeta(cell)?.grade_id;
    const original = id ? sourceCells.get(id) : undefined;
    if (!id || !original || seen.has(id)) {
      if (id && seen.has(id)) {
        prepared.general.push(`cell ${index} repeats grade_id ${id}: run as ordinary code`);
      }
      delete cell.metadata.nbgrader;
      return cell;
    }
    seen.add(id);
    const typed = asType(cell, original.cell_type);
    typed.metadata = { ...typed.metadata, nbgrader: structuredClone(nbgraderMeta(original)!) };
    if (isTest(original)) prepared.testIndex.set(id, index);
    else prepared.cellIndex.set(id, index);
    if (isSolution(original)) {
      if (cell.cell_type !== original.cell_type) remark(id, `cell ${id} changed type: restored`);
      return typed;
    }
    const text = cellSource(submitted);
    const untouched = submitted.cell_type === original.cell_type &&
      (text === cellSource(releaseCell(original)) || text === cellSource(original));
    if (!untouched) {
      remark(id, `${isTest(original) ? "test cell" : `locked cell ${id}`} edited: original restored`);
    }
    return { ...typed, source: cellSource(original) };
  });
  if (seen.size === 0 && sourceCells.size > 0) {
    const ids = [...sourceCells.keys()];
    const shown = ids.slice(0, 4).join(", ") + (ids.length > 4 ? ", ..." : "");
    for (const e of found) {
      prepared.decided.set(e.gradeId, {
        status: "wrong notebook",
        message: `none of this notebook's exercise cells (${shown}) is in the submission: ` +
          "is it the notebook of another assignment?",
      });
    }
    return prepared;
  }
  for (const [id, original] of sourceCells) {
    if (seen.has(id)) continue;
    if (isTest(original)) prepared.decided.set(id, { status: "missing", message: `cell ${id} missing` });
    else remark(id, `cell ${id} missing`);
  }
  prepared.notebook = { ...submission, cells };
  return prepared;
}

/** The check functions of test cells (lib/presentation/exercises.ts), which {@link armNotebook} rebinds. */
const CHECKS = /(?<![\w$.])(checkEqual|checkClose|check)\s*\(/g;

/** The module test cells get their checks from when graded: a fresh copy, loaded before any student code. */
const EXERCISES_MODULE = new URL("../presentation/exercises.ts", import.meta.url).href;

/**
 * Make a prepared notebook's test cells unfakeable. A first cell, run before any student code, imports a
 * fresh copy of the checks under a name made of `nonce` (which the student cannot know, so cannot shadow);
 * every test cell then calls the checks through that name, in strict mode, after every built-in has been
 * put back as it was before the student's code ran (`runTestCell`); its hidden tests report a failure
 * by the check's description only (`hiddenTests`). Cell indices shift by one.
 */
export function armNotebook(prepared: Prepared, nonce: string): Prepared {
  if (!prepared.notebook) return prepared;
  const grader = `__grader_${nonce}`;
  const first = {
    cell_type: "code",
    metadata: {},
    execution_count: null,
    outputs: [],
    source: `const ${grader} = await import("${EXERCISES_MODULE}?grader=${nonce}");`,
  };
  const strict = (code: string) =>
    `async () => {\n"use strict";\n${code.replace(CHECKS, `${grader}.$1(`)}\n}`;
  const cells = prepared.notebook.cells.map((cell, index) => {
    const id = [...prepared.testIndex].find(([, at]) => at === index)?.[0];
    if (!id) return cell;
    const text = cellSource(cell);
    const begin = text.indexOf(BEGIN_HIDDEN_TESTS), end = text.indexOf(END_HIDDEN_TESTS);
    const visible = begin < 0
      ? text
      : text.slice(0, begin) + (end < 0 ? "" : text.slice(end + END_HIDDEN_TESTS.length));
    const hidden = begin < 0 ? "" : text.slice(begin + BEGIN_HIDDEN_TESTS.length, end < 0 ? undefined : end);
    const body = visible + (hidden.trim() ? `\nawait ${grader}.hiddenTests(${strict(hidden)});` : "");
    return { ...cell, source: `await ${grader}.runTestCell(${strict(body)});` };
  });
  const shift = (map: Map<string, number>) => new Map([...map].map(([id, at]) => [id, at + 1]));
  return {
    ...prepared,
    notebook: { ...prepared.notebook, cells: [first, ...cells] },
    testIndex: shift(prepared.testIndex),
    cellIndex: shift(prepared.cellIndex),
  };
}

/** The outcome of executing a prepared notebook. */
export interface Execution {
  /** The executed copy, or null when the run produced none. */
  executed: Notebook | null;
  /** How each cell ended (the runner's `cells`). */
  cells: CellStatus[];
  /** Why the run failed, when it did (one line is kept). */
  error?: string;
  timeoutSeconds: number;
}

function cellError(execution: Execution, index: number): { timedOut: boolean; message: string } | null {
  const status = execution.cells.find((c) => c.cell === index);
  if (status?.ename === TIMEOUT_ENAME) {
    return {
      timedOut: true,
      message: `ran past the timeout of ${execution.timeoutSeconds} s and was interrupted`,
    };
  }
  const output = execution.executed?.cells[index]?.outputs?.find((o) => o.output_type === "error");
  if (output) return { timedOut: false, message: oneLine(`${output.ename}: ${output.evalue}`) };
  if (status?.status === "error") {
    return { timedOut: false, message: oneLine(`${status.ename}: ${status.evalue}`) };
  }
  return null;
}

/**
 * One row per exercise: its points when its test cell ran without error; else 0, with the test's
 * error, "timed out" when the test (or a solution cell of the same exercise) ran past the timeout,
 * or "not run" when the run stopped before the test. Notes from {@link prepareSubmission} are added
 * to the message.
 */
export function scoreExercises(
  prepared: Prepared,
  execution: Execution | null,
  who: { student: string; notebook: string },
): GradeRow[] {
  const statusKnown = (execution?.cells.length ?? 0) > 0;
  return prepared.exercises.map((e) => {
    const row = (status: GradeStatus, message: string, points = 0): GradeRow => {
      const notes = prepared.notes.get(e.gradeId) ?? [];
      const text = [...notes, ...(message ? [message] : [])].join("; ");
      return { ...who, exercise: e.gradeId, points, maxPoints: e.points, status, message: text };
    };
    const decided = prepared.decided.get(e.gradeId);
    if (decided) return row(decided.status, decided.message);
    const index = prepared.testIndex.get(e.gradeId)!;
    if (!execution) return row("not run", "the notebook was not run");
    const ran = statusKnown ? execution.cells.some((c) => c.cell === index) : execution.executed !== null;
    if (!ran) {
      return row(
        "not run",
        oneLine(`the run stopped before this test: ${execution.error ?? "unknown reason"}`),
      );
    }
    const failure = cellError(execution, index);
    if (!failure) return row("passed", "", e.points);
    if (failure.timedOut) return row("timed out", `the test ${failure.message}`);
    for (const id of e.cells) {
      const at = prepared.cellIndex.get(id);
      const earlier = at === undefined ? null : cellError(execution, at);
      if (earlier?.timedOut) {
        return row("timed out", `cell ${id} ${earlier.message}; then the test failed: ${failure.message}`);
      }
      if (earlier) return row("failed", `${failure.message} (cell ${id} failed first: ${earlier.message})`);
    }
    return row("failed", failure.message);
  });
}
