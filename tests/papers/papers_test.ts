import assert from "node:assert/strict";
import { citation, PAPERS } from "../../lib/papers/registry.ts";

const squash = (s: string) => s.replace(/\s+/g, " ");

Deno.test("README's Papers section gives every paper's full reference, as its folder under lib/papers/ has it", async () => {
  const readme = squash(await Deno.readTextFile(new URL("../../README.md", import.meta.url)));
  for (const id of Object.keys(PAPERS) as (keyof typeof PAPERS)[]) {
    assert.ok(readme.includes(squash(citation(id))), `README lacks: ${citation(id)}`);
    assert.ok(readme.includes(`**${PAPERS[id].label}**`), `README lacks the label ${PAPERS[id].label}`);
  }
});

Deno.test("citation: all authors in order, the year or n.d., title and venue", () => {
  assert.equal(
    citation("001"),
    "Shivani Awasthi and Swati Soni (2024). Enhanced CNN Architecture for Image Classification on the " +
      "Fashion-MNIST Dataset. International Journal of Modern Engineering and Research Technology, vol. 11, no. 3.",
  );
  assert.match(
    citation("002"),
    /^Uma Sivakumar, Priyadharshini Ramesh Kumar and Hasitha Varada \(n\.d\.\)\. Threads/,
  );
});

Deno.test("the product refers to no file outside the repository and to the papers by no internal file name", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const offenders: string[] = [];
  async function scan(dir: string) {
    for await (const entry of Deno.readDir(`${root}${dir}`)) {
      if (entry.isDirectory) await scan(`${dir}/${entry.name}`);
      if (!entry.isFile) continue;
      const text = await Deno.readTextFile(`${root}${dir}/${entry.name}`);
      // The pattern is split so that this file does not match itself.
      if (text.includes("../" + "shared") || /\b00[0-4]_[0-9a-f]{16}\.txt/.test(text)) {
        offenders.push(`${dir}/${entry.name}`);
      }
    }
  }
  for (const dir of ["lib", "notebooks", "tests", ".ci"]) await scan(dir);
  const readme = await Deno.readTextFile(`${root}README.md`);
  if (readme.includes("../" + "shared")) offenders.push("README.md");
  assert.deepEqual(offenders, []);
});
