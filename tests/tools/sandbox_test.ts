/**
 * Hostile submissions against `deno task grade` on the fixture notebook: each attack a student tried in
 * review scores 0 and changes nothing outside its run's scratch directory, while a correct submission
 * still scores full marks. Needs bubblewrap (the grader refuses to run without it).
 */
import assert from "node:assert/strict";
import { grade } from "../../lib/tools/grade.ts";
import { releaseNotebook } from "../../lib/tools/assign.ts";
import { parseGradesCsv } from "../../lib/tools/grade_report.ts";
import { formatNotebook, nbgraderMeta, readNotebook } from "../../lib/tools/nbgrader.ts";
import { sandboxArgs, sandboxUnavailable } from "../../lib/tools/sandbox.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const FIXTURES = `${ROOT}/tests/fixtures`;
const RELEASED = releaseNotebook(await readNotebook(`${FIXTURES}/exercises.ipynb`));
const noSandbox = await sandboxUnavailable();
const sha = async (path: string) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path))))
    .map((b) => b.toString(16).padStart(2, "0")).join("");

const RIGHT = {
  fx_ex1_solution: "let total = 0;\ntotal = 1 + 2 + 3 + 4;",
  fx_ex2_solution:
    "function mean(values: number[]): number {\n  return values.reduce((a, b) => a + b) / values.length;\n}",
  fx_ex3_solution: 'let words = "the quick brown fox".split(" ");',
};
const WRONG = {
  fx_ex1_solution: "let total = 0;",
  fx_ex2_solution: "function mean(values: number[]): number {\n  return 0;\n}",
  fx_ex3_solution: "let words: string[] = [];",
};

/** The released fixture with the first solution cell prefixed by `attack` and the rest as given. */
function submission(attack: string, answers: Record<string, string> = WRONG): string {
  const nb = structuredClone(RELEASED);
  for (const cell of nb.cells) {
    const id = nbgraderMeta(cell)?.grade_id ?? "";
    if (id in answers) {
      cell.source = (id === "fx_ex1_solution" ? `${attack}\n` : "") + answers[id as keyof typeof RIGHT];
    }
  }
  return formatNotebook(nb);
}

