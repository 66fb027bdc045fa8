/**
 * User mistakes versus bugs. A {@link UserError} (a bad option, a missing file, corrupt data) says
 * what is wrong and how to fix it; a command-line entry point wrapped in {@link main} prints it as
 * one line and exits non-zero, without a stack trace. Anything else is a bug and keeps its trace.
 * `FMNIST_DEBUG=1` shows the trace in both cases.
 *
 * @module
 */

/** A mistake the user can fix: the message names the problem and the fix. */
export class UserError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserError";
  }
}

/** True for errors the user can fix (see {@link UserError}). */
export function isUserError(e: unknown): e is Error {
  // node:util's parseArgs rejects an unknown or malformed option with these codes.
  const code = (e as { code?: unknown })?.code;
  return e instanceof UserError || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
}

/**
 * Run a command-line entry point: a {@link UserError} ends it with `error: <message>` on stderr
 * and exit status 2; other errors (bugs) print their stack and exit 1. The function's own return
 * value, if a number, is the exit status.
 *
 * @example
 * ```ts
 * if (import.meta.main) await main(async () => { ... });
 * ```
 */
export async function main(run: () => Promise<number | void> | number | void): Promise<never> {
  const debug = Deno.env.get("FMNIST_DEBUG") === "1";
  try {
    const status = await run();
    Deno.exit(typeof status === "number" ? status : 0);
  } catch (e) {
    if (isUserError(e) && !debug) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    console.error(debug || !(e instanceof Error) ? e : `bug: ${e.stack ?? e.message}`);
    if (isUserError(e)) Deno.exit(2);
    Deno.exit(1);
  }
}
