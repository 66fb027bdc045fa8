/**
 * Figures: Observable Plot rendered without a browser (a `document` from linkedom), composed
 * under a title that states the finding, and saved as SVG and PNG (resvg) in `figures/`.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { Resvg } from "@resvg/resvg-js";
import { figuresDir } from "../training/profile.ts";
import { writeAtomically } from "../data/files.ts";
import { encodeGrayPng, pngDataUrl } from "./png.ts";

/** The font every figure uses (Debian's fonts-dejavu-core; present on most Linux machines). */
export const FONT_FAMILY = "DejaVu Sans";

/** One colour per class (Tableau 10), indexed by label. */
export const CLASS_COLORS = [
  "#4e79a7",
  "#f28e2c",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc949",
  "#af7aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ab",
];

/** A DOM for Plot to draw into (no browser here). */
const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
  document: Plot.PlotOptions["document"];
};
const SVG_NS = "http://www.w3.org/2000/svg";

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/** Width and height of an SVG string, read from its root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = svg.match(/<svg\b[^>]*>/)?.[0] ?? "";
  const width = Number(root.match(/\bwidth="([\d.]+)"/)?.[1]);
  const height = Number(root.match(/\bheight="([\d.]+)"/)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error("SVG root element has no numeric width and height");
  return { width, height };
}

/**
 * Render Plot options to a standalone SVG string in our font. Pass titles and legends to
 * {@link figure}, not to Plot (Plot wraps those in HTML, which is not SVG).
 *
 * @example
 * ```ts
 * const svg = plotSvg({ marks: [Plot.barY(counts, { x: "class", y: "count" })] });
 * ```
 */
export function plotSvg(options: Plot.PlotOptions): string {
  const node = Plot.plot({
    ...options,
    document,
    style: { fontFamily: FONT_FAMILY, fontSize: "11px", background: "white", color: "#222" },
  } as Plot.PlotOptions) as unknown as { tagName: string; outerHTML: string };
  if (node.tagName.toLowerCase() !== "svg") {
    throw new Error(
      "Plot returned a <figure>, not an <svg>: it adds one for a title, subtitle, caption or " +
        "swatch legend. Fix: give those to figure() instead of Plot",
    );
  }
  const svg = node.outerHTML;
  return svg.includes("xmlns=") ? svg : svg.replace("<svg", `<svg xmlns="${SVG_NS}"`);
}

/** What a figure says around its panels. */
export interface FigureOptions {
  /** One line stating the finding. */
  title: string;
  /** Optional second line: the data, the method, the source. */
  subtitle?: string;
  /** Optional swatch legend under the title. */
  legend?: { labels: readonly string[]; colors: readonly string[] };
}

/** A row of colour swatches with labels, wrapped to `width`; returns the SVG and its height. */
function swatches(labels: readonly string[], colors: readonly string[], width: number) {
  const parts: string[] = [];
  let x = 0;
  let y = 0;
  labels.forEach((label, i) => {
    const w = 18 + label.length * 6.6 + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      y += 18;
    }
    parts.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${colors[i % colors.length]}"/>` +
        `<text x="${x + 17}" y="${y + 10}" font-size="11">${escapeXml(label)}</text>`,
    );
    x += w;
  });
  return { svg: parts.join(""), height: y + 18 };
}

/**
 * Compose SVG panels side by side under a title (and an optional subtitle and swatch legend)
 * into one standalone SVG.
 */
