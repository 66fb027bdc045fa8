/**
 * The worker of `worker_training.ts`: trains the configs it is sent, one after another, into the run store,
 * writing progress and messages to shared memory, and stops (its last epoch's checkpoint kept) once the
 * waiting cell's heartbeat is older than `HEARTBEAT_MS`: the cell was interrupted.
 *
 * @module
 */
import { UserError } from "../errors.ts";
import type { ExperimentConfig } from "./config.ts";
import { runExperiment } from "./runs.ts";
import {
  CONTROL,
  HEARTBEAT_MS,
  HEARTBEAT_SLOT,
  PROGRESS_FIELDS,
  sharedRun,
  STATE,
  writeMessage,
} from "./worker_training.ts";

/** Thrown inside training when the cell that waits for it is gone. */
class Abandoned extends Error {}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
};

scope.onmessage = async (event: MessageEvent) => {
  const { configs, dir, buffer } = event.data as {
    configs: ExperimentConfig[];
    dir: string;
    buffer: SharedArrayBuffer;
  };
  const run = sharedRun(buffer);
  const abandoned = () => Date.now() - run.progress[HEARTBEAT_SLOT] > HEARTBEAT_MS;
  try {
    for (let i = 0; i < configs.length; i++) {
      Atomics.store(run.control, CONTROL.config, i);
      run.progress.fill(0, 0, PROGRESS_FIELDS.length);
      await runExperiment(configs[i], {
        dir,
        quiet: true,
        log: (message) => writeMessage(run, message, abandoned),
        onProgress: (state, final) => {
          PROGRESS_FIELDS.forEach((f, k) => (run.progress[k] = state[f]));
          if (final) writeMessage(run, `final:${final}`, abandoned);
        },
        stop: () => {
          if (abandoned()) throw new Abandoned("the cell waiting for this run was interrupted");
        },
      });
    }
    Atomics.store(run.control, CONTROL.state, STATE.done);
  } catch (error) {
    if (!(error instanceof Abandoned)) {
      writeMessage(run, (error as Error).message);
      Atomics.store(run.control, CONTROL.userError, error instanceof UserError ? 1 : 0);
      Atomics.store(run.control, CONTROL.state, STATE.failed);
    }
  } finally {
    Atomics.notify(run.control, CONTROL.state);
    scope.close();
  }
};
