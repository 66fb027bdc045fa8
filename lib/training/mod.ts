/**
 * Training: profiles (smoke, quick, paper), losses and optimizers, the seeded fit loop with live
 * progress, experiment configs and each paper's recipe, the run store (keys, results, checkpoints),
 * sweeps over many configs on every core, and the training version that keys stored runs.
 *
 * @module
 */
export * from "./profile.ts";
export * from "./losses.ts";
export * from "./fit.ts";
export * from "./progress.ts";
export * from "./config.ts";
export * from "./store.ts";
export * from "./runs.ts";
export * from "./experiments.ts";
export * from "./sweep.ts";
export * from "./version.ts";
export * from "./timing.ts";