Deno.test({
  name:
    "sandbox: every attack of the review scores 0, changes nothing outside, and a correct notebook scores 4/4",
  ignore: noSandbox !== null,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const marker = `${dir}/outside-marker`;
    const library = `${ROOT}/lib/presentation/exercises.ts`;
    const before = await sha(library);
    const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (server.addr as Deno.NetAddr).port;
    const attacks: Record<string, string> = {
      intrinsics: "Object.is = () => true; Math.abs = () => 0; Array.prototype.every = () => true; " +
        "Object.keys = () => []; Number.isNaN = () => false;",
      reimport: 'import { check, checkClose, checkEqual } from "data:application/javascript,' +
        'export const check=()=>{};export const checkClose=()=>{};export const checkEqual=()=>{};";\n' +
        "var checkEqual2 = checkEqual;",
      library:
        `try { Deno.writeTextFileSync(${
          JSON.stringify(library)
        }, "export const check = () => {};"); } catch {}` +
        `\ntry { Deno.removeSync(${JSON.stringify(library)}); } catch {}`,
      detached: `new Deno.Command("setsid", { args: ["sh", "-c", ${
        JSON.stringify(`sleep 3; echo hacked > ${marker}; echo x > ${dir}/grades/grades.csv`)
      }] }).spawn();`,
      leak:
        `let leaked = "";\ntry { leaked = Deno.readTextFileSync(${
          JSON.stringify(`${FIXTURES}/exercises.ipynb`)
        }); } catch (e) { leaked = String(e); }\n` +
        `try { Deno.writeTextFileSync(${JSON.stringify(marker)}, "written"); } catch {}\n` +
        `try { await Deno.connect({ hostname: "127.0.0.1", port: ${port} }); leaked += " network"; } catch {}\n` +
        "if (leaked.includes('mean([10])')) throw new Error(leaked);",
    };
    try {
      for (const [student, attack] of Object.entries(attacks)) {
        await Deno.mkdir(`${dir}/submitted/${student}`, { recursive: true });
        await Deno.writeTextFile(`${dir}/submitted/${student}/exercises.ipynb`, submission(attack));
      }
      await Deno.mkdir(`${dir}/submitted/honest`, { recursive: true });
      await Deno.writeTextFile(`${dir}/submitted/honest/exercises.ipynb`, submission("", RIGHT));
      const result = await grade({
        submissions: `${dir}/submitted`,
        sourceDir: FIXTURES,
        outDir: `${dir}/grades`,
        timeoutSeconds: 20,
        log: () => {},
      });
      const csv = await Deno.readTextFile(result.csvPath);
      const rows = parseGradesCsv(csv);
      const total = (student: string) =>
        rows.filter((r) => r.student === student).reduce((s, r) => s + Number(r.points), 0);
      for (const student of Object.keys(attacks)) assert.equal(total(student), 0, `${student}: ${csv}`);
      assert.equal(total("honest"), 4, "a correct submission still scores full marks");
      await new Promise((r) => setTimeout(r, 4000)); // past the detached process's sleep
      assert.equal(await Deno.readTextFile(result.csvPath), csv, "grades.csv was rewritten after grading");
      await assert.rejects(
        () => Deno.stat(marker),
        Deno.errors.NotFound,
        "a file appeared outside the sandbox",
      );
      assert.equal(await sha(library), before, "the library was modified");
      for (const path of [result.csvPath, ...result.feedback.values()]) {
        const text = await Deno.readTextFile(path);
        assert.ok(
          !text.includes("mean([10])") && !text.includes("BEGIN HIDDEN"),
          `hidden tests leaked into ${path}`,
        );
      }
    } finally {
      server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "sandbox: a run that outgrows the memory limit is ended and scores 0",
  ignore: noSandbox !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(`${dir}/submitted/hog`, { recursive: true });
      const hog =
        "const hog: Uint8Array[] = [];\nfor (let i = 0; i < 40; i++) hog.push(new Uint8Array(1e8).fill(1));";
      await Deno.writeTextFile(`${dir}/submitted/hog/exercises.ipynb`, submission(hog, RIGHT));
      const result = await grade({
        submissions: `${dir}/submitted`,
        sourceDir: FIXTURES,
        outDir: `${dir}/grades`,
        timeoutSeconds: 60,
        memoryLimitBytes: 1.5 * 2 ** 30,
        log: () => {},
      });
      const rows = parseGradesCsv(await Deno.readTextFile(result.csvPath));
      assert.equal(rows.reduce((s, r) => s + Number(r.points), 0), 0);
      assert.match(rows[0].message, /memory limit exceeded/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("sandbox: what it binds: the system and the repository read-only, hidden paths emptied, one scratch", () => {
  const args = sandboxArgs({
    repoRoot: ROOT,
    scratch: "/tmp/scratch",
    hidden: [`${ROOT}/tests`, "/elsewhere"],
    workingDir: FIXTURES,
  });
  const pairs = args.map((a, i) => `${a} ${args[i + 1] ?? ""}`);
  for (const flag of ["--unshare-all", "--die-with-parent", "--new-session"]) assert.ok(args.includes(flag));
  assert.ok(pairs.includes(`--ro-bind ${ROOT}`));
  assert.ok(pairs.includes(`--tmpfs ${ROOT}/tests`));
  assert.ok(!args.includes("/elsewhere"), "a hidden path outside the bound folders is simply not there");
  assert.ok(pairs.includes("--bind /tmp/scratch"));
  assert.ok(!args.includes("--share-net"));
});

Deno.test({
  name: "sandbox: without one, grading refuses in one line naming the fix and the unsafe flag",
  async fn() {
    const before = Deno.env.get("FMNIST_BWRAP");
    Deno.env.set("FMNIST_BWRAP", "/nonexistent/bwrap");
    try {
      const { requireSandbox } = await import(`../../lib/tools/sandbox.ts?missing=${Date.now()}`);
      await assert.rejects(() => requireSandbox(), /bubblewrap is not installed.*--unsafe-no-sandbox/);
    } finally {
      if (before === undefined) Deno.env.delete("FMNIST_BWRAP");
      else Deno.env.set("FMNIST_BWRAP", before);
    }
  },
});
