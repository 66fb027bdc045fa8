import assert from "node:assert/strict";
import { grade, parseArgs } from "../../lib/tools/grade.ts";
import { releaseNotebook } from "../../lib/tools/assign.ts";
import { prepareSubmission, scoreExercises } from "../../lib/tools/grading.ts";
import { gradesCsv, parseGradesCsv } from "../../lib/tools/grade_report.ts";
import { TIMEOUT_ENAME } from "../../lib/tools/headless.ts";
import {
  type Cell,
  formatNotebook,
  nbgraderMeta,
  type Notebook,
  readNotebook,
} from "../../lib/tools/nbgrader.ts";
import { UserError } from "../../lib/errors.ts";
import { sandboxUnavailable } from "../../lib/tools/sandbox.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
// Graded in the sandbox where the machine can make one (sandbox_test.ts covers it); plainly elsewhere.
const unsafeNoSandbox = (await sandboxUnavailable()) !== null;
const FIXTURES = `${ROOT}tests/fixtures`;
const SOURCE = await readNotebook(`${FIXTURES}/exercises.ipynb`);
const RELEASED = releaseNotebook(SOURCE);

/** The released notebook with the given cells' sources replaced (by grade_id), as a student would hand it in. */
function submission(sources: Record<string, string> = {}, drop: string[] = []): Notebook {
  const nb = structuredClone(RELEASED);
  nb.cells = nb.cells.filter((c) => !drop.includes(nbgraderMeta(c)?.grade_id ?? ""));
  for (const cell of nb.cells) {
    const id = nbgraderMeta(cell)?.grade_id ?? "";
    if (id in sources) cell.source = sources[id];
  }
  return nb;
}

const SOLVED = {
  fx_ex1_solution: "let total = 0;\ntotal = 1 + 2 + 3 + 4;",
  fx_ex2_solution:
    "function mean(values: number[]): number {\n  return values.reduce((a, b) => a + b) / values.length;\n}",
  fx_ex3_solution: 'let words = "the quick brown fox".split(" ");',
};

