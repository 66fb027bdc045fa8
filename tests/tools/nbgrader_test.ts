import assert from "node:assert/strict";
import {
  BEGIN_HIDDEN_TESTS,
  BEGIN_SOLUTION,
  type Cell,
  cellSource,
  CODE_STUB,
  computeChecksum,
  END_HIDDEN_TESTS,
  END_SOLUTION,
  exercises,
  formatNotebook,
  isLocked,
  type NbgraderMeta,
  type Notebook,
  parseNotebook,
  pythonFloat,
  readNotebook,
  releaseCell,
  removeHiddenTests,
  replaceSolutions,
  validateNotebook,
} from "../../lib/tools/nbgrader.ts";
import { UserError } from "../../lib/errors.ts";
import { TIMEOUT_ENAME } from "../../lib/tools/headless.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURE = `${ROOT}tests/fixtures/exercises.ipynb`;

function cell(source: string, cellType: string, meta?: Partial<NbgraderMeta>): Cell {
  const nbgrader = meta
    ? { schema_version: 3, grade: false, solution: false, locked: false, ...meta } as NbgraderMeta
    : undefined;
  return { cell_type: cellType, metadata: nbgrader ? { nbgrader } : {}, source };
}

function notebook(...cells: Cell[]): Notebook {
  return { cells, metadata: {}, nbformat: 4, nbformat_minor: 5 };
}

Deno.test("computeChecksum gives the checksums nbgrader itself wrote into its test notebooks", () => {
  // Cells of nbgrader's nbgrader/tests/apps/files/submitted-unchanged.ipynb, with the checksum
  // nbgrader computed for each: solution, test, manually graded code and markdown, read-only cells.
  const cases: [Cell, string][] = [
    [
      cell("# YOUR CODE HERE\nraise NotImplementedError()", "code", { solution: true, grade_id: "set_a" }),
      "3d6aac4236f8e1ec85380e692dcc51b1",
    ],
    [
      cell('print("Success!")', "code", { grade: true, grade_id: "foo", points: 1 }),
      "8bb5c7c6f388fae724e5ef53dc4deeb2",
    ],
    [
      cell("assert a == 1", "code", { grade: true, grade_id: "bar", points: 1 }),
      "75d78cdf605a339809ceaace462c5f33",
    ],
    [
      cell("YOUR ANSWER HERE", "markdown", { grade: true, solution: true, grade_id: "baz", points: 2 }),
      "9e51fd0022c24c4105e38369d2f9d751",
    ],
    [
      cell("# YOUR CODE HERE\nraise NotImplementedError()", "code", {
        grade: true,
        solution: true,
        grade_id: "quux",
        points: 3,
      }),
      "5a193c164d7b444efe9a3612bee09f4c",
    ],
    [
      cell(`print("Don't change this cell!")`, "code", { locked: true, grade_id: "ro1" }),
      "86f5f877fe95faac003fcd4b8d43d093",
    ],
    [
      cell("This cell shouldn't be changed.", "markdown", { locked: true, grade_id: "ro2" }),
      "0122b50e5eaf367b9874d07ebaf80521",
    ],
  ];
  for (const [c, expected] of cases) assert.equal(computeChecksum(c), expected, cellSource(c));
  // A list of lines is the same source as the joined string.
  const lines = cell(["# YOUR CODE HERE\n", "raise NotImplementedError()"] as unknown as string, "code", {
    solution: true,
    grade_id: "set_a",
  });
  assert.equal(computeChecksum(lines), "3d6aac4236f8e1ec85380e692dcc51b1");
});

Deno.test("pythonFloat writes numbers as Python's str(float(x))", () => {
  const cases: [number, string][] = [
    [0, "0.0"],
    [1, "1.0"],
    [2, "2.0"],
    [0.5, "0.5"],
    [10, "10.0"],
    [100.25, "100.25"],
    [1e15, "1000000000000000.0"],
    [1234567890123456, "1234567890123456.0"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1e22, "1e+22"],
    [0.0001, "0.0001"],
    [0.00012, "0.00012"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1 / 3, "0.3333333333333333"],
    [123456789.125, "123456789.125"],
  ];
  for (const [x, expected] of cases) assert.equal(pythonFloat(x), expected, String(x));
});

Deno.test("is_locked follows nbgrader: tests are locked, solutions never", () => {
  assert.equal(isLocked(cell("x", "code", { grade: true, points: 1, grade_id: "t" })), true);
  assert.equal(isLocked(cell("x", "code", { solution: true, locked: true, grade_id: "s" })), false);
  assert.equal(isLocked(cell("x", "markdown", { locked: true, grade_id: "m" })), true);
  assert.equal(isLocked(cell("x", "code")), false);
});

