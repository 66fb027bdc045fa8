import assert from "node:assert/strict";
import { fromBase64, toBase64, writeAtomically } from "../../lib/data/files.ts";

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
