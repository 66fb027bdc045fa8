/**
 * Assertion helpers for the graded test cells of notebook exercises (see COURSEWORK.md).
 *
 * Each helper throws on failure, with one line saying what was checked, what was expected and what
 * came back, and returns nothing on success. That is what graders need from a test cell under the
 * Deno kernel: a thrown error is the cell's `error` output, which `deno task grade` and nbgrader
 * both score as a failure; a cell whose last statement is one of these calls shows no value (a
 * value such as `false` or a number would be an `execute_result`, which nbgrader reads as full or
 * partial credit); and nothing is logged.
 *
 * ```ts
 * checkEqual(testCounts.length, 10, "one count per class");
 * checkClose(shirtF1, report.classes[6].f1, 1e-9, "F1 of Shirt");
 * check(zeroShare > 0 && zeroShare < 1, "a share is between 0 and 1");
 * ```
 *
 * @module
 */

// Built-ins as they were when this module was first evaluated. The grader imports a fresh copy of this
// module before any student code runs (lib/tools/grading.ts), so these are pristine there: a solution cell
// that redefines `Object.is` or `Math.abs` changes nothing the checks use, and {@link runTestCell} puts every
// built-in back before a test cell's body runs.
const { apply, defineProperty, deleteProperty, getOwnPropertyDescriptor, getPrototypeOf, ownKeys } = Reflect;
const { is, keys } = Object;
const { isArray } = Array;
const { isView } = ArrayBuffer;
const { abs } = Math;
const { isNaN } = Number;
const { stringify } = JSON;
const StringOf = String;

/** The global built-ins a solution could tamper with, by name. */
const BUILT_INS = [
  "Object",
  "Function",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "RegExp",
  "Date",
  "ArrayBuffer",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "structuredClone",
  "isNaN",
  "isFinite",
  "parseFloat",
  "parseInt",
] as const;

type Snapshot = { target: object; properties: [PropertyKey, PropertyDescriptor][] }[];

/** Every own property of the global built-ins, their prototypes and %TypedArray%, as they are now. */
function snapshotBuiltIns(): Snapshot {
  const targets: object[] = [globalThis];
  for (let i = 0; i < BUILT_INS.length; i++) {
    const value = (globalThis as Record<string, unknown>)[BUILT_INS[i]];
    if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
    targets[targets.length] = value;
    const prototype = (value as { prototype?: unknown }).prototype;
    if (typeof prototype === "object" && prototype !== null) targets[targets.length] = prototype;
  }
  const typedArray = getPrototypeOf(Uint8Array) as { prototype: object };
  targets[targets.length] = typedArray;
  targets[targets.length] = typedArray.prototype;
  const snapshot: Snapshot = [];
  for (let t = 0; t < targets.length; t++) {
    const names = ownKeys(targets[t]);
    const properties: [PropertyKey, PropertyDescriptor][] = [];
    for (let k = 0; k < names.length; k++) {
      if (targets[t] !== globalThis || BUILT_INS.includes(names[k] as never)) {
        properties[properties.length] = [names[k], getOwnPropertyDescriptor(targets[t], names[k])!];
      }
    }
    snapshot[snapshot.length] = { target: targets[t], properties };
  }
  return snapshot;
}

const PRISTINE = snapshotBuiltIns();

/**
 * Put every global built-in back as it was when this module loaded: properties a solution replaced are
 * restored, properties it added to a built-in are removed. A built-in it froze or locked cannot be put
 * back: that fails the test cell (a `CheckError`), since its checks could not be trusted.
 */
export function restoreBuiltIns(): void {
  for (let t = 0; t < PRISTINE.length; t++) {
    const { target, properties } = PRISTINE[t];
    if (target !== globalThis) {
      const now = ownKeys(target);
      for (let k = 0; k < now.length; k++) {
        let known = false;
        for (let p = 0; p < properties.length && !known; p++) known = properties[p][0] === now[k];
        if (!known && !deleteProperty(target, now[k])) throw new CheckError("a built-in object was locked");
      }
    }
    for (let p = 0; p < properties.length; p++) {
      if (!defineProperty(target, properties[p][0], properties[p][1])) {
        throw new CheckError(`the built-in ${StringOf(properties[p][0])} was locked: the checks cannot run`);
      }
    }
  }
}

/**
 * Run a test cell's body with every built-in restored first (the grader wraps each test cell in this).
 *
 * @example
 * ```ts
 * await runTestCell(async () => checkEqual(1 + 1, 2, "a sum"));
 * ```
 */
