/**
 * Determinism for tfjs: its initialisers, dropout masks and `randomUniform` without an explicit
 * seed draw their seeds from `Math.random`. Running model building and training inside
 * {@link withSeededRandom} makes all of them reproducible.
 *
 * @module
 */
import { seededRandom } from "./splits.ts";

/**
 * Run `fn` with `Math.random` replaced by a PRNG seeded with `seed`, then restore it (also when
 * `fn` throws or its promise rejects). Works for sync and async functions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withSeededRandom } from "./random.ts";
 * // What a build draws from Math.random (tfjs initialisers do) repeats for the same seed.
 * const draw = () => Math.random();
 * assert.equal(withSeededRandom(1, draw), withSeededRandom(1, draw));
 * assert.notEqual(withSeededRandom(1, draw), withSeededRandom(2, draw));
 * ```
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = seededRandom(seed);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    Math.random = original;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      Math.random = original;
    }) as T;
  }
  Math.random = original;
  return result;
}

/** Derive a new 32-bit seed from a seed and further integers (e.g. run seed and epoch). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  }
  return h >>> 0;
}
