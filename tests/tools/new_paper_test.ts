import assert from "node:assert/strict";
import { nextNotebookNumber, nextPaperId, scaffoldPaper } from "../../lib/tools/new_paper.ts";
import { REPO_ROOT } from "../../lib/training/profile.ts";

Deno.test("new paper: the next id and notebook number follow the largest ones", () => {
  assert.equal(nextPaperId(["000", "001", "004"]), "005");
  assert.equal(nextPaperId([]), "000");
  assert.equal(nextNotebookNumber(["01_eda.ipynb", "07_band.ipynb", "README.md"]), "08");
});

/** A copy of the repository's code (not its data, runs or git history) in a temporary directory. */
async function repoCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "fmnist-new-paper-" });
  for (const path of ["lib", "notebooks", "deno.json", "deno.lock"]) {
    const cp = new Deno.Command("cp", { args: ["-r", `${REPO_ROOT}${path}`, `${dir}/`] });
    assert.ok((await cp.output()).success, `copy ${path}`);
  }
  await Deno.symlink(`${REPO_ROOT}node_modules`, `${dir}/node_modules`);
  return dir;
}

async function run(dir: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, text };
}

Deno.test("new paper: refuses a bad slug and an existing one, writing nothing", async () => {
  const dir = await repoCopy();
  try {
    const before = await Deno.readTextFile(`${dir}/lib/papers/registry.ts`);
    await assert.rejects(scaffoldPaper("Bad-Slug", { root: dir }), /lowercase letters and digits/);
    await assert.rejects(scaffoldPaper("tang", { root: dir }), /lib\/papers\/tang exists already/);
    await assert.rejects(scaffoldPaper("demo", { root: dir, framework: "jax" }), /--framework "jax"/);
    assert.equal(await Deno.readTextFile(`${dir}/lib/papers/registry.ts`), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "new paper: a scaffolded paper registers, validates, and its notebook runs under smoke",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await repoCopy();
    try {
      for (const framework of ["keras", "pytorch"]) {
        const slug = framework === "keras" ? "demo" : "demotorch";
        const made = await scaffoldPaper(slug, { root: dir, framework, label: "Demo et al." });
        assert.deepEqual(made.files.slice(0, 4).map((f) => f.split("/").at(-1)), [
          "paper.ts",
          "claims.json",
          "views.ts",
          "mod.ts",
        ]);
      }
      // The copy's registry lists both new papers; models build with the counts they declare; recipes are
      // valid configs; the empty catalogues load.
      const probe = `
        import { PAPER_LIST, buildModel, modelSpec, CATALOGUES, experiment, countParams, initBackend } from "./lib/mod.ts";
        await initBackend();
        const added = PAPER_LIST.filter((p) => p.slug.startsWith("demo"));
        for (const p of added) {
          const name = p.models[0].name;
          if (countParams(buildModel(name)).total !== modelSpec(name).counts.total) throw new Error(name);
          experiment(name, "smoke");
          if (CATALOGUES[p.id].claims.length !== 0) throw new Error("catalogue");
        }
        console.log(added.map((p) => p.id + ":" + p.notebooks.join()).join(" "));`;
      await Deno.writeTextFile(`${dir}/probe.ts`, probe);
      const probed = await run(dir, ["run", "-A", "probe.ts"]);
      assert.ok(probed.ok, probed.text);
      assert.match(probed.text, /005:08_demo 006:09_demotorch/);
      const checked = await run(dir, ["check", "lib/papers/demo/mod.ts", "lib/papers/demotorch/mod.ts"]);
      assert.ok(checked.ok, checked.text);
      const executed = await run(
        dir,
        ["run", "-A", "lib/tools/headless.ts", "--profile", "smoke", "notebooks/08_demo.ipynb"],
        { FMNIST_RUNS_DIR: `${dir}/runs` },
      );
      assert.ok(executed.ok, executed.text);
      assert.match(executed.text, /notebooks: 1 passed, 0 failed/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
