/**
 * Showing results in a notebook run by the Deno Jupyter kernel: figures (also saved to
 * `figures/`), tables and markdown. Outside a kernel (a script, a test) the same calls print
 * plain text, so library code never depends on where it runs.
 *
 * @module
 */
import { marked } from "marked";
import type * as dfd from "danfojs-node";
import * as tf from "@tensorflow/tfjs";
import { type BackendInfo, initBackend } from "../backend/select.ts";
import { currentProfile, type Profile, REPO_ROOT } from "../training/profile.ts";
import { toBase64 } from "../data/files.ts";
import { type MimeBundle, type OutputOptions, sendOutput } from "../kernel.ts";
import { saveFigure, svgSize } from "./plots.ts";

export { inNotebook, type MimeBundle } from "../kernel.ts";

/**
 * Display a MIME bundle as a cell output; outside a notebook print its `text/plain`. With
 * `displayId`, later calls with `update: true` replace the output in place. Delivery, stamping and
 * loss detection are `lib/kernel.ts`'s ({@link sendOutput}).
 */
export async function display(bundle: MimeBundle, options: OutputOptions = {}): Promise<void> {
  await sendOutput(bundle, options);
}

/**
 * Display markdown, with its HTML rendering beside it (by `marked`, GitHub-flavoured): an untrusted
 * notebook in classic Jupyter, GitHub and nbconvert show the HTML, so tables and headings look right
 * before anyone trusts the notebook.
 */
export async function showMarkdown(markdown: string): Promise<void> {
  await display({ "text/html": markdownToHtml(markdown), "text/markdown": markdown, "text/plain": markdown });
}

/** Markdown rendered as HTML (GitHub-flavoured, synchronous). */
export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false, gfm: true }).trim();
}

/**
 * Save a figure (SVG + PNG in `figures/`, see `saveFigure`) and display it in the notebook as
 * PNG, which every notebook viewer renders the same way.
 */
export async function showFigure(name: string, svg: string): Promise<void> {
  const { pngPath, png } = await saveFigure(name, svg);
  const { width } = svgSize(svg);
  const shown = pngPath.startsWith(REPO_ROOT) ? pngPath.slice(REPO_ROOT.length) : pngPath;
  await display(
    { "image/png": toBase64(png), "text/plain": `[figure saved: ${shown}]` },
    { metadata: { "image/png": { width } } },
  );
}

/** Rows of a table: objects with the same keys, or a danfojs DataFrame. */
export type TableData = readonly Record<string, unknown>[] | dfd.DataFrame;

function tableRows(data: TableData): { columns: string[]; rows: unknown[][] } {
  if (Array.isArray(data)) {
    const columns = data.length ? Object.keys(data[0]) : [];
    return { columns, rows: data.map((r) => columns.map((c) => r[c])) };
  }
  const frame = data as dfd.DataFrame;
  return { columns: frame.columns.map(String), rows: frame.values as unknown[][] };
}

function formatCell(value: unknown, digits: number, decimalColumn = false): string {
  if (typeof value === "number") {
    if (Number.isInteger(value) && !decimalColumn) return value.toLocaleString("en-US");
    return value.toFixed(digits);
  }
  return String(value ?? "");
}

/**
 * Display a table (rows of objects, or a danfojs DataFrame) as HTML, with markdown and plain
 * text alternatives. Integers get thousands separators; other numbers `digits` decimals, and so do
 * whole numbers in a column that has any other (2.10 above 2.00, not above 2).
 */
export async function showTable(
  data: TableData,
  options: { caption?: string; digits?: number } = {},
): Promise<void> {
  const digits = options.digits ?? 3;
  const { columns, rows } = tableRows(data);
  const decimal = columns.map((_, i) =>
    rows.some((row) => typeof row[i] === "number" && !Number.isInteger(row[i]) && Number.isFinite(row[i]))
  );
  const cells = rows.map((row) => row.map((v, i) => formatCell(v, digits, decimal[i])));
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
  const align = (i: number) => (rows.length && typeof rows[0][i] === "number" ? "right" : "left");
  const html = `<table>${options.caption ? `<caption>${esc(options.caption)}</caption>` : ""}<thead><tr>` +
    columns.map((c, i) => `<th style="text-align:${align(i)}">${esc(c)}</th>`).join("") +
    `</tr></thead><tbody>` +
    cells.map((r) =>
      `<tr>${r.map((v, i) => `<td style="text-align:${align(i)}">${esc(v)}</td>`).join("")}</tr>`
    )
      .join("") +
    `</tbody></table>`;
  const markdown = (options.caption ? `**${options.caption}**\n\n` : "") +
    `| ${columns.join(" | ")} |\n| ${
      columns.map((_, i) => (align(i) === "right" ? "---:" : "---")).join(" | ")
    } |\n` +
    cells.map((r) => `| ${r.join(" | ")} |`).join("\n");
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((v, i) => (align(i) === "right" ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ");
  const text = (options.caption ? options.caption + "\n" : "") +
    [line(columns), ...cells.map(line)].join("\n");
  await display({ "text/html": html, "text/markdown": markdown, "text/plain": text });
}

/** What a notebook runs under: its profile, backend and library versions. */
export interface NotebookContext {
  profile: Profile;
  backend: BackendInfo;
}

/**
 * First cell of every notebook: select the backend, read the profile, and say both.
 *
 * @example
 * ```ts
 * const { profile, backend } = await setupNotebook();
 * ```
 */
export async function setupNotebook(): Promise<NotebookContext> {
  const profile = currentProfile();
  const backend = await initBackend();
  // Install hints belong in README (Backends), not in every notebook's first output.
  const reasons = backend.skipped.map((reason) => reason.replace(/ \(run `[^`]*`\)/, ""));
  const skipped = reasons.length
    ? ` Not used: ${reasons.join("; ")} (README, "Backends", says how to add them).`
    : "";
  await showMarkdown(
    `Profile **${profile}** · backend **${backend.choice}**: ${backend.description} · ` +
      `tfjs ${tf.version.tfjs} · Deno ${Deno.version.deno}.${skipped}`,
  );
  return { profile, backend };
}

/** A count with its noun: `plural(1, "epoch")` is "1 epoch", `plural(5, "epoch")` "5 epochs". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun : nouns}`;
}