Deno.test("solution regions become the stub at their indentation; code outside them stays", () => {
  const source =
    "function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}\nlet a = 1; // BEGIN SOLUTION\nsecret();\n// END SOLUTION";
  const { source: out, regions, problem } = replaceSolutions(source);
  assert.equal(out, "function f() {\n  notImplemented();\n}\nnotImplemented();");
  assert.deepEqual([regions, problem], [2, undefined]);
  assert.match(replaceSolutions("// BEGIN SOLUTION\nx").problem!, /without "\/\/ END SOLUTION"/);
  assert.match(replaceSolutions("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION").problem!, /nested/);
  const hidden = removeHiddenTests("a;\n// BEGIN HIDDEN TESTS\nb;\n// END HIDDEN TESTS\nc;");
  assert.deepEqual([hidden.source, hidden.regions], ["a;\nc;", 1]);
});

Deno.test("releaseCell: stubs, no hidden tests, no outputs, locks, and the checksum nbgrader would record", () => {
  const test = cell("check(a);\n// BEGIN HIDDEN TESTS\ncheck(b);\n// END HIDDEN TESTS", "code", {
    grade: true,
    locked: true,
    points: 2,
    grade_id: "t1",
  });
  test.outputs = [{ output_type: "stream", name: "stdout", text: "x" }];
  test.execution_count = 7;
  const released = releaseCell(test);
  assert.equal(cellSource(released), "check(a);");
  assert.deepEqual([released.outputs, released.execution_count], [[], null]);
  assert.deepEqual([released.metadata.editable, released.metadata.deletable], [false, false]);
  const meta = released.metadata.nbgrader!;
  assert.equal(meta.cell_type, "code");
  assert.equal(meta.checksum, computeChecksum(released));
  assert.equal(
    cellSource(test),
    "check(a);\n// BEGIN HIDDEN TESTS\ncheck(b);\n// END HIDDEN TESTS",
    "input untouched",
  );

  const solution = releaseCell(cell("let x = 1;\n// BEGIN SOLUTION\nx = 2;\n// END SOLUTION", "code", {
    solution: true,
    grade_id: "s1",
  }));
  assert.equal(cellSource(solution), "let x = 1;\nnotImplemented();");
  assert.deepEqual([solution.metadata.deletable, solution.metadata.editable], [false, undefined]);
  const whole = releaseCell(cell("x = 2;", "code", { solution: true, grade_id: "s2" }));
  assert.equal(cellSource(whole), "notImplemented();", "a solution cell without regions becomes the stub");
  const plain = releaseCell(cell("1 + 1", "code"));
  assert.deepEqual([plain.metadata, cellSource(plain)], [{}, "1 + 1"]);
});

