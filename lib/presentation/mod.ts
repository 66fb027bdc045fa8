/**
 * Presentation: Observable Plot figures rendered to SVG and PNG, the charts the notebooks show,
 * showing figures, tables and markdown in a notebook (or as text outside one), and the assertion
 * helpers of exercise test cells (exercises.ts). The top layer of the library.
 *
 * @module
 */
export * from "./plots.ts";
export * from "./png.ts";
export * from "./charts.ts";
export * from "./eda_figures.ts";
export * from "./notebook.ts";
export * from "./claims_view.ts";
export * from "./run_views.ts";
export * from "./table_views.ts";
export * from "./exercises.ts";
export * from "./fit_views.ts";
export * from "./time_views.ts";
