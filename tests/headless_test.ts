import assert from "node:assert/strict";
import { outputsLost, runAll, writeKernelspec } from "../lib/headless.ts";

/** A cell output's text: nbformat stores multi-line strings as arrays of lines. */
function text(value: string | string[]): string {
  return Array.isArray(value) ? value.join("") : value;
}

function notebook(source: string): string {
  return JSON.stringify({
    cells: [{
      cell_type: "code",
      id: "a",
      metadata: {},
      source: [source],
      execution_count: null,
      outputs: [],
    }],
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
    await Deno.writeTextFile(good, notebook('Deno.env.get("FMNIST_PROFILE")'));
    const before = [await Deno.readTextFile(bad), await Deno.readTextFile(good)];
    const runs = await runAll("smoke", [bad, good], () => {});
    assert.deepEqual(runs.map((r) => [r.notebook, r.ok]), [["a_fails.ipynb", false], [
      "b_works.ipynb",
      true,
    ]]);
    assert.match(runs[0].error ?? "", /boom from the test/);
    assert.deepEqual([await Deno.readTextFile(bad), await Deno.readTextFile(good)], before);
    const executed = JSON.parse(await Deno.readTextFile(runs[1].output));
    assert.equal(text(executed.cells[0].outputs[0].data["text/plain"]), '"smoke"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a quick run replaces the notebook with its executed copy only when it succeeds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = `${dir}/works.ipynb`;
    const bad = `${dir}/fails.ipynb`;
    await Deno.writeTextFile(good, notebook("6 * 7"));
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

Deno.test("outputsLost flags an executed notebook whose first code cell has no output", () => {
  const nb = (outputs: unknown[]) =>
    JSON.stringify({
      cells: [
        { cell_type: "markdown", source: ["# t"] },
        { cell_type: "code", outputs },
        { cell_type: "code", outputs: [] },
      ],
    });
  assert.equal(outputsLost(nb([])), true);
  assert.equal(outputsLost(nb([{ output_type: "display_data", data: {} }])), false);
});

Deno.test("outputsLost flags a gap in the numbers lib/notebook.ts gives its outputs", () => {
  const out = (n: number) => ({ output_type: "display_data", data: {}, metadata: { fmnist: { output: n } } });
  const stream = { output_type: "stream", name: "stdout", text: ["x"] };
  const nb = (...cells: unknown[][]) =>
    JSON.stringify({ cells: cells.map((outputs) => ({ cell_type: "code", outputs })) });
  assert.equal(outputsLost(nb([out(1)], [out(2), stream, out(3)], [])), false);
  assert.equal(outputsLost(nb([out(1)], [out(3)])), true, "output 2 is missing");
  assert.equal(outputsLost(nb([out(1)], [out(2), out(2)])), true, "a number twice is not a clean session");
  assert.equal(outputsLost(nb([out(2)])), true, "output 1 is missing");
});
