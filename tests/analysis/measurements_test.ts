import assert from "node:assert/strict";
import { storedMeasurement } from "../../lib/analysis/measurements.ts";

async function withStore(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const before = Deno.env.get("FMNIST_MEASUREMENTS_DIR");
  Deno.env.set("FMNIST_MEASUREMENTS_DIR", dir);
  try {
    await fn(dir);
  } finally {
    if (before === undefined) Deno.env.delete("FMNIST_MEASUREMENTS_DIR");
    else Deno.env.set("FMNIST_MEASUREMENTS_DIR", before);
    Deno.env.delete("FMNIST_REMEASURE");
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("storedMeasurement measures once, then shows the stored value (a re-run changes nothing)", async () => {
  await withStore(async (dir) => {
    let calls = 0;
    const measure = () => ({ ms: 40 + ++calls });
    const first = await storedMeasurement("latency", "wasm", measure);
    assert.deepEqual([first.value, first.fresh], [{ ms: 41 }, true]);
    const file = await Deno.readTextFile(`${dir}/latency.json`);
    const second = await storedMeasurement("latency", "wasm", measure);
    assert.deepEqual([second.value, second.fresh, calls], [{ ms: 41 }, false, 1]);
    assert.equal(await Deno.readTextFile(`${dir}/latency.json`), file, "reading leaves the file as it was");
    assert.match(second.machine, /cores, wasm$/);
  });
});

Deno.test("FMNIST_REMEASURE=1 measures again and stores the new value", async () => {
  await withStore(async () => {
    await storedMeasurement("t", "wasm", () => 1);
    Deno.env.set("FMNIST_REMEASURE", "1");
    assert.equal((await storedMeasurement("t", "wasm", () => 2)).value, 2);
    Deno.env.delete("FMNIST_REMEASURE");
    assert.equal((await storedMeasurement("t", "wasm", () => 3)).value, 2);
  });
});

Deno.test("a corrupt stored measurement is measured again; a bad name is an error", async () => {
  await withStore(async (dir) => {
    await Deno.writeTextFile(`${dir}/t.json`, "{ not json");
    assert.equal((await storedMeasurement("t", "wasm", () => 7)).value, 7);
    await assert.rejects(storedMeasurement("../escape", "wasm", () => 1), /must be letters, digits/);
  });
});
