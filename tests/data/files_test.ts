import assert from "node:assert/strict";
import { fromBase64, toBase64, writeAtomically } from "../../lib/data/files.ts";
import { UserError } from "../../lib/errors.ts";

Deno.test("base64 round-trips bytes of every value, long arrays included", () => {
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 37) % 256);
  assert.deepEqual(fromBase64(toBase64(bytes)), bytes);
  assert.equal(toBase64(new TextEncoder().encode("Fashion")), btoa("Fashion"));
});

Deno.test("writeAtomically replaces the file and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeAtomically(`${dir}/a.json`, "one");
    await writeAtomically(`${dir}/a.json`, new TextEncoder().encode("two"));
    assert.equal(await Deno.readTextFile(`${dir}/a.json`), "two");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["a.json"]);
    await assert.rejects(writeAtomically(`${dir}/missing/b.json`, "x"));
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["a.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A 64 KiB tmpfs, when this process may mount one (root on Linux); null elsewhere. */
async function tinyDisk(): Promise<string | null> {
  if (Deno.build.os !== "linux") return null;
  const dir = await Deno.makeTempDir();
  const mounted = await new Deno.Command("mount", { args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir] })
    .output().then((o) => o.success, () => false);
  if (mounted) return dir;
  await Deno.remove(dir);
  return null;
}

Deno.test("writeAtomically on a full disk: one-line error naming the file, the old file unchanged, no partial", async (t) => {
  const disk = await tinyDisk();
  if (disk === null) {
    await t.step({ name: "needs a tmpfs mount (root on Linux)", ignore: true, fn: () => {} });
    return;
  }
  try {
    await writeAtomically(`${disk}/run.json`, "old");
    await assert.rejects(writeAtomically(`${disk}/run.json`, new Uint8Array(200_000)), (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.match(e.message, new RegExp(`^no space left to write ${disk}/run\\.json: free some space`));
      return true;
    });
    assert.equal(await Deno.readTextFile(`${disk}/run.json`), "old");
    assert.deepEqual([...Deno.readDirSync(disk)].map((e) => e.name), ["run.json"]);
  } finally {
    await new Deno.Command("umount", { args: [disk] }).output();
    await Deno.remove(disk, { recursive: true });
  }
});
