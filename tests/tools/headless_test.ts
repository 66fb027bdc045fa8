import assert from "node:assert/strict";
import {
  checkOutputs,
  describeOutputCheck,
  kernelMemoryAfter,
  parseArgs,
  runAll,
  runNotebook,
  TIMEOUT_ENAME,
  writeKernelspec,
} from "../../lib/tools/headless.ts";
import { UserError } from "../../lib/errors.ts";

/** A cell output's text: nbformat stores multi-line strings as arrays of lines. */
function text(value: string | string[]): string {
  return Array.isArray(value) ? value.join("") : value;
}

const LIB = new URL("../../lib/", import.meta.url).href;

/**
 * A cell that shows `expression` through the library. A cell's last value (execute_result) is sent
 * by the kernel itself and, like any output, can arrive after the cell's idle under load; library
 * outputs wait until they are delivered (lib/kernel.ts).
 */
const show = (expression: string) =>
  `await (await import("${LIB}kernel.ts")).sendOutput({ "text/plain": ${expression} });`;

function notebook(...sources: string[]): string {
  return JSON.stringify({
    cells: sources.map((source, i) => ({
      cell_type: "code",
      id: `c${i}`,
      metadata: {},
      source: [source],
      execution_count: null,
      outputs: [],
    })),
    metadata: { kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

Deno.test("writeKernelspec points Jupyter at this Deno", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeKernelspec(dir);
    const spec = JSON.parse(await Deno.readTextFile(`${dir}/kernels/deno/kernel.json`));
    assert.equal(spec.argv[0], Deno.execPath());
    assert.deepEqual(spec.argv.slice(1), ["jupyter", "--kernel", "--conn", "{connection_file}"]);
    assert.equal(spec.interrupt_mode, "message", "with SIGINT the Deno kernel cannot stop a busy cell");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runAll keeps going past a failing notebook, names it, and leaves smoke inputs untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/a_fails.ipynb`;
    const good = `${dir}/b_works.ipynb`;
    await Deno.writeTextFile(bad, notebook('throw new Error("boom from the test")'));
    await Deno.writeTextFile(good, notebook(show('Deno.env.get("FMNIST_PROFILE")')));
    const before = [await Deno.readTextFile(bad), await Deno.readTextFile(good)];
    const runs = await runAll("smoke", [bad, good], () => {});
    assert.deepEqual(runs.map((r) => [r.notebook, r.ok]), [["a_fails.ipynb", false], [
      "b_works.ipynb",
      true,
    ]]);
    assert.match(runs[0].error ?? "", /boom from the test/);
    assert.deepEqual([await Deno.readTextFile(bad), await Deno.readTextFile(good)], before);
    const executed = JSON.parse(await Deno.readTextFile(runs[1].output));
    assert.equal(text(executed.cells[0].outputs[0].data["text/plain"]), "smoke");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a quick run replaces the notebook with its executed copy only when it succeeds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/works.ipynb`;
    const bad = `${dir}/fails.ipynb`;
    await Deno.writeTextFile(good, notebook(show("String(6 * 7)")));
    await Deno.writeTextFile(bad, notebook('throw new Error("no")'));
    const badBefore = await Deno.readTextFile(bad);
    const runs = await runAll("quick", [good, bad], () => {});
    assert.deepEqual(runs.map((r) => r.ok), [true, false]);
    const executed = JSON.parse(await Deno.readTextFile(good));
    assert.equal(text(executed.cells[0].outputs[0].data["text/plain"]), "42");
    assert.equal(await Deno.readTextFile(bad), badBefore);
    const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(left, ["fails.ipynb", "works.ipynb"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a notebook run under quick writes its figures to the git-ignored figures/local, paper to figures/", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  // Inside the repository (git-ignored scratch/), where the kernel finds deno.json's imports.
  await Deno.mkdir(`${root}scratch`, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: `${root}scratch` });
  const name = `zz_headless-test-${Deno.pid}`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>`;
  const cell = `await (await import("${LIB}presentation/plots.ts")).saveFigure("${name}", '${svg}');`;
  const paths = [`${root}figures/local/${name}`, `${root}figures/${name}`];
  try {
    await Deno.writeTextFile(`${dir}/quick.ipynb`, notebook(cell));
    assert.deepEqual((await runAll("quick", [`${dir}/quick.ipynb`], () => {})).map((r) => r.ok), [true]);
    await Deno.stat(`${paths[0]}.svg`);
    await Deno.stat(`${paths[0]}.png`);
    await assert.rejects(Deno.stat(`${paths[1]}.svg`), Deno.errors.NotFound, "quick wrote into figures/");
    await Deno.writeTextFile(`${dir}/paper.ipynb`, notebook(cell));
    assert.deepEqual((await runAll("paper", [`${dir}/paper.ipynb`], () => {})).map((r) => r.ok), [true]);
    await Deno.stat(`${paths[1]}.svg`);
  } finally {
    for (const path of paths) {
      for (const ext of [".svg", ".png"]) await Deno.remove(`${path}${ext}`).catch(() => {});
    }
    await Deno.remove(dir, { recursive: true });
  }
});

const out = (output: number, cell?: number) => ({
  output_type: "display_data",
  data: {},
  metadata: { fmnist: cell === undefined ? { output } : { output, cell } },
});
const executedNotebook = (...cells: unknown[][]) =>
  JSON.stringify({ cells: cells.map((outputs) => ({ cell_type: "code", outputs })) });

Deno.test("checkOutputs passes a notebook whose outputs all sit in the cells that produced them", () => {
  const stream = { output_type: "stream", name: "stdout", text: ["x"] };
  const nb = executedNotebook([out(1, 0)], [out(2, 1), stream, out(3, 1)], []);
  const check = checkOutputs(nb, "1 0\n2 1\n3 1\n");
  assert.deepEqual(check, { produced: 3, lost: [], misplaced: [], duplicated: [] });
  assert.equal(describeOutputCheck(check), null);
});

Deno.test("checkOutputs finds lost outputs, including the last one of the last cell", () => {
  const nb = executedNotebook([out(1, 0)], [out(3, 1)]);
  const check = checkOutputs(nb, "1 0\n2 1\n3 1\n4 1\n");
  assert.deepEqual(check.lost, [{ output: 2, cell: 1 }, { output: 4, cell: 1 }]);
  assert.match(describeOutputCheck(check)!, /2 of 4 outputs lost \(#2 of cell 1, #4 of cell 1\)/);
});

Deno.test("checkOutputs finds an output that landed in the next cell", () => {
  const nb = executedNotebook([out(1, 0)], [out(2, 0), out(3, 1)]);
  const check = checkOutputs(nb, "1 0\n2 0\n3 1\n");
  assert.deepEqual(check.lost, []);
  assert.deepEqual(check.misplaced, [{ output: 2, cell: 0, foundIn: 1 }]);
  assert.match(describeOutputCheck(check)!, /#2 of cell 0 shown in cell 1/);
});

Deno.test("checkOutputs finds an output shown twice", () => {
  const nb = executedNotebook([out(1, 0), out(1, 0)]);
  assert.deepEqual(checkOutputs(nb, "1 0\n").duplicated, [1]);
});

Deno.test("a real kernel: every library output, updates in place included, lands in its own cell", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/outputs.ipynb`;
    // Many outputs per cell and a progress display updated in place, cell after cell: the pattern
    // that lost outputs or put them in the next cell before outputs waited to be delivered.
    const burst = `for (let i = 0; i < 15; i++) await k.sendOutput({ "text/plain": "line " + i });`;
    const progress = `const p = new Progress("t");
for (let e = 1; e <= 3; e++) await p.update({ epoch: e, epochs: 3, batch: 1, batches: 1, loss: 1, accuracy: 0.5,
  elapsed: e, done: e, left: 3 - e }, true);
await p.finish("done");`;
    await Deno.writeTextFile(
      path,
      notebook(
        `import * as k from "${LIB}kernel.ts";\nimport { Progress } from "${LIB}training/progress.ts";`,
        burst,
        progress,
        burst,
        `await k.sendOutput({ "text/plain": "last" });`,
      ),
    );
    const [run] = await runAll("smoke", [path], () => {});
    assert.equal(run.ok, true, run.error ?? "");
    assert.equal(run.outputs?.produced, 15 + 1 + 15 + 1);
    const executed = JSON.parse(await Deno.readTextFile(run.output));
    const stamps = executed.cells.map((c: { outputs: { metadata: { fmnist: { cell: number } } }[] }) =>
      c.outputs.map((o) => o.metadata.fmnist.cell)
    );
    assert.deepEqual(stamps.map((s: number[]) => s.length), [0, 15, 1, 15, 1]);
    stamps.forEach((s: number[], cell: number) => assert.ok(s.every((c) => c === cell)));
    const final = executed.cells[2].outputs[0].data["text/plain"];
    assert.match(text(final), /t · done/, "the progress output keeps its final update");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a real kernel: an interrupt stops a busy-looping cell within seconds and keeps the variables", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const jupyterPath = await writeKernelspec(`${dir}/jupyter`);
    const path = `${dir}/loop.ipynb`;
    // The last cell shows x through the library: a cell's own value is sent by the kernel after the cell and
    // can be lost under load (see `show`), which would make this test flaky for a reason it does not test.
    await Deno.writeTextFile(path, notebook("let x = 41 + 1;", "while (true) {}", show("String(x)")));
    const t0 = performance.now();
    // nbclient interrupts a cell that runs past its timeout (3 s here), as a grader or a person would.
    const result = await new Deno.Command("jupyter", {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--allow-errors",
        "--ExecutePreprocessor.kernel_name=deno",
        "--ExecutePreprocessor.timeout=3",
        "--ExecutePreprocessor.interrupt_on_timeout=True",
        "--output-dir",
        dir,
        "--output",
        "executed",
        path,
      ],
      env: { JUPYTER_PATH: jupyterPath, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const seconds = (performance.now() - t0) / 1000;
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
    assert.ok(seconds < 30, `the run took ${seconds.toFixed(1)} s: the interrupt did not stop the loop`);
    const executed = JSON.parse(await Deno.readTextFile(`${dir}/executed.ipynb`));
    assert.equal(text(executed.cells[2].outputs[0].data["text/plain"]), "42");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a grading run goes past errors, interrupts a busy loop at the timeout, records each reply, runs from workingDir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/graded.ipynb`;
    await Deno.mkdir(`${dir}/here`);
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(
      path,
      notebook(
        'throw new Error("boom")',
        "while (true) {}",
        `Deno.writeTextFileSync("${dir}/cwd.txt", Deno.cwd());`,
      ),
    );
    const before = await Deno.readTextFile(path);
    const run = await runNotebook(path, "quick", {
      jupyterPath: await writeKernelspec(`${dir}/jupyter`),
      outDir: `${dir}/out`,
      timeoutSeconds: 3,
      allowErrors: true,
      interruptOnTimeout: true,
      workingDir: `${dir}/here`,
    });
    assert.equal(run.ok, true, run.error ?? "");
    assert.deepEqual(run.cells?.map((c) => [c.cell, c.status, c.ename]), [
      [0, "error", "Error"],
      [1, "error", TIMEOUT_ENAME],
      [2, "ok", undefined],
    ]);
    // The kernel's memory after each cell: a Deno kernel holds at least tens of MiB, and less than the machine.
    const memory = kernelMemoryAfter(run.cells);
    assert.ok(memory !== null && memory > 20 && memory < 64 * 1024, `kernel memory ${memory} MiB`);
    assert.equal(await Deno.readTextFile(`${dir}/cwd.txt`), await Deno.realPath(`${dir}/here`));
    assert.equal(await Deno.readTextFile(path), before, "a grading run never replaces the notebook");
    assert.equal(run.output, `${dir}/out/graded.ipynb`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseArgs: a bad profile, an unknown option or a missing notebook is a one-line user error", () => {
  assert.throws(
    () => parseArgs(["--profile", "fast"]),
    (e) => e instanceof UserError && /unknown profile "fast"/.test(e.message),
  );
  assert.throws(
    () => parseArgs(["--verbose"]),
    (e) => e instanceof UserError && /unknown option/.test(e.message),
  );
  assert.throws(
    () => parseArgs(["notebooks/99_missing.ipynb"]),
    (e) => e instanceof UserError && /does not exist/.test(e.message),
  );
  assert.deepEqual(parseArgs(["--profile=paper"]).profile, "paper");
});