export function figure(panels: string | string[], options: FigureOptions): string {
  const list = Array.isArray(panels) ? panels : [panels];
  const sizes = list.map(svgSize);
  const gap = 16;
  const pad = 12;
  const width = Math.max(
    sizes.reduce((w, s) => w + s.width, 0) + gap * (list.length - 1) + 2 * pad,
    textWidth(options.title, 15, true) + 2 * pad,
    textWidth(options.subtitle ?? "", 12, false) + 2 * pad,
  );
  let y = pad + 16;
  const head = [
    `<text x="${pad}" y="${y}" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  if (options.subtitle) {
    y += 18;
    head.push(`<text x="${pad}" y="${y}" font-size="12" fill="#555">${escapeXml(options.subtitle)}</text>`);
  }
  y += 12;
  if (options.legend) {
    const legend = swatches(options.legend.labels, options.legend.colors, width - 2 * pad);
    head.push(`<g transform="translate(${pad},${y})">${legend.svg}</g>`);
    y += legend.height + 4;
  }
  let x = pad;
  const body = list.map((panel, i) => {
    const placed = `<g transform="translate(${x},${y})">${panel}</g>`;
    x += sizes[i].width + gap;
    return placed;
  });
  const height = y + Math.max(...sizes.map((s) => s.height)) + pad;
  return `<svg xmlns="${SVG_NS}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" ` +
    `viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" font-family="${FONT_FAMILY}">` +
    `<rect width="100%" height="100%" fill="white"/>${head.join("")}${body.join("")}</svg>`;
}

/**
 * The width of a line of DejaVu Sans text, from its advance widths per kind of character (in ems,
 * rounded up from the font's metrics), so a figure is made wide enough for its title.
 */
export function textWidth(text: string, fontSize: number, bold: boolean): number {
  let ems = 0;
  for (const ch of text) {
    if (ch === " ") ems += 0.33;
    else if (/[.,:;'|!()[\]\-]/.test(ch)) ems += bold ? 0.42 : 0.37;
    else if (/[0-9]/.test(ch)) ems += bold ? 0.7 : 0.64;
    else if (/[a-z]/.test(ch)) ems += /[mw]/.test(ch) ? 0.98 : /[ijlft]/.test(ch) ? 0.4 : bold ? 0.68 : 0.62;
    else if (/[A-Z]/.test(ch)) ems += /[MW]/.test(ch) ? 1.0 : bold ? 0.8 : 0.72;
    else ems += ch === "%" ? (bold ? 1.0 : 0.95) : 0.8;
  }
  return ems * fontSize;
}

/** Rasterise an SVG string to PNG with resvg, at `scale` times its size, on white. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}

/**
 * Save a figure as `<name>.svg` and `<name>.png` in the figures directory (`figures/`, or
 * `FMNIST_FIGURES_DIR`), each written atomically. Name files `NN_what-it-shows`.
 */
export async function saveFigure(
  name: string,
  svg: string,
): Promise<{ svgPath: string; pngPath: string; png: Uint8Array }> {
  if (!/^[\w.-]+$/.test(name)) {
    throw new Error(`figure name "${name}" must be letters, digits, '-', '_' or '.' (e.g. 01_class-balance)`);
  }
  const dir = figuresDir();
  await Deno.mkdir(dir, { recursive: true });
  const png = svgToPng(svg);
  const svgPath = `${dir}/${name}.svg`;
  const pngPath = `${dir}/${name}.png`;
  await writeAtomically(svgPath, svg);
  await writeAtomically(pngPath, png);
  return { svgPath, pngPath, png };
}

/**
 * A pie chart as an SVG panel (Plot has no pie mark): one slice per value, starting at 12
 * o'clock and going clockwise, labelled with its name and share.
 */
export function pieChart(
  values: readonly number[],
  labels: readonly string[],
  colors: readonly string[] = CLASS_COLORS,
  radius = 130,
): string {
  const total = values.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError("a pie chart needs positive values");
  const labelRoom = 110;
  const size = 2 * (radius + labelRoom);
  const c = size / 2;
  let angle = 0;
  const parts: string[] = [];
  values.forEach((value, i) => {
    const share = value / total;
    const start = angle;
    const end = angle + share * 2 * Math.PI;
    angle = end;
    const point = (a: number, r: number) => [c + r * Math.sin(a), c - r * Math.cos(a)];
    const [x0, y0] = point(start, radius);
    const [x1, y1] = point(end, radius);
    const large = end - start > Math.PI ? 1 : 0;
    parts.push(
      `<path d="M${c},${c}L${x0.toFixed(2)},${y0.toFixed(2)}A${radius},${radius} 0 ${large} 1 ` +
        `${x1.toFixed(2)},${y1.toFixed(2)}Z" fill="${colors[i % colors.length]}" stroke="white"/>`,
    );
    const mid = (start + end) / 2;
    const [lx, ly] = point(mid, radius + 10);
    const anchor = Math.sin(mid) > 0.1 ? "start" : Math.sin(mid) < -0.1 ? "end" : "middle";
    parts.push(
      `<text x="${lx.toFixed(1)}" y="${(ly + 4).toFixed(1)}" font-size="11" text-anchor="${anchor}">` +
        `${escapeXml(labels[i])} ${(100 * share).toFixed(1)}%</text>`,
    );
  });
  return `<svg xmlns="${SVG_NS}" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" ` +
    `font-family="${FONT_FAMILY}">${parts.join("")}</svg>`;
}

/** One cell of an image grid: 28x28 greyscale pixels (0-255) placed by column and row label. */
export interface GridImage {
  pixels: ArrayLike<number>;
  column: string;
  row: string;
}

/**
 * A grid of small greyscale images as an SVG panel, drawn with Plot's `image` mark in facets:
 * columns (labelled on top) and rows (labelled on the left when `rowLabels` is true).
 * Images are drawn dark-on-white (ink is dark), as the papers show them.
 */
export function imageGrid(
  images: readonly GridImage[],
  options: { cell?: number; side?: number; rowLabels?: boolean; invert?: boolean } = {},
): string {
  const cell = options.cell ?? 56;
  const side = options.side ?? 28;
  const columns = [...new Set(images.map((d) => d.column))];
  const rows = [...new Set(images.map((d) => d.row))];
  const invert = options.invert ?? true;
  const data = images.map((d) => ({
    column: d.column,
    row: d.row,
    src: pngDataUrl(encodeGrayPng(invert ? Array.from(d.pixels, (v) => 255 - v) : d.pixels, side, side, 2)),
  }));
  const marginLeft = options.rowLabels ? 70 : 4;
  return plotSvg({
    width: marginLeft + columns.length * (cell + 6),
    height: 24 + rows.length * (cell + 6),
    marginLeft,
    marginTop: 24,
    marginRight: 0,
    marginBottom: 0,
    fx: { domain: columns, label: null, axis: "top", padding: 0.06 },
    fy: { domain: rows, label: null, axis: options.rowLabels ? "left" : null, padding: 0.06 },
    marks: [
      Plot.image(data, {
        fx: "column",
        fy: "row",
        src: "src",
        width: cell,
        height: cell,
        frameAnchor: "middle",
        imageRendering: "pixelated",
      }),
    ],
  });
}
