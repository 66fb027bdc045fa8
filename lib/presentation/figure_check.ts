/**
 * Glitches a figure should not have, found from its SVG: an axis that repeats a tick label (ticks rounded to
 * too few decimals) and text that runs past the edge of the figure or of the panel that clips it. Positions
 * come from the SVG itself (translations, `x`/`y`, text anchors); text widths from the font's metrics
 * ({@link textWidth}).
 *
 * @module
 */
import { DOMParser } from "linkedom";
import { textWidth } from "./plots.ts";

/** One glitch: what is wrong, and the text concerned. */
export interface FigureGlitch {
  kind: "duplicate tick label" | "text cut at the edge";
  text: string;
  detail: string;
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

type El = {
  tagName: string;
  parentElement: El | null;
  children: ArrayLike<El>;
  textContent: string | null;
  getAttribute(name: string): string | null;
};

const number = (value: string | null, fallback = 0) => {
  const x = parseFloat(value ?? "");
  return Number.isFinite(x) ? x : fallback;
};

/** The sum of an element's and its ancestors' translations, up to (not including) `stop`. */
function offset(el: El | null, stop: El | null): [number, number] {
  let x = 0, y = 0;
  for (let e = el; e && e !== stop; e = e.parentElement) {
    const t = /translate\(\s*([-\d.e]+)[ ,]+([-\d.e]+)?\s*\)/.exec(e.getAttribute("transform") ?? "");
    if (t) [x, y] = [x + number(t[1]), y + number(t[2])];
    if (e.tagName.toLowerCase() === "svg" && e.parentElement) {
      [x, y] = [x + number(e.getAttribute("x")), y + number(e.getAttribute("y"))];
    }
  }
  return [x, y];
}

/** An inherited attribute: the nearest ancestor's (or the element's own) value. */
function inherited(el: El, name: string): string | null {
  for (let e: El | null = el; e; e = e.parentElement) {
    const value = e.getAttribute(name);
    if (value !== null) return value;
  }
  return null;
}

/** The box an SVG's viewport covers, in root coordinates. */
function viewport(svg: El, root: El): Box {
  const [x, y] = svg === root ? [0, 0] : offset(svg, root);
  const box = (svg.getAttribute("viewBox") ?? "").split(/[\s,]+/).map(Number);
  const width = number(svg.getAttribute("width"), box[2] ?? 0),
    height = number(svg.getAttribute("height"), box[3] ?? 0);
  return { left: x, top: y, right: x + width, bottom: y + height };
}

/** The glitches of one SVG figure (empty when it has none). `slack` forgives rounding of the width estimate. */
export function figureGlitches(svgText: string, slack = 2): FigureGlitch[] {
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml") as unknown as {
    documentElement: El;
    querySelectorAll(selector: string): ArrayLike<El>;
  };
  const root = doc.documentElement;
  const glitches: FigureGlitch[] = [];
  // Repeated tick labels: within one group of labels (one facet's axis), two ticks with the same text.
  const groups = Array.from(doc.querySelectorAll("text"))
    .filter((t) => /tick label/.test(inherited(t, "aria-label") ?? ""))
    .reduce(
      (map, t) => map.set(t.parentElement!, [...(map.get(t.parentElement!) ?? []), t]),
      new Map<El, El[]>(),
    );
  for (const texts of groups.values()) {
    const seen = new Set<string>();
    for (const t of texts) {
      const text = (t.textContent ?? "").trim();
      if (text && seen.has(text)) {
        glitches.push({
          kind: "duplicate tick label",
          text,
          detail: `${inherited(t, "aria-label")} repeats it`,
        });
      }
      seen.add(text);
    }
  }
  // Text past an edge: of the whole figure, or of the innermost panel (a nested svg clips what leaves it).
  for (const t of Array.from(doc.querySelectorAll("text"))) {
    const text = (t.textContent ?? "").trim();
    if (!text) continue;
    const [ox, oy] = offset(t, null);
    const x = ox + number(t.getAttribute("x")), y = oy + number(t.getAttribute("y"));
    const size = number(inherited(t, "font-size"), 10);
    const bold = /bold|[6-9]00/.test(inherited(t, "font-weight") ?? "");
    // Rotated text (a vertical axis label) runs along y: horizontally it spans about one line, right of x.
    const rotated = /rotate\(\s*-?90/.test(t.getAttribute("transform") ?? "");
    const width = rotated ? size : textWidth(text, size, bold);
    const anchor = inherited(t, "text-anchor") ?? "start";
    const left = rotated ? x : anchor === "middle" ? x - width / 2 : anchor === "end" ? x - width : x;
    let panel: El | null = t.parentElement;
    while (panel && panel.tagName.toLowerCase() !== "svg") panel = panel.parentElement;
    for (const box of [viewport(root, root), ...(panel && panel !== root ? [viewport(panel, root)] : [])]) {
      if (left < box.left - slack || left + width > box.right + slack || y > box.bottom + slack) {
        glitches.push({
          kind: "text cut at the edge",
          text,
          detail: `spans x ${left.toFixed(0)}-${
            (left + width).toFixed(0)
          } in a box of x ${box.left}-${box.right}`,
        });
        break;
      }
    }
  }
  return glitches;
}
