import assert from "node:assert/strict";
import { paperTable } from "../../lib/analysis/paper_tables.ts";

Deno.test("paperTable rebuilds a paper's table from its catalogued cells, one row per printed row", () => {
  const table1 = paperTable("000", "Table 1");
  assert.equal(table1.length, 10);
  const shirt = table1.find((r) => r.label.startsWith("Shirt"));
  assert.deepEqual(shirt?.stated, { "class-f1": 0.72 });
  assert.equal(shirt?.experiment, "000-three-block");
});

Deno.test("paperTable names the problem when a paper or a table has no judged cells", () => {
  assert.throws(() => paperTable("999", "Table 1"), /no claims catalogue for paper "999"/);
  assert.throws(() => paperTable("000", "Table 9"), /no claims in "Table 9"/);
});

Deno.test("paperTable shows a row the words allow two readings of twice: argued, then literal", () => {
  const table2 = paperTable("004", "Table II");
  assert.deepEqual(table2.map((r) => [r.label, r.experiment]), [
    ["CrossEntropyLoss", "004-tinyvgg"],
    ["MultiMarginLoss", "004-tinyvgg-multimargin"],
    ["NLLoss", "004-tinyvgg"],
    ["NLLoss (literal)", "004-tinyvgg-nll"],
  ]);
  assert.deepEqual(table2[3].stated, table2[2].stated);
  assert.equal(table2[3].seconds, null, "the paper's time belongs to its one row");
});
