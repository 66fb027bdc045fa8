import assert from "node:assert/strict";
import { showTable } from "../../lib/presentation/notebook.ts";

/** What showTable prints outside a notebook (its text/plain). */
async function printed(fn: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

Deno.test("showTable: a column with decimals gives its whole numbers the same decimals; integer columns keep separators", async () => {
  const text = await printed(() =>
    showTable([{ seed: 1, "s/epoch": 2.1, images: 60000 }, { seed: 2, "s/epoch": 2, images: 1200 }], {
      digits: 2,
    })
  );
  assert.match(text, /2\.10/);
  assert.match(text, /2\.00/);
  assert.doesNotMatch(text, /\s2\s*$/m, "no bare 2 beside 2.10");
  assert.match(text, /60,000/);
  assert.match(text, /1,200/);
});
