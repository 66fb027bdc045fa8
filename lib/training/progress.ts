/**
 * Live training progress: in a notebook, one display per run updated in place; in a terminal, one
 * line on stderr rewritten in place; in CI (`CI` set) or with `quiet`, nothing.
 *
 * @module
 */
import { percent } from "../format.ts";
import { inNotebook, sendOutput } from "../kernel.ts";

/** What a progress display shows. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
  /** Seconds since the run (or its resumption) started. */
  elapsed: number;
  /** Batches done since the run (or its resumption) started. */
  done: number;
  /** Batches left in the run. */
  left: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`
    : `${m}:${String(s % 60).padStart(2, "0")}`;
}

/** One line describing the state, e.g. `epoch 2/10 · batch 300/938 · loss 0.412 · acc 85.1% · 0:41 < 3:20`. */
export function formatProgress(title: string, s: ProgressState): string {
  const remaining = s.done > 0 ? (s.elapsed / s.done) * s.left : NaN;
  return `${title} · epoch ${s.epoch}/${s.epochs} · batch ${s.batch}/${s.batches} · loss ${
    s.loss.toFixed(3)
  } · ` +
    `acc ${percent(s.accuracy)} · ${clock(s.elapsed)} elapsed, ${clock(remaining)} left`;
}

/** A progress reporter for one run; call `update` often (it throttles) and `finish` once. */
export class Progress {
  #title: string;
  #mode: "notebook" | "terminal" | "lines" | "quiet";
  #id = `progress-${crypto.randomUUID()}`;
  #shown = false;
  #last = 0;

  constructor(title: string, options: { quiet?: boolean } = {}) {
    this.#title = title;
    const ci = Boolean(Deno.env.get("CI"));
    if (options.quiet || (ci && !inNotebook())) this.#mode = "quiet";
    else if (inNotebook()) this.#mode = "notebook";
    else if (Deno.stderr.isTerminal()) this.#mode = "terminal";
    else this.#mode = "lines";
  }

  /** Show the state if the last update is more than `everyMs` old (or `force`). */
  async update(state: ProgressState, force = false, everyMs = 400): Promise<void> {
    if (this.#mode === "quiet") return;
    const now = performance.now();
    if (!force && now - this.#last < everyMs) return;
    this.#last = now;
    const line = formatProgress(this.#title, state);
    if (this.#mode === "notebook") {
      await sendOutput({
        "text/plain": line,
        "text/markdown": `\`${line}\``,
        "text/html": `<code>${escapeHtml(line)}</code>`,
      }, {
        displayId: this.#id,
        update: this.#shown,
      });
      this.#shown = true;
    } else if (this.#mode === "terminal") {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}`));
    } else if (force) {
      console.error(line); // not a terminal: one line per epoch, not per batch
    }
  }

  /** Replace the live line with a final message. */
  async finish(message: string): Promise<void> {
    if (this.#mode === "quiet") return;
    const line = `${this.#title} · ${message}`;
    if (this.#mode === "notebook") {
      await sendOutput({
        "text/plain": line,
        "text/markdown": `\`${line}\``,
        "text/html": `<code>${escapeHtml(line)}</code>`,
      }, {
        displayId: this.#id,
        update: this.#shown,
        final: true,
      });
    } else if (this.#mode === "terminal") {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}\n`));
    } else {
      console.error(line);
    }
  }
}

/** Text made safe inside HTML. */
function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
