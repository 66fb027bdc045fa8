import assert from "node:assert/strict";
import { CATALOGUES, CLAIM_KINDS } from "../../lib/analysis/catalogue.ts";
import { PAPERS } from "../../lib/analysis/papers.ts";

Deno.test("catalogue: every claim is well formed, with a unique id prefixed by its paper", () => {
  const ids = new Set<string>();
  for (const [paper, catalogue] of Object.entries(CATALOGUES)) {
    assert.ok(paper in PAPERS, `unknown paper ${paper}`);
    assert.equal(catalogue.paper, paper);
    assert.ok(catalogue.excluded.length > 40, `${paper}: say which cited results were left out`);
    for (const claim of catalogue.claims) {
      assert.ok(claim.id.startsWith(`${paper}-`), claim.id);
      assert.ok(!ids.has(claim.id), `duplicate id ${claim.id}`);
      ids.add(claim.id);
      assert.ok(CLAIM_KINDS.includes(claim.kind), `${claim.id}: kind ${claim.kind}`);
      assert.ok(claim.section.trim() && claim.note.trim(), claim.id);
      assert.ok(claim.quote.trim().length > 0 && claim.quote.length <= 200, `${claim.id}: quote`);
      assert.equal(typeof claim.checkableHere, "boolean", claim.id);
      assert.ok(claim.stated !== undefined && claim.stated !== null, claim.id);
    }
  }
});

Deno.test("catalogue: both papers' headline numbers and contradictions are in it", () => {
  const byId = (paper: string) => new Map(CATALOGUES[paper].claims.map((c) => [c.id, c]));
  const c000 = byId("000"), c002 = byId("002");
  assert.equal(c000.get("000-abs-test-acc")?.stated, 0.888);
  assert.equal(c000.get("000-params-65354")?.stated, 65354);
  assert.equal(c000.get("000-t1-shirt-f1")?.stated, 0.72);
  assert.equal(c002.get("002-m2-train-acc")?.stated, 97.4);
  assert.equal(c002.get("002-m3-f1")?.stated, 0.9030001359566023);
  // a paper giving two numbers for one thing: both claims, and the contradiction itself
  assert.ok(c000.has("000-curve-gap-3") && c000.has("000-gap-4.7-6.1") && c000.has("000-x-gap"));
  assert.ok(c002.has("002-contra-m2-default-strides"));
  for (const paper of ["000", "002"]) {
    const kinds = new Set(CATALOGUES[paper].claims.map((c) => c.kind));
    for (const kind of ["metric", "setting", "count", "curve", "comparison", "contradiction"]) {
      assert.ok(kinds.has(kind as never), `${paper} has no ${kind} claim`);
    }
  }
});

Deno.test("catalogue: every Table 1 row of Abdul Aziz & Sayed has its F1 and its confusion as claims", () => {
  const ids = new Set(CATALOGUES["000"].claims.map((c) => c.id));
  for (
    const row of [
      "trouser",
      "bag",
      "sandal",
      "boot",
      "sneaker",
      "dress",
      "coat",
      "pullover",
      "tshirt",
      "shirt",
    ]
  ) {
    assert.ok(ids.has(`000-t1-${row}-f1`) && ids.has(`000-t1-${row}-confusion`), row);
  }
});