export async function runTestCell(body: () => Promise<void> | void): Promise<void> {
  restoreBuiltIns();
  await body();
}

/**
 * Run hidden tests: a failure reports what was checked (the check's description) and nothing else,
 * neither the expected value, nor the code, nor what the solution returned or threw.
 */
export async function hiddenTests(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (error) {
    const ours = typeof error === "object" && error !== null &&
      getPrototypeOf(error) === CheckError.prototype;
    const what = ours ? (error as CheckError).what : "";
    throw new CheckError(
      what ? `hidden test failed: ${what}` : "hidden test failed: the code under test threw",
    );
  }
}

/** The error a failed check throws: its message is one line; `what` names what was checked. */
export class CheckError extends Error {
  readonly what: string;
  constructor(message: string, what = "") {
    super(oneLine(message));
    this.name = "CheckError";
    this.what = what;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

const StringSlice = String.prototype.slice;

/** A value as a short piece of text for a failure message. */
export function describeValue(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === "string") text = stringify(value);
  else if (typeof value === "number" || typeof value === "boolean" || value == null) text = String(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") text = `function ${value.name || "(anonymous)"}`;
  else {
    try {
      text = stringify(value) ?? StringOf(value);
    } catch {
      try {
        text = StringOf(value);
      } catch {
        text = "(a value that cannot be shown)";
      }
    }
  }
  return text.length > max ? `${apply(StringSlice, text, [0, max - 1])}…` : text;
}

/** Deep equality for plain data: primitives (NaN equals NaN), arrays, typed arrays and plain objects. */
function equal(a: unknown, b: unknown): boolean {
  if (is(a, b) || a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (isArray(a) !== isArray(b) || isView(a) !== isView(b)) return false;
  if (isArray(a) || isView(a)) {
    const x = a as ArrayLike<unknown>, y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!equal(x[i], y[i])) return false;
    return true;
  }
  if (getPrototypeOf(a) !== getPrototypeOf(b)) return false;
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const names = keys(x);
  if (names.length !== keys(y).length) return false;
  for (let i = 0; i < names.length; i++) {
    if (!getOwnPropertyDescriptor(y, names[i]) || !equal(x[names[i]], y[names[i]])) return false;
  }
  return true;
}

/**
 * Fail with `message` unless `condition` holds.
 *
 * @example
 * ```ts
 * check(words.length === 4, "four words");
 * ```
 */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckError(message, message);
}

/**
 * Fail unless `actual` equals `expected`: primitives by value (NaN equals NaN), arrays and plain
 * objects element by element. `what` names the quantity in the failure message.
 *
 * @example
 * ```ts
 * checkEqual(annParams, 59850, "parameters of 002-ann");
 * // CheckError: parameters of 002-ann: expected 59850, got 59786
 * ```
 */
export function checkEqual(actual: unknown, expected: unknown, what: string): void {
  if (!equal(actual, expected)) {
    throw new CheckError(`${what}: expected ${describeValue(expected)}, got ${describeValue(actual)}`, what);
  }
}

/**
 * Fail unless `actual` is a number within `tolerance` (absolute) of `expected`. A non-number or NaN
 * fails; `what` names the quantity in the failure message.
 *
 * @example
 * ```ts
 * checkClose(mean([1, 2, 3, 4]), 2.5, 1e-12, "mean of 1..4");
 * ```
 */
export function checkClose(actual: unknown, expected: number, tolerance: number, what: string): void {
  if (!(tolerance >= 0)) throw new CheckError(`${what}: the tolerance must be >= 0, got ${tolerance}`, what);
  if (typeof actual !== "number" || isNaN(actual)) {
    throw new CheckError(
      `${what}: expected a number close to ${expected}, got ${describeValue(actual)}`,
      what,
    );
  }
  const ok = actual === expected || abs(actual - expected) <= tolerance;
  if (!ok) {
    throw new CheckError(
      `${what}: expected ${expected} ± ${tolerance}, got ${actual} (off by ${abs(actual - expected)})`,
      what,
    );
  }
}

/** The message of {@link notImplemented}'s error. */
export const NOT_IMPLEMENTED = "not implemented: replace this line with your solution";

/**
 * The stub that replaces a solution in the student version of a notebook: throws
 * `Error("not implemented: replace this line with your solution")`.
 */
export function notImplemented(): never {
  throw new Error(NOT_IMPLEMENTED);
}
