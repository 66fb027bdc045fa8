import assert from "node:assert/strict";
import {
  check,
  checkClose,
  checkEqual,
  CheckError,
  describeValue,
  NOT_IMPLEMENTED,
  notImplemented,
} from "../../lib/presentation/exercises.ts";
import * as lib from "../../lib/mod.ts";

/** The error `fn` throws, which must be a one-line CheckError. */
function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CheckError, `expected a CheckError, got ${e}`);
    assert.ok(!e.message.includes("\n"), `one line: ${JSON.stringify(e.message)}`);
    return e.message;
  }
  assert.fail("expected the check to fail");
}

Deno.test("the helpers are exported to notebooks through lib/mod.ts", () => {
  for (const name of ["check", "checkClose", "checkEqual", "notImplemented"]) {
    assert.equal(typeof (lib as Record<string, unknown>)[name], "function", name);
  }
});

Deno.test("check passes silently and fails with its message", () => {
  assert.equal(check(1 + 1 === 2, "arithmetic"), undefined);
  assert.equal(failure(() => check(false, "four words")), "four words");
  assert.equal(failure(() => check(0, "a line\n  and another")), "a line and another");
});

Deno.test("checkEqual compares primitives, arrays and plain objects, and says expected and got", () => {
  assert.equal(checkEqual(3, 3, "n"), undefined);
  checkEqual(NaN, NaN, "NaN equals NaN");
  checkEqual([1, [2, 3]], [1, [2, 3]], "nested arrays");
  checkEqual({ a: 1, b: [true] }, { b: [true], a: 1 }, "objects, any key order");
  checkEqual(new Float32Array([1, 2]), new Float32Array([1, 2]), "typed arrays");
  checkEqual("0.26", "0.26", "strings");
  assert.equal(
    failure(() => checkEqual(59786, 59850, "parameters")),
    "parameters: expected 59850, got 59786",
  );
  assert.equal(failure(() => checkEqual("1", 1, "type")), 'type: expected 1, got "1"');
  assert.equal(failure(() => checkEqual([1, 2], [1, 2, 3], "length")), "length: expected [1,2,3], got [1,2]");
  assert.match(failure(() => checkEqual({ a: 1 }, { a: 1, b: 2 }, "keys")), /expected \{"a":1,"b":2\}/);
  assert.match(failure(() => checkEqual(undefined, null, "nullish")), /expected null, got undefined/);
  assert.match(failure(() => checkEqual(new Float32Array([1]), [1], "kinds")), /kinds/);
});

Deno.test("checkClose accepts values within the tolerance and rejects non-numbers", () => {
  assert.equal(checkClose(0.1 + 0.2, 0.3, 1e-12, "sum"), undefined);
  checkClose(2.5, 2.5, 0, "exact with zero tolerance");
  assert.match(
    failure(() => checkClose(2.6, 2.5, 0.01, "mean")),
    /^mean: expected 2\.5 ± 0\.01, got 2\.6 \(off by/,
  );
  assert.match(failure(() => checkClose(NaN, 1, 1, "f1")), /f1: expected a number close to 1, got NaN/);
  assert.match(failure(() => checkClose("2.5", 2.5, 1, "text")), /got "2\.5"/);
  assert.match(failure(() => checkClose(1, 1, -1, "bad")), /tolerance must be >= 0/);
});

Deno.test("notImplemented throws the student stub's error", () => {
  assert.throws(() => notImplemented(), (e) => e instanceof Error && e.message === NOT_IMPLEMENTED);
  assert.equal(NOT_IMPLEMENTED, "not implemented: replace this line with your solution");
});

Deno.test("describeValue keeps failure messages short", () => {
  assert.equal(describeValue("x".repeat(200)).length, 80);
  assert.equal(describeValue(() => 1), "function (anonymous)");
  assert.equal(describeValue(10n), "10n");
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(describeValue(cyclic), "[object Object]");
});

type Exercises = typeof import("../../lib/presentation/exercises.ts");
const freshChecks = (tag: string): Promise<Exercises> =>
  import(`../../lib/presentation/exercises.ts?${tag}=${Date.now()}`);

Deno.test("hiddenTests reports what was checked and nothing else", async () => {
  const { hiddenTests, checkEqual: fresh } = await freshChecks("hidden");
  await assert.rejects(
    () => hiddenTests(() => fresh([3, 2], [2, 3], "a small example")),
    (e: Error) => e.message === "hidden test failed: a small example",
  );
  await assert.rejects(
    () =>
      hiddenTests(() => {
        throw new Error("secret input [10]");
      }),
    (e: Error) => e.message === "hidden test failed: the code under test threw",
  );
  await hiddenTests(() => fresh(1, 1, "passes"));
});

// Last in the file: it leaves Math frozen (and poisoned) in this test process.
Deno.test("a test cell run through runTestCell sees every built-in as it was when the checks loaded", async () => {
  const { runTestCell, checkEqual: fresh } = await freshChecks("restore");
  Object.is = () => true;
  Math.abs = () => 0;
  (Array.prototype as unknown as Record<string, unknown>).every = () => true;
  (Array.prototype as unknown as Record<string, unknown>).added = 1;
  await assert.rejects(() => runTestCell(() => fresh(1 + 1, 3, "a sum")), /a sum: expected 3, got 2/);
  assert.equal(Object.is(1, 2), false, "Object.is put back");
  assert.equal(Math.abs(-2), 2, "Math.abs put back");
  assert.equal([1, 2].every((x) => x > 1), false, "Array.prototype.every put back");
  assert.equal("added" in Array.prototype, false, "what a solution added to a built-in is removed");
  Math.abs = () => 0;
  Object.freeze(Math);
  await assert.rejects(() => runTestCell(() => {}), /was locked: the checks cannot run/);
});
