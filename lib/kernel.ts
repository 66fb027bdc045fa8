/**
 * The one channel from library code to a notebook's outputs, under the Deno Jupyter kernel.
 *
 * Why this exists: the Deno kernel reports a cell idle as soon as the cell's code returns, while the
 * messages the code sent (`Deno.jupyter.broadcast`, `console.log`) are drained to Jupyter later. A
 * message drained after the idle is either dropped (nbclient, and so `jupyter nbconvert --execute`,
 * stop listening at idle) or stamped with the *next* cell's request and shown there. So:
 *
 * - **Settle.** Every new output, and the last update of an output shown in place, waits
 *   {@link SETTLE_MS} after sending, giving the kernel's event loop the turns it needs to drain the
 *   message before the cell can end. Nothing else in a notebook needs to remember it.
 * - **Stamp.** Every output carries `metadata.fmnist = { output, cell }`: its number in the kernel
 *   session (1, 2, ...) and, in a headless run, the index of the cell that produced it (the runner
 *   writes it to `FMNIST_CELL_FILE` before each cell). Updates in place keep the original stamp.
 * - **Ledger.** With `FMNIST_OUTPUT_LEDGER` set (the headless runner sets it), every new output is
 *   also appended there as `<output> <cell>`, so the runner can tell an output that never arrived
 *   (lost) from one that arrived in another cell (misplaced); see `lib/tools/headless.ts`.
 *
 * Outside the kernel (a script, a test) outputs print their `text/plain` instead.
 *
 * @module
 */

/** A Jupyter MIME bundle: MIME type to content. */
export type MimeBundle = Record<string, unknown>;

interface JupyterApi {
  broadcast(msgType: string, content: Record<string, unknown>): Promise<void>;
}

/** The kernel's `Deno.jupyter` API, or null when not running inside `deno jupyter`. */
function jupyter(): JupyterApi | null {
  try {
    return (Deno as unknown as { jupyter?: JupyterApi }).jupyter ?? null;
  } catch {
    return null; // Deno throws on access outside the kernel
  }
}

/** True when running inside the Deno Jupyter kernel. */
export function inNotebook(): boolean {
  return jupyter() !== null;
}

/**
 * Milliseconds an output waits after it is sent, so that it reaches Jupyter before its cell's idle
 * (see README, "Outputs", for the measurements). `FMNIST_SETTLE_MS` overrides it, for measuring.
 */
export const SETTLE_MS = 50;

function settleMs(): number {
  const value = Number(Deno.env.get("FMNIST_SETTLE_MS") ?? SETTLE_MS);
  return Number.isFinite(value) && value >= 0 ? value : SETTLE_MS;
}

/** What every output carries in `metadata.fmnist`. */
export interface OutputStamp {
  /** Its number in this kernel session: 1, 2, ... */
  output: number;
  /** Index of the cell that produced it, when a headless runner says which cell is running. */
  cell?: number;
}

let displayed = 0;
const stamps = new Map<string, OutputStamp>();

/** The cell the headless runner says is running (`FMNIST_CELL_FILE`), or undefined. */
function currentCell(): number | undefined {
  const file = Deno.env.get("FMNIST_CELL_FILE");
  if (!file) return undefined;
  try {
    const cell = Number(Deno.readTextFileSync(file).trim());
    return Number.isInteger(cell) ? cell : undefined;
  } catch {
    return undefined;
  }
}

function settle(): Promise<void> {
  const ms = settleMs();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Options of {@link sendOutput}. */
export interface OutputOptions {
  /** Extra output metadata (for example an image's width). */
  metadata?: Record<string, unknown>;
  /** An id under which the output can later be replaced in place. */
  displayId?: string;
  /** Replace the output shown under `displayId` instead of adding one. */
  update?: boolean;
  /** With `update`: the last update of this output, so wait until it is delivered. */
  final?: boolean;
}

/**
 * Send a MIME bundle as a cell output (or, with `update`, replace one in place); outside a notebook
 * print its `text/plain` (or markdown). Resolves once the output is delivered (see the module doc).
 */
export async function sendOutput(bundle: MimeBundle, options: OutputOptions = {}): Promise<void> {
  const kernel = jupyter();
  if (!kernel) {
    if (options.update && !options.final) return;
    const text = bundle["text/plain"] ?? bundle["text/markdown"];
    if (text !== undefined) console.log(String(text));
    return;
  }
  const { isNew, sent } = publish(kernel, bundle, options);
  await sent;
  if (isNew || options.final) await settle();
}

/**
 * {@link sendOutput} for code that must not await (a cell blocked on a training worker, which Interrupt
 * can then end at once): the kernel publishes the message before this returns. Outside a notebook it
 * does nothing.
 */
export function sendOutputNow(bundle: MimeBundle, options: OutputOptions = {}): void {
  const kernel = jupyter();
  // Published before this returns; whatever the call hands back (a promise or nothing) is only dropped.
  if (kernel) Promise.resolve(publish(kernel, bundle, options).sent).catch(() => {});
}

/** Stamp and broadcast one output; `isNew` when it is a new output (not an update of one shown). */
function publish(
  kernel: JupyterApi,
  bundle: MimeBundle,
  options: OutputOptions,
): { isNew: boolean; sent: Promise<void> } {
  let stamp = options.update && options.displayId ? stamps.get(options.displayId) : undefined;
  const isNew = stamp === undefined;
  if (!stamp) {
    stamp = { output: ++displayed, cell: currentCell() };
    if (stamp.cell === undefined) delete stamp.cell;
    if (options.displayId) stamps.set(options.displayId, stamp);
    const ledger = Deno.env.get("FMNIST_OUTPUT_LEDGER");
    if (ledger) Deno.writeTextFileSync(ledger, `${stamp.output} ${stamp.cell ?? -1}\n`, { append: true });
  }
  const sent = kernel.broadcast(isNew ? "display_data" : "update_display_data", {
    data: bundle,
    metadata: { ...options.metadata, fmnist: stamp },
    transient: options.displayId ? { display_id: options.displayId } : {},
  });
  return { isNew, sent };
}

/** Tell the user something in plain text: an output in a notebook, a line on stderr elsewhere. */
export async function notify(message: string): Promise<void> {
  if (inNotebook()) await sendOutput({ "text/plain": message });
  else console.error(message);
}

/**
 * One line of status shown in place while long work runs in a notebook ("writing the CSV files…",
 * "reading…"), ending as a final line that reads the same on every machine, so a re-run elsewhere leaves
 * the committed notebook unchanged. Outside a notebook it stays silent.
 */
export class StatusLine {
  #id = `status-${crypto.randomUUID()}`;
  #shown = false;

  async #send(text: string): Promise<void> {
    if (!inNotebook()) return;
    const html = text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
    // Every update waits to be delivered: the work that follows may hold the event loop for seconds.
    await sendOutput(
      { "text/plain": text, "text/markdown": `\`${text}\``, "text/html": `<code>${html}</code>` },
      { displayId: this.#id, update: this.#shown, final: true },
    );
    this.#shown = true;
  }

  /** Show (or replace) the live line. */
  show(text: string): Promise<void> {
    return this.#send(text);
  }

  /** Replace the live line with its final text. */
  done(text: string): Promise<void> {
    return this.#send(text);
  }
}
