import assert from "node:assert/strict";
import { compareToSeeds, recordClaims } from "../../lib/analysis/claims.ts";

Deno.test("compareToSeeds: within the widened seed range, better, worse", () => {
  assert.equal(compareToSeeds(0.888, [0.885, 0.89, 0.893]), "reproduced within the seed range");
  assert.equal(compareToSeeds(0.888, [0.892, 0.895, 0.9]), "reproduced within the seed range"); // 0.5-point tolerance
  assert.equal(compareToSeeds(0.88, [0.895, 0.9]), "better");
  assert.equal(compareToSeeds(0.92, [0.895, 0.9]), "worse");
  assert.equal(compareToSeeds(0.5, [0.7, 0.8], 0.005, false), "worse");
});

Deno.test("recordClaims writes one JSON file per notebook and profile", async () => {
  const dir = await Deno.makeTempDir();
  Deno.env.set("FMNIST_CLAIMS_DIR", dir);
  try {
    const path = await recordClaims("99_test", "smoke", [
      { paper: "p", claim: "c", stated: "1", measured: "2", profile: "smoke", verdict: "better" },
    ]);
    assert.equal(path, `${dir}/99_test.smoke.json`);
    assert.equal(JSON.parse(await Deno.readTextFile(path))[0].verdict, "better");
  } finally {
    Deno.env.delete("FMNIST_CLAIMS_DIR");
    await Deno.remove(dir, { recursive: true });
  }
});
