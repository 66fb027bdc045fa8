/**
 * Tests for lib/training/claims.ts and its use by runExperiment: one run per config at a time, stale
 * claims recovered with a message, and two real processes on one config training it once.
 */
import assert from "node:assert/strict";
import {
  claimRun,
  FOREIGN_CLAIM_MAX_AGE_MS,
  releaseRun,
  UNREADABLE_GRACE_MS,
} from "../../lib/training/claims.ts";
import { experiment } from "../../lib/training/experiments.ts";

const host = Deno.hostname();

Deno.test("a claim is exclusive to its process; this process holding it is told so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await claimRun(dir, "k"), { state: "claimed" });
    assert.deepEqual(await claimRun(dir, "k"), { state: "ours" });
    await Deno.writeTextFile(`${dir}/j.claim`, JSON.stringify({ pid: 1, host, since: "then" }));
    const busy = await claimRun(dir, "j");
    assert.equal(busy.state, "busy", "pid 1 is alive: its claim stands");
    await releaseRun(dir, "k");
    assert.deepEqual(await claimRun(dir, "k"), { state: "claimed" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stale claims are recovered with a message: dead process, old unreadable file, old foreign host", async () => {
  const dir = await Deno.makeTempDir();
  const said: string[] = [];
  const log = (m: string) => said.push(m);
  const past = (ms: number) => new Date(Date.now() - ms);
  try {
    await Deno.writeTextFile(`${dir}/dead.claim`, JSON.stringify({ pid: 2 ** 22 + 7, host, since: "then" }));
    assert.deepEqual(await claimRun(dir, "dead", log), { state: "claimed" });
    assert.match(said.pop()!, /^dead: removing a stale claim \(process \d+ is no longer running\)$/);

    await Deno.writeTextFile(`${dir}/empty.claim`, "");
    assert.equal((await claimRun(dir, "empty", log)).state, "busy", "a fresh empty claim is being written");
    await Deno.utime(`${dir}/empty.claim`, past(2 * UNREADABLE_GRACE_MS), past(2 * UNREADABLE_GRACE_MS));
    assert.deepEqual(await claimRun(dir, "empty", log), { state: "claimed" });
    assert.match(said.pop()!, /removing a stale claim \(it is empty or unreadable, \d+ s old\)/);

    await Deno.writeTextFile(
      `${dir}/far.claim`,
      JSON.stringify({ pid: 1, host: "another-machine", since: "x" }),
    );
    const far = await claimRun(dir, "far", log);
    assert.ok(far.state === "busy" && far.elsewhere, "a recent claim from another host stands");
    await Deno.utime(
      `${dir}/far.claim`,
      past(FOREIGN_CLAIM_MAX_AGE_MS + 3600_000),
      past(FOREIGN_CLAIM_MAX_AGE_MS + 3600_000),
    );
    assert.deepEqual(await claimRun(dir, "far", log), { state: "claimed" });
    assert.match(said.pop()!, /host another-machine claimed it 25 hours ago, more than 24 hours/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two processes on one config train it once: the second waits and loads the first one's result", async () => {
  const dir = await Deno.makeTempDir();
  const config = experiment("002-ann", "smoke", { epochs: 2, trainLimit: 2000 });
  const start = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../lib/training/runs.ts", import.meta.url).pathname,
        JSON.stringify(config),
      ],
      env: { FMNIST_RUNS_DIR: dir, FMNIST_WASM_THREADS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  try {
    const [a, b] = await Promise.all([start(), start()]);
    const text = (o: Deno.CommandOutput) =>
      new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr);
    assert.equal(a.code, 0, text(a));
    assert.equal(b.code, 0, text(b));
    const last = (o: Deno.CommandOutput) => new TextDecoder().decode(o.stdout).trim().split("\n").at(-1)!;
    assert.equal(last(a), last(b), "both report the same stored run");
    const waited = [a, b].filter((o) => /is training it \(since .*\); waiting for its result/.test(text(o)));
    assert.equal(waited.length, 1, `exactly one waited:\n${text(a)}\n---\n${text(b)}`);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(
      names.filter((n) => n.endsWith(".claim") || n.includes(".ckpt.")),
      [],
      "nothing left over",
    );
    assert.equal(names.filter((n) => n.endsWith(".json")).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unwritable run store is refused before training, in one line naming the fix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/store`, "a file, not a directory");
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../../lib/training/runs.ts", import.meta.url).pathname,
        JSON.stringify(experiment("002-ann", "smoke")),
      ],
      env: { FMNIST_RUNS_DIR: `${dir}/store/runs` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    // deno-lint-ignore no-control-regex
    const stderr = new TextDecoder().decode(output.stderr).replace(/\x1b\[[0-9;]*m/g, "").trim();
    assert.equal(output.code, 2, stderr);
    assert.match(stderr, /^error: the run store .*\/store\/runs is not writable .*set FMNIST_RUNS_DIR/);
    assert.equal(stderr.split("\n").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
