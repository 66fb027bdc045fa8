/**
 * One run per config at a time: a process claims a config by creating `<key>.claim` in the run store
 * exclusively (its pid, host and time inside) before training it, and removes it when done. Every
 * trainer takes it (`runExperiment`, hence sweeps, notebooks and the run CLI), so two processes never
 * train the same config. Stale claims are recovered with a message: an empty or unreadable one older
 * than {@link UNREADABLE_GRACE_MS}, one whose process has died on this host, and one from another host
 * older than {@link FOREIGN_CLAIM_MAX_AGE_MS}.
 *
 * @module
 */

/** A claim file that cannot be read is taken as stale after this long (its writer needs milliseconds). */
export const UNREADABLE_GRACE_MS = 10_000;
/** Another host's claim is taken as stale after this long: no paper run here takes longer. */
export const FOREIGN_CLAIM_MAX_AGE_MS = 24 * 3600_000;

/** Who holds a claim. */
export interface ClaimOwner {
  pid: number;
  host: string;
  /** When it was claimed (ISO time). */
  since: string;
}

/** The result of trying to claim: ours now, ours already (this process), or someone else's. */
export type ClaimAttempt =
  | { state: "claimed" }
  | { state: "ours" }
  | { state: "busy"; owner: ClaimOwner; elsewhere: boolean };

/** Whether process `pid` is alive on this host (Linux: /proc; elsewhere a signal-0 probe). */
export function pidAlive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    if (Deno.build.os === "linux") return false;
    try {
      Deno.kill(pid, "SIGCONT");
      return true;
    } catch {
      return false;
    }
  }
}

function claimPath(dir: string, key: string): string {
  return `${dir}/${key}.claim`;
}

/**
 * Claim `key` in `dir` for this process. A stale claim (see the module) is removed, with `log` saying
 * why, and claimed again.
 */
export async function claimRun(
  dir: string,
  key: string,
  log: (message: string) => unknown = () => {},
): Promise<ClaimAttempt> {
  const path = claimPath(dir, key);
  const host = Deno.hostname();
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await Deno.open(path, { write: true, createNew: true });
      const owner: ClaimOwner = { pid: Deno.pid, host, since: new Date().toISOString() };
      await file.write(new TextEncoder().encode(JSON.stringify(owner)));
      file.close();
      return { state: "claimed" };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    const stale = await staleReason(path, host);
    if (stale === null) {
      const owner = await readOwner(path);
      if (owner === null) continue; // removed meanwhile: try again
      if (owner.pid === Deno.pid && owner.host === host) return { state: "ours" };
      return { state: "busy", owner, elsewhere: owner.host !== host };
    }
    await log(`${key}: removing a stale claim (${stale})`);
    await Deno.remove(path).catch(() => {});
  }
  return {
    state: "busy",
    owner: (await readOwner(path)) ?? { pid: 0, host: "?", since: "?" },
    elsewhere: false,
  };
}

/** Give a claim back (nothing happens if it is not there). */
export async function releaseRun(dir: string, key: string): Promise<void> {
  await Deno.remove(claimPath(dir, key)).catch(() => {});
}

async function readOwner(path: string): Promise<ClaimOwner | null> {
  try {
    const owner = JSON.parse(await Deno.readTextFile(path)) as Partial<ClaimOwner>;
    if (typeof owner.pid !== "number" || typeof owner.host !== "string") return null;
    return { pid: owner.pid, host: owner.host, since: owner.since ?? "?" };
  } catch {
    return null;
  }
}

/** Why the claim at `path` is stale, or null when it stands (or is gone). */
async function staleReason(path: string, host: string): Promise<string | null> {
  let age: number;
  try {
    age = Date.now() - ((await Deno.stat(path)).mtime?.getTime() ?? Date.now());
  } catch {
    return null; // gone
  }
  const owner = await readOwner(path);
  if (owner === null) {
    return age > UNREADABLE_GRACE_MS ? `it is empty or unreadable, ${Math.round(age / 1000)} s old` : null;
  }
  if (owner.host === host) {
    return owner.pid !== Deno.pid && !pidAlive(owner.pid)
      ? `process ${owner.pid} is no longer running`
      : null;
  }
  return age > FOREIGN_CLAIM_MAX_AGE_MS
    ? `host ${owner.host} claimed it ${Math.round(age / 3600_000)} hours ago, more than 24 hours`
    : null;
}
