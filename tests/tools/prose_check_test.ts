import assert from "node:assert/strict";
import { checkProse, staleNumbers } from "../../lib/tools/prose_check.ts";

const markdown = (text: string) => ({ cell_type: "markdown", source: text });
const output = (text: string) => ({ cell_type: "code", source: "", outputs: [{ text }] });

Deno.test("prose check: a quoted number must appear in an output at the precision the prose writes it", () => {
  const cells = [
    output("test accuracy 0.89094 (loss 0.3312)"),
    markdown("We reach 89.09% (89.1%), a loss of 0.331, and `lr 0.001` is a setting."),
  ];
  assert.deepEqual(staleNumbers("nb", cells), []);
  const moved = [output("test accuracy 0.8871"), ...cells.slice(1)];
  assert.deepEqual(staleNumbers("nb", moved).map((s) => s.number), ["89.09", "89.1", "0.331"]);
  assert.match(staleNumbers("nb", moved)[0].context, /We reach 89\.09%/);
});

Deno.test("prose check: the allow-list explains hand-derived numbers, and a stale entry is reported", () => {
  const cells = [output("nothing"), markdown("The paper's gap: 98.89 - 93.3 = 5.6 points.")];
  const allowed = { "98.89": "the paper's", "93.3": "the paper's", "5.6": "98.89 - 93.3" };
  assert.deepEqual(staleNumbers("nb", cells, allowed), []);
  const stale = staleNumbers("nb", cells, { ...allowed, "7.7": "no longer quoted" });
  assert.deepEqual(stale.map((s) => [s.cell, s.number]), [[-1, "7.7"]]);
});

Deno.test("prose check: every committed notebook's prose agrees with its outputs", async () => {
  const stale = await checkProse();
  assert.deepEqual(
    stale.map((s) => `${s.notebook} cell ${s.cell}: ${s.number} ("...${s.context}...")`),
    [],
    "rewrite the prose from the outputs, or explain the number in data/prose_numbers.json",
  );
});
