import assert from "node:assert/strict";
import { isUserError, UserError } from "../lib/errors.ts";

const LIB = new URL("../lib/", import.meta.url).pathname;

/** Run an entry point as a user would and return its exit code and stderr. */
async function run(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    env: { NO_COLOR: "1", FMNIST_DEBUG: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

/** A user mistake ends with exit 2 and one line, `error: ...`, naming it: no stack trace. */
function assertOneLine(result: { code: number; stderr: string }, pattern: RegExp) {
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
}

Deno.test("entry points: a bad profile, option, notebook path, backend or thread count is one line, exit 2", async () => {
  assertOneLine(
    await run([`${LIB}tools/headless.ts`, "--profile", "fast"]),
    /unknown profile "fast".*smoke\|quick\|paper/,
  );
  assertOneLine(await run([`${LIB}tools/headless.ts`, "notebooks/99_nope.ipynb"]), /does not exist/);
  const broken = await Deno.makeTempFile({ suffix: ".ipynb" });
  await Deno.writeTextFile(broken, "{not json");
  assertOneLine(await run([`${LIB}tools/headless.ts`, broken]), /is not valid notebook JSON .*git checkout/);
  await Deno.remove(broken);
  assertOneLine(await run([`${LIB}tools/headless.ts`], { FMNIST_PROFILE: "fast" }), /unknown profile "fast"/);
  assertOneLine(
    await run([`${LIB}tools/headless.ts`, "--profile", "smoke", "notebooks/01_eda_pca.ipynb"], {
      FMNIST_BACKEND: "gpu",
    }),
    /Unknown backend "gpu"/,
  );
  assertOneLine(
    await run([`${LIB}tools/bench.ts`, "--models", "002-ann"], { FMNIST_WASM_THREADS: "lots" }),
    /not a thread count/,
  );
  assertOneLine(await run([`${LIB}tools/bench.ts`, "--frobnicate"]), /frobnicate/);
  assertOneLine(
    await run([`${LIB}tools/bench.ts`, "--models", "no-such-model"]),
    /unknown model "no-such-model"/,
  );
  assertOneLine(await run([`${LIB}tools/stress.ts`, "--runs", "many"]), /--runs needs a whole number/);
  assertOneLine(
    await run([`${LIB}training/sweep.ts`, "/nonexistent/configs.json"]),
    /cannot read the configs/,
  );
  assertOneLine(await run([`${LIB}training/runs.ts`, "{not json"]), /not JSON/);
  const object = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(object, JSON.stringify({ model: "002-ann" }));
  assertOneLine(
    await run([`${LIB}training/sweep.ts`, object]),
    /must hold a JSON list of experiment configs/,
  );
  await Deno.writeTextFile(object, JSON.stringify([{ model: "002-ann" }]));
  assertOneLine(
    await run([`${LIB}training/sweep.ts`, object]),
    /config 1 of 1: config field "split" is missing/,
  );
  await Deno.remove(object);
});

Deno.test("entry points: missing or corrupt data is one line that names the file and the fix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = /(train|t10k)-(images-idx3|labels-idx1)-ubyte\.gz/;
    assertOneLine(
      await run([`${LIB}data/fashion_mnist.ts`], { FMNIST_DATA_DIR: dir }),
      new RegExp(`${file.source}: file not found. Fix`),
    );
    for (const set of ["train", "t10k"]) {
      for (const kind of ["images-idx3", "labels-idx1"]) {
        await Deno.writeFile(`${dir}/${set}-${kind}-ubyte.gz`, new Uint8Array([1, 2, 3, 4]));
      }
    }
    assertOneLine(await run([`${LIB}data/fashion_mnist.ts`], { FMNIST_DATA_DIR: dir }), file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FMNIST_DEBUG=1 shows the stack trace of a user mistake too", async () => {
  const result = await run([`${LIB}tools/headless.ts`, "--profile", "fast"], { FMNIST_DEBUG: "1" });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown profile/);
  assert.match(result.stderr, /^\s+at /m);
});

Deno.test("isUserError: our UserError and node:util's option errors are user mistakes; a TypeError is a bug", () => {
  assert.equal(isUserError(new UserError("x")), true);
  assert.equal(
    isUserError(Object.assign(new TypeError("Unknown option"), { code: "ERR_PARSE_ARGS_UNKNOWN_OPTION" })),
    true,
  );
  assert.equal(isUserError(new TypeError("undefined is not a function")), false);
});

Deno.test("the headless runner checks the dataset first: corrupt data is one line, not a traceback per notebook", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/train-images-idx3-ubyte.gz`, "garbage");
    const result = await run([
      `${LIB}tools/headless.ts`,
      "--profile",
      "smoke",
      "notebooks/02_ann_baseline.ipynb",
    ], {
      FMNIST_DATA_DIR: dir,
    });
    assert.equal(result.code, 2, result.stderr);
    const errors = result.stderr.split("\n").filter((l) => l.startsWith("error: "));
    assert.equal(errors.length, 1, result.stderr);
    assert.match(errors[0], /ubyte\.gz: (is not a valid gzip file|file not found)/);
    assert.doesNotMatch(result.stderr, /^\s+at |Traceback/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
