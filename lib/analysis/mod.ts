/**
 * Analysis: metrics as scikit-learn defines them, prediction confidence, fit diagnosis, PCA, exploratory
 * statistics, claims and verdicts, deployment measurements (size, latency) and their store, and the papers'
 * references.
 *
 * @module
 */
export * from "./metrics.ts";
export * from "./confidence.ts";
export * from "./diagnosis.ts";
export * from "./pca.ts";
export * from "./eda.ts";
export * from "./deployment.ts";
export * from "./measurements.ts";
export * from "./catalogue.ts";
export * from "./rulebook.ts";
export * from "./evidence.ts";
export * from "./facts.ts";
export * from "./verdicts.ts";
export * from "./scorecard.ts";
export * from "./paper_tables.ts";
