/**
 * The sandbox a submission is graded in (Linux, with bubblewrap): the student's notebook runs, Jupyter
 * and kernel together, in fresh namespaces where
 *
 * - the file system is read-only (the system, Deno and its cache, the repository's library, data and
 *   packages), except one scratch directory per run;
 * - the source notebooks, the repository's history and tests, every other submission and the grader's
 *   output are not there at all (empty folders stand in for them);
 * - there is no network (a loopback of its own, for Jupyter's sockets), no capability, and every process
 *   the student starts dies with the run (its own PID namespace, ended when the run ends);
 * - a watchdog ends the run when its processes together hold more than a memory limit.
 *
 * @module
 */
import { UserError } from "../errors.ts";

/** What a sandboxed run may see and use. */
export interface SandboxSpec {
  /** The repository root, visible read-only (with `hidden` emptied). */
  repoRoot: string;
  /** The one writable directory (outputs, runs, figures, home). */
  scratch: string;
  /** Paths that must not be visible (inside the repository or not): shown as empty folders. */
  hidden: string[];
  /** The directory to run in (created empty when it lies in a hidden path). */
  workingDir: string;
}

/** Where bubblewrap is looked for. */
const BWRAP = Deno.env.get("FMNIST_BWRAP") ?? "bwrap";

/** The reason a sandbox cannot be made on this machine, or null when it can (tries one). */
export async function sandboxUnavailable(): Promise<string | null> {
  if (Deno.build.os !== "linux") {
    return `sandboxed grading needs Linux (bubblewrap); this is ${Deno.build.os}`;
  }
  try {
    const probe = await new Deno.Command(BWRAP, {
      args: ["--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--dev", "/dev", "true"],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (probe.success) return null;
    const why = new TextDecoder().decode(probe.stderr).trim().split("\n").at(-1);
    return `bubblewrap cannot make namespaces here (${why}); user namespaces may be disabled`;
  } catch {
    return "bubblewrap is not installed (Debian/Ubuntu: sudo apt-get install bubblewrap)";
  }
}

/** Refuse to go on without a sandbox, naming the fix (and the flag that grades unsandboxed anyway). */
export async function requireSandbox(): Promise<void> {
  const why = await sandboxUnavailable();
  if (why) {
    throw new UserError(
      `${why}. Without a sandbox a submission can change other students' grades and read the hidden tests. ` +
        "Fix: install bubblewrap on Linux, or pass --unsafe-no-sandbox to grade trusted notebooks anyway",
    );
  }
}

const parent = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";
const inside = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/**
 * bubblewrap's arguments for `spec`, to put before the command to run. System folders that do not exist
 * on this machine are skipped; `hidden` paths under a bound folder become empty (tmpfs).
 */
export function sandboxArgs(spec: SandboxSpec): string[] {
  const home = Deno.env.get("HOME") ?? "/root";
  const denoDir = Deno.env.get("DENO_DIR") ?? `${home}/.cache/deno`;
  const exists = (p: string) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  };
  const readOnly = [
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/lib32",
    "/etc",
    parent(Deno.execPath()),
    denoDir,
  ]
    .filter((p, i, all) =>
      exists(p) && all.indexOf(p) === i && !all.some((q, j) => j !== i && inside(p, q) && q !== p)
    );
  const args = [
    "--unshare-all", // user, PID, IPC, UTS, cgroup and network namespaces: a loopback of its own only
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
  ];
  for (const p of readOnly) args.push("--ro-bind", p, p);
  args.push("--ro-bind", spec.repoRoot, spec.repoRoot);
  for (const p of spec.hidden) {
    if (inside(p, spec.repoRoot) && p !== spec.repoRoot && exists(p)) args.push("--tmpfs", p);
  }
  args.push("--bind", spec.scratch, spec.scratch);
  args.push("--dir", spec.workingDir, "--chdir", spec.workingDir);
  args.push("--setenv", "HOME", spec.scratch, "--setenv", "DENO_NO_UPDATE_CHECK", "1");
  return args;
}

/** `command` with its arguments, to run inside the sandbox of `spec`. */
export function sandboxed(spec: SandboxSpec, command: string, args: string[]): [string, string[]] {
  return [BWRAP, [...sandboxArgs(spec), "--", command, ...args]];
}

/** Resident memory in bytes of process `pid` and all its descendants (Linux /proc). */
export function treeMemory(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry.name)]);
    } catch { /* the process ended meanwhile */ }
  }
  let bytes = 0;
  const queue = [pid];
  while (queue.length) {
    const p = queue.pop()!;
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${p}/status`));
      if (rss) bytes += Number(rss[1]) * 1024;
    } catch { /* ended */ }
    queue.push(...(children.get(p) ?? []));
  }
  return bytes;
}

/**
 * Kill `child` (and with it its sandbox) once its process tree holds more than `limitBytes`; returns a
 * stop function and whether the limit was hit.
 */
export function watchMemory(
  child: Deno.ChildProcess,
  limitBytes: number,
): { stop: () => void; exceeded: () => boolean; peak: () => number } {
  let hit = false, peak = 0;
  const timer = setInterval(() => {
    const held = treeMemory(child.pid);
    peak = Math.max(peak, held);
    if (held > limitBytes) {
      hit = true;
      clearInterval(timer);
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  }, 500);
  return { stop: () => clearInterval(timer), exceeded: () => hit, peak: () => peak };
}
