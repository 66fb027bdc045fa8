/**
 * Training that Jupyter's Interrupt can stop at once. The Deno kernel interrupts a cell by terminating its
 * JavaScript; a cell that has awaited anything cannot be ended that way (its promise never settles, and the
 * kernel stays busy for seconds or for good). So in a notebook, runs that must be trained are trained in a
 * worker while the cell waits for it synchronously (`Atomics.wait`, no `await`), showing its progress:
 * Interrupt ends the cell within a fraction of a second, the worker notices the missing heartbeat and
 * stops within about {@link HEARTBEAT_MS} (its last epoch's checkpoint kept, so a re-run resumes and ends
 * as an uninterrupted run would), and the kernel's own tfjs was never touched.
 *
 * @module
 */
import { sendOutputNow } from "../kernel.ts";
import { UserError } from "../errors.ts";
import type { ExperimentConfig } from "./config.ts";
import { formatProgress, type ProgressState } from "./progress.ts";

/** The worker stops when the waiting cell has not written its heartbeat for this long. */
export const HEARTBEAT_MS = 1500;

/** Control slots (Int32) shared with the worker. */
export const CONTROL = { state: 0, config: 1, messages: 2, messageLength: 3, userError: 4, read: 5 } as const;
/** Worker states. */
export const STATE = { running: 0, done: 1, failed: 2 } as const;
/** Progress slots (Float64): the fields of {@link ProgressState}, then the heartbeat. */
export const PROGRESS_FIELDS = [
  "epoch",
  "epochs",
  "batch",
  "batches",
  "loss",
  "accuracy",
  "elapsed",
  "done",
  "left",
] as const;
export const HEARTBEAT_SLOT = PROGRESS_FIELDS.length;
/** Bytes of the message slot (the latest line the worker has to say, UTF-8). */
export const MESSAGE_BYTES = 4096;

/** The shared memory of one worker run. */
export interface SharedRun {
  buffer: SharedArrayBuffer;
  control: Int32Array;
  progress: Float64Array;
  message: Uint8Array;
}

/** Allocate (or, given a buffer, view) the shared memory of a worker run. */
export function sharedRun(buffer = new SharedArrayBuffer(8 * 4 + 16 * 8 + MESSAGE_BYTES)): SharedRun {
  return {
    buffer,
    control: new Int32Array(buffer, 0, 8),
    progress: new Float64Array(buffer, 32, 16),
    message: new Uint8Array(buffer, 32 + 128, MESSAGE_BYTES),
  };
}

/**
 * Write a line to the message slot (truncated to fit), then wait until the cell has read it (so no line is
 * overwritten unread), or until `gone()` says the cell will not read it.
 */
export function writeMessage(run: SharedRun, text: string, gone: () => boolean = () => false): void {
  const bytes = new TextEncoder().encode(text).slice(0, MESSAGE_BYTES);
  run.message.fill(0);
  run.message.set(bytes);
  Atomics.store(run.control, CONTROL.messageLength, bytes.length);
  const count = Atomics.add(run.control, CONTROL.messages, 1) + 1;
  Atomics.notify(run.control, CONTROL.state);
  while (Atomics.load(run.control, CONTROL.read) < count && !gone()) {
    Atomics.wait(run.control, CONTROL.read, Atomics.load(run.control, CONTROL.read), 100);
  }
}

/** The line in the message slot. */
export function readMessage(run: SharedRun): string {
  const length = Atomics.load(run.control, CONTROL.messageLength);
  return new TextDecoder().decode(run.message.slice(0, length));
}

/** The progress the worker wrote last. */
export function readProgress(run: SharedRun): ProgressState {
  return Object.fromEntries(PROGRESS_FIELDS.map((f, i) => [f, run.progress[i]])) as unknown as ProgressState;
}

/**
 * Train `configs` (run store `dir`) in a worker while this thread waits without awaiting, showing each run's
 * progress in place. Returns when every config is stored; throws the worker's error as this thread's.
 */
export function trainInWorker(
  configs: ExperimentConfig[],
  dir: string,
  options: { quiet?: boolean } = {},
): void {
  if (configs.length === 0) return;
  const run = sharedRun();
  const worker = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
  run.progress[HEARTBEAT_SLOT] = Date.now();
  worker.postMessage({ configs, dir, buffer: run.buffer });
  const title = (i: number) => `${configs[i].model} (${configs[i].profile}, seed ${configs[i].seed})`;
  let seen = 0, shownFor = -1, finishedFor = -1, id = "";
  const show: typeof sendOutputNow = options.quiet ? () => {} : sendOutputNow;
  let lastDraw = 0;
  try {
    while (Atomics.load(run.control, CONTROL.state) === STATE.running) {
      Atomics.wait(run.control, CONTROL.state, STATE.running, 250);
      run.progress[HEARTBEAT_SLOT] = Date.now();
      const messages = Atomics.load(run.control, CONTROL.messages);
      if (messages !== seen) {
        seen = messages;
        const line = readMessage(run);
        Atomics.store(run.control, CONTROL.read, messages);
        Atomics.notify(run.control, CONTROL.read);
        const index = Atomics.load(run.control, CONTROL.config);
        if (line.startsWith("final:")) {
          // The run's last line replaces its progress line: what an uninterrupted fit shows.
          const text = `${title(index)} · ${line.slice(6)}`;
          if (shownFor === index) show(lineBundle(text), { displayId: id, update: true, final: true });
          else show(lineBundle(text));
          finishedFor = index; // no more progress lines for it (its numbers stay until the next run's)
          continue;
        }
        show(lineBundle(line));
      }
      const index = Atomics.load(run.control, CONTROL.config);
      const state = readProgress(run);
      const now = performance.now();
      if (state.batches > 0 && index !== finishedFor && now - lastDraw > 400) {
        lastDraw = now;
        const kept = state.epoch > 1
          ? `Interrupt keeps epoch ${state.epoch - 1}`
          : "Interrupt now restarts it";
        const line = `${formatProgress(title(index), state)} · ${kept}`;
        if (shownFor !== index) {
          shownFor = index;
          id = `progress-${crypto.randomUUID()}`;
          show(lineBundle(line), { displayId: id });
        } else {
          show(lineBundle(line), { displayId: id, update: true });
        }
      }
    }
  } finally {
    run.progress[HEARTBEAT_SLOT] = 0; // an error here (not an Interrupt, which skips this) stops the worker
  }
  if (Atomics.load(run.control, CONTROL.state) === STATE.failed) {
    const message = readMessage(run);
    throw Atomics.load(run.control, CONTROL.userError) ? new UserError(message) : new Error(message);
  }
}

function lineBundle(line: string) {
  const html = line.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  return { "text/plain": line, "text/markdown": `\`${line}\``, "text/html": `<code>${html}</code>` };
}
