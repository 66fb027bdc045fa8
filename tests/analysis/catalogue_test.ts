import assert from "node:assert/strict";
import { type Catalogue, CATALOGUES, CLAIM_KINDS } from "../../lib/analysis/catalogue.ts";
import { PAPERS } from "../../lib/papers/registry.ts";
import { existsSync } from "node:fs";
import { REPO_ROOT } from "../../lib/training/profile.ts";

/** Every paper folder's catalogue file, registered or not, by the paper id it declares. */
const DIR = new URL("../../lib/papers/", import.meta.url);
const ALL: Record<string, Catalogue> = Object.fromEntries(
  [...Deno.readDirSync(DIR)].filter((e) => e.isDirectory).map((e) => {
    const catalogue = JSON.parse(Deno.readTextFileSync(new URL(`${e.name}/claims.json`, DIR))) as Catalogue;
    return [catalogue.paper, catalogue];
  }),
);

Deno.test("catalogue: every registered catalogue is its folder's file, and every folder is a known paper", () => {
  for (const [paper, catalogue] of Object.entries(CATALOGUES)) assert.deepEqual(catalogue, ALL[paper], paper);
  for (const paper of Object.keys(ALL)) {
    assert.ok(paper in PAPERS, `catalogue file for unknown paper ${paper}`);
  }
});

Deno.test("catalogue: every claim is well formed, with a unique id prefixed by its paper", () => {
  const ids = new Set<string>();
  for (const [paper, catalogue] of Object.entries(ALL)) {
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

Deno.test("catalogue: every claim has a well-formed check and a notebook that exists", async () => {
  const { RECIPES } = await import("../../lib/papers/registry.ts");
  const { CLASS_NAMES } = await import("../../lib/data/fashion_mnist.ts");
  const { MODELS } = await import("../../lib/papers/registry.ts");
  const { REFERENCE_MODELS } = await import("../../lib/models/reference_models.ts");
  const ids = new Set(Object.values(ALL).flatMap((c) => c.claims.map((claim) => claim.id)));
  const notebooks = new Set(
    [...Deno.readDirSync(new URL("../../notebooks/", import.meta.url))].map((e) => e.name),
  );
  const wrong: string[] = [];
  const need = (ok: boolean, claim: string, what: string) => ok || wrong.push(`${claim}: ${what}`);
  for (const [paper, catalogue] of Object.entries(ALL)) {
    for (const claim of catalogue.claims) {
      const check = claim.check as unknown as Record<string, unknown>;
      if (paper in CATALOGUES) {
        need(notebooks.has(`${claim.notebook}.ipynb`), claim.id, `no notebook ${claim.notebook}`);
      }
      // Experiments and models are built with the notebook, so they are checked once it is registered.
      const registered = paper in CATALOGUES;
      for (const key of ["runs", "other"]) {
        if (key in check && registered) {
          need(String(check[key]) in RECIPES, claim.id, `unknown experiment ${check[key]}`);
        }
      }
      const listed = ["among", "faster", "slower"].flatMap((key) =>
        (check[key] as string[] | undefined) ?? []
      );
      for (const name of registered ? listed : []) {
        need(name in RECIPES, claim.id, name);
      }
      const classes = [check.class, ...((check.with ?? check.classes ?? []) as string[])].filter(Boolean);
      const between = check.test === "no-errors-between"
        ? [...check.from as string[], ...check.to as string[]]
        : [];
      for (const c of [...classes, ...between]) {
        need(CLASS_NAMES.includes(c as never), claim.id, `unknown class ${c}`);
      }
      for (
        const m of registered
          ? [check.model, ...((check.models ?? []) as string[])].filter(Boolean) as string[]
          : []
      ) {
        need(m in MODELS || m in REFERENCE_MODELS, claim.id, `unknown model ${m}`);
      }
      if (registered && (check.fact === "time-order" || check.fact === "latency-order")) {
        const stored = `${REPO_ROOT}data/measurements/${check.measurement}.json`;
        need(existsSync(stored), claim.id, `no stored measurement ${check.measurement}`);
      }
      if (check.rule === "contradiction") {
        for (const id of check.claims as string[]) need(ids.has(id), claim.id, `names unknown claim ${id}`);
      }
      if (check.rule === "seed-range" || check.rule === "count") {
        need(
          typeof check.value === "number" && Number.isFinite(check.value),
          claim.id,
          "value must be a number",
        );
      }
      if (check.rule === "not-checkable") need(String(check.reason).length > 10, claim.id, "say why");
      if (check.rule === "setting") need(String(check.how).length > 5, claim.id, "say how");
    }
  }
  assert.deepEqual(wrong, []);
});
