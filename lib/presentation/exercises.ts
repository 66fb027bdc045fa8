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

/** The error a failed check throws: its message is one line. */
export class CheckError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = "CheckError";
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** A value as a short piece of text for a failure message. */
export function describeValue(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number" || typeof value === "boolean" || value == null) text = String(value);
  else if (typeof value === "bigint") text = `${value}n`;
  else if (typeof value === "function") text = `function ${value.name || "(anonymous)"}`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Deep equality for plain data: primitives (NaN equals NaN), arrays, typed arrays and plain objects. */
function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || ArrayBuffer.isView(a) !== ArrayBuffer.isView(b)) return false;
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as ArrayLike<unknown>, y = b as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!equal(x[i], y[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => Object.hasOwn(y, k) && equal(x[k], y[k]));
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
  if (!condition) throw new CheckError(message);
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
    throw new CheckError(`${what}: expected ${describeValue(expected)}, got ${describeValue(actual)}`);
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
  if (!(tolerance >= 0)) throw new CheckError(`${what}: the tolerance must be >= 0, got ${tolerance}`);
  if (typeof actual !== "number" || Number.isNaN(actual)) {
    throw new CheckError(`${what}: expected a number close to ${expected}, got ${describeValue(actual)}`);
  }
  const ok = actual === expected || Math.abs(actual - expected) <= tolerance;
  if (!ok) {
    throw new CheckError(
      `${what}: expected ${expected} ± ${tolerance}, got ${actual} (off by ${Math.abs(actual - expected)})`,
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