/** Write each student's files (name to a notebook, or raw text), grade them, and return the rows by student. */
async function gradeStudents(
  students: Record<string, Record<string, Notebook | string>>,
  timeoutSeconds = 10,
) {
  const dir = await Deno.makeTempDir();
  try {
    for (const [student, files] of Object.entries(students)) {
      await Deno.mkdir(`${dir}/submitted/${student}`, { recursive: true });
      for (const [name, content] of Object.entries(files)) {
        const text = typeof content === "string" ? content : formatNotebook(content);
        await Deno.writeTextFile(`${dir}/submitted/${student}/${name}`, text);
      }
    }
    const result = await grade({
      submissions: `${dir}/submitted`,
      sourceDir: FIXTURES,
      outDir: `${dir}/grades`,
      timeoutSeconds,
      unsafeNoSandbox,
      log: () => {},
    });
    const csv = parseGradesCsv(await Deno.readTextFile(result.csvPath));
    assert.deepEqual(Object.keys(csv[0]), [
      "student",
      "notebook",
      "exercise",
      "points",
      "max_points",
      "status",
      "message",
    ]);
    const feedback: Record<string, string> = {};
    for (const [student, path] of result.feedback) feedback[student] = await Deno.readTextFile(path);
    const rows: Record<string, Record<string, string>[]> = {};
    for (const row of csv) (rows[row.student] ??= []).push(row);
    return { rows, feedback };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const summary = (rows: Record<string, string>[]) =>
  rows.map((r) => `${r.exercise} ${r.points}/${r.max_points} ${r.status}`);

Deno.test("the solution scores full marks; the untouched student version runs and scores 0 on each exercise", async () => {
  const { rows, feedback } = await gradeStudents({
    instructor: { "exercises.ipynb": SOURCE },
    solved: { "exercises.ipynb": submission(SOLVED) },
    untouched: { "exercises.ipynb": RELEASED },
  });
  const full = ["fx_ex1_test 1/1 passed", "fx_ex2_test 2/2 passed", "fx_ex3_test 1/1 passed"];
  assert.deepEqual(summary(rows.instructor), full);
  assert.deepEqual(summary(rows.solved), full);
  assert.deepEqual(rows.solved.map((r) => r.message), ["", "", ""], "nothing to remark");
  assert.deepEqual(summary(rows.untouched), [
    "fx_ex1_test 0/1 failed",
    "fx_ex2_test 0/2 failed",
    "fx_ex3_test 0/1 failed",
  ]);
  assert.match(rows.untouched[1].message, /^Error: not implemented: replace this line with your solution$/);
  assert.match(
    rows.untouched[0].message,
    /CheckError: the sum of 1\.\.4: expected 10, got 0 \(cell fx_ex1_solution failed first: Error: not implemented/,
  );
  assert.match(feedback.solved, /Total: \*\*4 \/ 4\*\* points/);
  assert.match(feedback.untouched, /\| fx_ex2_test \| 0 \/ 2 \| failed: Error: not implemented/);
});

Deno.test("edited tests are graded with the original (hidden tests included); deleted cells, bad JSON and another assignment's notebook are named", async () => {
  const { rows, feedback } = await gradeStudents({
    // Exercise 1 wrong but its test replaced by one that passes; exercise 2 passes only the visible test.
    editor: {
      "exercises.ipynb": submission({
        ...SOLVED,
        fx_ex1_solution: "let total = 0;",
        fx_ex1_test: 'check(true, "always");',
        fx_ex2_solution: "function mean(values: number[]): number {\n  return 2.5;\n}",
      }),
    },
    deleter: { "exercises.ipynb": submission(SOLVED, ["fx_ex1_test", "fx_ex2_solution"]) },
    broken: { "exercises.ipynb": '{"cells": [' },
    stranger: {
      "exercises.ipynb": JSON.stringify({
        ...RELEASED,
        cells: RELEASED.cells.map((c: Cell) => ({ ...c, metadata: {} })),
      }),
      "homework2.ipynb": RELEASED,
    },
    absent: {},
  });
  assert.deepEqual(summary(rows.editor), [
    "fx_ex1_test 0/1 failed",
    "fx_ex2_test 0/2 failed",
    "fx_ex3_test 1/1 passed",
  ]);
  assert.equal(
    rows.editor[0].message,
    "test cell edited: original restored; CheckError: the sum of 1..4: expected 10, got 0",
  );
  assert.equal(
    rows.editor[1].message,
    "CheckError: hidden test failed: mean of one value",
    "the hidden test ran, and its failure says what was checked and nothing else",
  );
  assert.deepEqual(summary(rows.deleter), [
    "fx_ex1_test 0/1 missing",
    "fx_ex2_test 0/2 failed",
    "fx_ex3_test 1/1 passed",
  ]);
  assert.equal(rows.deleter[0].message, "cell fx_ex1_test missing");
  assert.match(rows.deleter[1].message, /^cell fx_ex2_solution missing; ReferenceError: mean is not defined/);
  for (const row of rows.broken) {
    assert.equal(row.status, "invalid");
    assert.match(row.message, /^broken\/exercises\.ipynb is not valid JSON \(/);
  }
  assert.deepEqual(rows.stranger.map((r) => [r.notebook, r.status]), [
    ["exercises.ipynb", "wrong notebook"],
    ["exercises.ipynb", "wrong notebook"],
    ["exercises.ipynb", "wrong notebook"],
    ["homework2.ipynb", "wrong notebook"],
  ]);
  assert.match(rows.stranger[0].message, /is it the notebook of another assignment\?/);
  assert.match(rows.stranger[3].message, /^homework2\.ipynb is not a notebook of this assignment/);
  assert.deepEqual(
    rows.absent.map((r) => [r.status, r.message]),
    Array(3).fill(["missing", "notebook exercises.ipynb not submitted"]),
  );
  assert.match(feedback.editor, /test cell edited: original restored/);
});

Deno.test("an endless loop is interrupted at the timeout, and the other exercises still score", async () => {
  const t0 = performance.now();
  const { rows } = await gradeStudents({
    looper: {
      "exercises.ipynb": submission({
        ...SOLVED,
        fx_ex1_solution: "let total = 0;\nwhile (true) {}",
        fx_ex2_solution: "function mean(values: number[]): number {\n  while (true) {}\n}",
      }),
    },
    neighbour: { "exercises.ipynb": submission(SOLVED) },
  }, 5);
  assert.deepEqual(summary(rows.looper), [
    "fx_ex1_test 0/1 timed out",
    "fx_ex2_test 0/2 timed out",
    "fx_ex3_test 1/1 passed",
  ]);
  assert.match(
    rows.looper[0].message,
    /^cell fx_ex1_solution ran past the timeout of 5 s and was interrupted; then the test failed: CheckError/,
  );
  assert.equal(rows.looper[1].message, "the test ran past the timeout of 5 s and was interrupted");
  assert.deepEqual(summary(rows.neighbour), [
    "fx_ex1_test 1/1 passed",
    "fx_ex2_test 2/2 passed",
    "fx_ex3_test 1/1 passed",
  ]);
  assert.ok(performance.now() - t0 < 60_000, "two timeouts of 5 s, not a hang");
});

Deno.test("scoreExercises: a run that stopped early leaves the tests it never reached 'not run'", () => {
  const prepared = prepareSubmission(SOURCE, submission(SOLVED));
  const [t1, t2] = [prepared.testIndex.get("fx_ex1_test")!, prepared.testIndex.get("fx_ex2_test")!];
  const rows = scoreExercises(prepared, {
    executed: null,
    cells: [{ cell: t1, status: "ok", seconds: 0 }, {
      cell: t2,
      status: "error",
      ename: TIMEOUT_ENAME,
      evalue: "",
      seconds: 5,
    }],
    error: "DeadKernelError: Kernel died",
    timeoutSeconds: 5,
  }, { student: "s", notebook: "exercises.ipynb" });
  assert.deepEqual(rows.map((r) => [r.points, r.status]), [[1, "passed"], [0, "timed out"], [0, "not run"]]);
  assert.match(rows[2].message, /the run stopped before this test: DeadKernelError: Kernel died/);
});

Deno.test("grades.csv quotes commas, quotes and newlines, and reads back", () => {
  const row = {
    student: "a,b",
    notebook: "n.ipynb",
    exercise: "e",
    points: 0.5,
    maxPoints: 1,
    status: "failed" as const,
    message: 'say "hi",\nthen',
  };
  const [back] = parseGradesCsv(gradesCsv([row]));
  assert.deepEqual(back, {
    student: "a,b",
    notebook: "n.ipynb",
    exercise: "e",
    points: "0.5",
    max_points: "1",
    status: "failed",
    message: 'say "hi",\nthen',
  });
});

Deno.test("deno task grade: bad arguments are one-line user errors", async () => {
  const isUser = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message);
  await assert.rejects(() => parseArgs([]), isUser(/give exactly one submissions folder/));
  await assert.rejects(() => parseArgs(["/nonexistent/submissions"]), isUser(/does not exist/));
  await assert.rejects(() => parseArgs([FIXTURES, "--timeout", "0"]), isUser(/--timeout must be/));
  await assert.rejects(() => parseArgs([FIXTURES, "--source", "/nonexistent"]), isUser(/source folder/));
  const options = await parseArgs([FIXTURES, "--timeout", "7"]);
  assert.deepEqual([options.timeoutSeconds, options.sourceDir, options.outDir], [
    7,
    `${ROOT}notebooks`,
    `${ROOT}grades`,
  ]);
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => grade({ submissions: dir, sourceDir: FIXTURES, outDir: `${dir}/g`, timeoutSeconds: 5 }),
      isUser(/no student folders/),
    );
    await assert.rejects(
      () => grade({ submissions: dir, sourceDir: dir, outDir: `${dir}/g`, timeoutSeconds: 5 }),
      isUser(/no notebook in .* has exercises/),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a real paper notebook: its solution version scores full marks, its released version 0 on every exercise", async () => {
  const source = `${ROOT}notebooks`;
  const name = "02_ann_baseline.ipynb";
  const solved = await readNotebook(`${source}/${name}`);
  const dir = await Deno.makeTempDir();
  try {
    for (const [student, nb] of [["solution", solved], ["student", releaseNotebook(solved)]] as const) {
      await Deno.mkdir(`${dir}/submitted/${student}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/submitted/${student}/${name}`, formatNotebook(nb));
    }
    const result = await grade({
      submissions: `${dir}/submitted`,
      sourceDir: source,
      outDir: `${dir}/grades`,
      timeoutSeconds: 120,
      unsafeNoSandbox,
      log: () => {},
    });
    const rows = result.rows.filter((r) => r.notebook === name);
    const points = (student: string) =>
      rows.filter((r) => r.student === student).map((r) => [r.points, r.maxPoints]);
    assert.deepEqual(points("solution"), [[1, 1], [2, 2], [2, 2]]);
    assert.deepEqual(points("student"), [[0, 1], [0, 2], [0, 2]]);
    assert.ok(rows.filter((r) => r.student === "student").every((r) => /not implemented/.test(r.message)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("self-grading with --only-submitted counts only the notebooks handed in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/mine/me`, { recursive: true });
    await Deno.writeTextFile(`${dir}/mine/me/notes.txt`, "no notebook yet");
    const options = { submissions: `${dir}/mine`, sourceDir: FIXTURES, timeoutSeconds: 5, unsafeNoSandbox };
    const all = await grade({ ...options, outDir: `${dir}/all`, log: () => {} });
    assert.deepEqual(all.rows.map((r) => r.status), ["missing", "missing", "missing"]);
    const mine = await grade({ ...options, outDir: `${dir}/mine-only`, onlySubmitted: true, log: () => {} });
    assert.deepEqual(mine.rows, []);
    assert.match(await Deno.readTextFile(mine.feedback.get("me")!), /Total: \*\*0 \/ 0\*\*/);
    const parsed = await parseArgs([`${dir}/mine`, "--only-submitted"]);
    assert.equal(parsed.onlySubmitted, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
