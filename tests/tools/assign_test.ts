import assert from "node:assert/strict";
import { assign, DEFAULT_RELEASE_DIR, parseArgs, releaseNotebook } from "../../lib/tools/assign.ts";
import { runNotebook, TIMEOUT_ENAME, writeKernelspec } from "../../lib/tools/headless.ts";
import {
  type Cell,
  cellSource,
  computeChecksum,
  nbgraderMeta,
  readNotebook,
  validateNotebook,
} from "../../lib/tools/nbgrader.ts";
import { NOT_IMPLEMENTED } from "../../lib/presentation/exercises.ts";
import { UserError } from "../../lib/errors.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = `${ROOT}tests/fixtures`;
const FIXTURE = `${FIXTURES}/exercises.ipynb`;

const byId = (cells: Cell[], id: string) => cells.find((c) => nbgraderMeta(c)?.grade_id === id)!;

Deno.test("assign writes the student version: stubs, no hidden tests or outputs, locks, nbgrader's checksums", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const before = await Deno.readTextFile(FIXTURE);
    const [release] = await assign([FIXTURE], `${dir}/release`);
    assert.deepEqual([release.exercises, release.points], [3, 4]);
    assert.equal(await Deno.readTextFile(FIXTURE), before, "the source is untouched");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(`${dir}/release`))).map((e) => e.name), [
      "exercises.ipynb",
    ]);
    const nb = await readNotebook(release.output);
    assert.deepEqual(validateNotebook(nb), []);
    const source = (id: string) => cellSource(byId(nb.cells, id));
    assert.equal(source("fx_ex1_solution"), "let total = 0;\nnotImplemented();");
    assert.equal(
      source("fx_ex2_solution"),
      "function mean(values: number[]): number {\n  notImplemented();\n}",
      "the stub keeps the region's indentation and the code around it",
    );
    assert.equal(source("fx_ex2_test"), 'checkClose(mean([1, 2, 3, 4]), 2.5, 1e-12, "mean of 1..4");');
    assert.doesNotMatch(
      JSON.stringify(nb),
      /BEGIN|END|mean of one value|reduce/,
      "no solution or hidden test left",
    );
    for (const cell of nb.cells) {
      if (cell.cell_type === "code") assert.deepEqual([cell.outputs, cell.execution_count], [[], null]);
      const meta = nbgraderMeta(cell);
      if (!meta) continue;
      assert.equal(meta.checksum, computeChecksum(cell), `${meta.grade_id}: checksum`);
      assert.equal(meta.cell_type, cell.cell_type);
      assert.equal(cell.metadata.deletable, false, `${meta.grade_id}: not deletable`);
      assert.equal(cell.metadata.editable, meta.solution ? undefined : false, `${meta.grade_id}: editable`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the released notebook runs headless to the end; every test fails until solved", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const [release] = await assign([FIXTURE], `${dir}/release`);
    await Deno.mkdir(`${dir}/out`);
    const run = await runNotebook(release.output, "smoke", {
      jupyterPath: await writeKernelspec(`${dir}/jupyter`),
      outDir: `${dir}/out`,
      timeoutSeconds: 10,
      allowErrors: true,
      interruptOnTimeout: true,
      workingDir: FIXTURES, // where the source's relative import resolves
    });
    assert.equal(run.ok, true, run.error ?? "");
    const executed = await readNotebook(run.output);
    const error = (id: string) => byId(executed.cells, id).outputs?.find((o) => o.output_type === "error");
    for (const id of ["fx_ex1_solution", "fx_ex3_solution"]) assert.equal(error(id)?.evalue, NOT_IMPLEMENTED);
    assert.equal(error("fx_ex2_test")?.evalue, NOT_IMPLEMENTED, "mean() throws when the test calls it");
    assert.equal(error("fx_ex1_test")?.ename, "CheckError");
    assert.equal(error("fx_ex3_test")?.ename, "CheckError");
    const statuses = (run.cells ?? []).map((c) => c.status);
    assert.equal(statuses.length, 7, "every code cell ran");
    assert.equal(statuses[0], "ok", "the import cell");
    assert.ok(!run.cells!.some((c) => c.ename === TIMEOUT_ENAME));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("assign checks every notebook first and writes nothing when one has a problem", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = structuredClone(await readNotebook(FIXTURE));
    byId(bad.cells, "fx_ex1_test").source = "// BEGIN SOLUTION\ncheck(true, 'x');\n// END SOLUTION";
    await Deno.writeTextFile(`${dir}/bad.ipynb`, JSON.stringify(bad));
    await assert.rejects(
      () => assign([FIXTURE, `${dir}/bad.ipynb`], `${dir}/release`),
      (e) =>
        e instanceof UserError && /bad\.ipynb: 1 problem/.test(e.message) &&
        /cell 4 \(fx_ex1_test\): a solution region outside a solution cell/.test(e.message),
    );
    assert.equal(await Deno.stat(`${dir}/release`).then(() => true, () => false), false);
    await assert.rejects(() => assign([FIXTURE], FIXTURES), /would overwrite its own source/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("releaseNotebook leaves its input alone and drops the Create Assignment toolbar", async () => {
  const nb = await readNotebook(FIXTURE);
  nb.metadata.celltoolbar = "Create Assignment";
  const copy = structuredClone(nb);
  const released = releaseNotebook(nb);
  assert.deepEqual(nb, copy);
  assert.equal(released.metadata.celltoolbar, undefined);
  assert.deepEqual(released.metadata.kernelspec, nb.metadata.kernelspec);
});

Deno.test("deno task assign: defaults, and one-line errors with exit status 2", async () => {
  const parsed = await parseArgs([]);
  assert.equal(parsed.outDir, DEFAULT_RELEASE_DIR);
  assert.ok(parsed.notebooks.length > 0 && parsed.notebooks.every((p) => p.startsWith(`${ROOT}notebooks/`)));
  await assert.rejects(() => parseArgs(["notebooks/99_missing.ipynb"]), /does not exist/);
  const cli = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}lib/tools/assign.ts`, "--outdir", "x"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(cli.stderr).trim();
  assert.equal(cli.code, 2, stderr);
  assert.match(stderr.split("\n").at(-1)!, /^error: .*--outdir/);
});