Deno.test("validateNotebook accepts the fixture and names each problem with its cell", async () => {
  assert.deepEqual(validateNotebook(await readNotebook(FIXTURE)), []);
  const problems = validateNotebook(notebook(
    cell("x", "code", { grade: true, grade_id: "a" }),
    cell("x", "code", { solution: true, grade_id: "a" }),
    cell("x", "code", { locked: true, grade_id: "bad id" }),
    {
      cell_type: "code",
      metadata: { nbgrader: { schema_version: 2, grade: "yes", extra: 1 } },
      source: "",
    } as never,
    cell("x", "markdown", { grade: true, points: 1, grade_id: "md" }),
    cell("// BEGIN SOLUTION\nx", "code", { solution: true, grade_id: "open" }),
    cell("// BEGIN SOLUTION\nx\n// END SOLUTION", "code", { locked: true, grade_id: "lockedsol" }),
    cell("### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS", "code", { grade: true, points: 1, grade_id: "py" }),
    cell("x", "code", { grade: true, points: -1, grade_id: "neg" }),
    cell("x", "code", { grade: true, solution: true, points: 1, grade_id: "manual" }),
  ));
  const expected = [
    /^cell 0 \(a\): a graded cell needs points$/,
    /^cell 1 \(a\): grade_id "a" is also used by cell 0$/,
    /^cell 2 \(bad id\): grade_id "bad id" must match/,
    /^cell 3: unknown key\(s\) extra/,
    /^cell 3: schema_version must be 3, got 2$/,
    /^cell 3: grade must be true or false/,
    /^cell 3: solution must be true or false, got undefined$/,
    /^cell 4 \(md\): a markdown cell that is graded must also be a solution cell/,
    /^cell 5 \(open\): solution region: "\/\/ BEGIN SOLUTION" without "\/\/ END SOLUTION"$/,
    /^cell 6 \(lockedsol\): a solution region outside a solution cell$/,
    /^cell 7 \(py\): line 1 says "BEGIN HIDDEN TESTS" but the delimiter is "\/\/ BEGIN HIDDEN TESTS"$/,
    /^cell 8 \(neg\): points must be a number >= 0, got -1$/,
    /^cell 9 \(manual\): manually graded answer cells .* not supported/,
  ];
  for (const pattern of expected) {
    assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in\n${problems.join("\n")}`);
  }
});

Deno.test("every notebook in notebooks/ has valid nbgrader metadata (and exercises, where it has any)", async () => {
  for await (const entry of Deno.readDir(`${ROOT}notebooks`)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb = await readNotebook(`${ROOT}notebooks/${entry.name}`);
    assert.deepEqual(validateNotebook(nb), [], entry.name);
    for (const exercise of exercises(nb)) {
      assert.ok(exercise.points > 0, `${entry.name}: ${exercise.gradeId} is worth points`);
      const test = cellSource(nb.cells[exercise.index]);
      // stderr (warn, error) scores a cell 0 under nbgrader; one stdout line says a passing test passed.
      assert.doesNotMatch(
        test,
        /console\.(warn|error)/,
        `${entry.name}: ${exercise.gradeId} writes no stderr`,
      );
      assert.match(
        test,
        /\nconsole\.log\("✓ Exercise \d+: the checks passed"\);$/,
        `${entry.name}: ${exercise.gradeId} ends by saying it passed`,
      );
    }
  }
});

Deno.test("exercises groups each test with the solution and locked cells before it", async () => {
  const found = exercises(await readNotebook(FIXTURE));
  assert.deepEqual(found.map((e) => [e.gradeId, e.points, e.cells]), [
    ["fx_ex1_test", 1, ["fx_ex1_task", "fx_ex1_solution"]],
    ["fx_ex2_test", 2, ["fx_ex2_task", "fx_ex2_solution"]],
    ["fx_ex3_test", 1, ["fx_ex3_task", "fx_ex3_solution"]],
  ]);
});

Deno.test("parseNotebook: bad JSON or a non-notebook is a one-line user error", () => {
  assert.throws(
    () => parseNotebook("{ not json", "a.ipynb"),
    (e) =>
      e instanceof UserError && /^a\.ipynb is not valid JSON \(/.test(e.message) && !e.message.includes("\n"),
  );
  assert.throws(() => parseNotebook("[1, 2]", "b.ipynb"), /b\.ipynb is not a Jupyter notebook/);
});

Deno.test("formatNotebook writes nbformat's layout: sorted keys, one-space indent, lines of source", async () => {
  const text = await Deno.readTextFile(FIXTURE);
  assert.equal(formatNotebook(parseNotebook(text, "fixture")), text, "the fixture round-trips byte for byte");
});

Deno.test("nbgrader_config.py gives nbgrader the same delimiters and code stub as deno task assign", async () => {
  const config = await Deno.readTextFile(`${ROOT}nbgrader_config.py`);
  const setting = (name: string) => config.match(new RegExp(`^c\\.${name} = "([^"]*)"$`, "m"))?.[1];
  assert.equal(setting("ClearSolutions.begin_solution_delimeter"), BEGIN_SOLUTION);
  assert.equal(setting("ClearSolutions.end_solution_delimeter"), END_SOLUTION);
  assert.equal(setting("ClearHiddenTests.begin_test_delimeter"), BEGIN_HIDDEN_TESTS);
  assert.equal(setting("ClearHiddenTests.end_test_delimeter"), END_HIDDEN_TESTS);
  assert.match(config, new RegExp(`"typescript": "${CODE_STUB.replace(/[()]/g, "\\$&")}"`));
  assert.match(config, /^ {4}_section\.timeout = 120$/m);
});

Deno.test("nbgrader_config.py, loaded by traitlets: a timeout error with a traceback, no abort on one stuck cell, smoke profile, and a hook that links lib/", async () => {
  const dir = await Deno.makeTempDir();
  const script = `
import json, os, sys
from traitlets.config.loader import PyFileConfigLoader
config = PyFileConfigLoader("nbgrader_config.py", path=${JSON.stringify(ROOT)}).load_config()
hook = config.BaseConverter.pre_convert_hook
os.chdir(${JSON.stringify(dir)})
hook(notebooks=[], input_dir="submitted/ann/ps1", output_dir="autograded/ann/ps1")
hook(assignment="ps1", student="*", notebooks=[os.path.abspath("submitted/bob/ps1/02.ipynb")])
hook(assignment="ps1", student=".", notebooks=[os.path.abspath("source/ps1/02.ipynb")])
hook(notebooks=[], input_dir="submitted/ann/ps1", output_dir="autograded/ann/ps1")
print(json.dumps({
  "error": config.ExecutePreprocessor.error_on_timeout,
  "iopub": [config.ExecutePreprocessor.raise_on_iopub_timeout, config.Execute.raise_on_iopub_timeout],
  "profile": os.environ["FMNIST_PROFILE"],
  "runs": os.environ["FMNIST_RUNS_DIR"],
  "links": [os.path.realpath(p) for p in ("autograded/ann/lib", "autograded/bob/lib", "release/lib")],
}))
`;
  try {
    const out = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", script],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const got = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.ok(
      Array.isArray(got.error.traceback) && got.error.traceback.length > 0,
      "nbgrader reads traceback",
    );
    assert.equal(got.error.ename, TIMEOUT_ENAME);
    assert.deepEqual(got.iopub, [false, false]);
    assert.equal(got.profile, "smoke");
    assert.ok(!got.runs.startsWith(ROOT), "runs go to a scratch folder, not the repository");
    const lib = await Deno.realPath(`${ROOT}lib`);
    assert.deepEqual(got.links, [lib, lib, lib]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
