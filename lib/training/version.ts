/**
 * The version of what training computes. A stored run's key is its config, its model's layer
 * topology, the backend and this number, and nothing else: reformatting, moving or commenting code
 * keeps every stored run, while a change to what training computes must bump this number, which
 * retrains every run that is asked for again.
 *
 * What a bump means and when to do it: README, "Run keys". A golden-run test
 * (`tests/training/version_test.ts`) trains tiny models a few steps on the wasm and cpu backends
 * and compares their losses with the values pinned for this version, so that a change to the
 * optimizers, losses, shuffling, splits, scaling or the fit loop fails until the version is bumped
 * and the new values are pinned beside it.
 *
 * @module
 */

/** Bump when a change alters what training computes (see the module doc). */
export const TRAINING_VERSION = 1;
