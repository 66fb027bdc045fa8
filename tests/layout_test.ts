/**
 * The library's floor plan, checked: folders by concern in the order data flows, each module importing
 * only from its own folder or a lower one; tools apart; modules small; one import per notebook.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
/**
 * Layers, bottom first. Root modules (errors.ts, kernel.ts) sit below them all; mod.ts on top. A paper's
 * folder spans two: its declarations (`paper.ts`, and `lib/papers/*.ts`) sit above models, and its views
 * (`views*.ts`) and entry (`mod.ts`, which re-exports the whole library) on top of presentation.
 */
const LAYERS = [
  "data",
  "backend",
  "models",
  "papers",
  "training",
  "analysis",
  "presentation",
  "paper views",
  "tools",
];

async function libFiles(dir = "lib"): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
    if (entry.isDirectory) files.push(...await libFiles(`${dir}/${entry.name}`));
    else if (entry.name.endsWith(".ts")) files.push(`${dir}/${entry.name}`);
  }
  return files.sort();
}

/** The layer of a lib path: its folder's index, -1 for the root basics, Infinity for lib/mod.ts. */
function layer(path: string): number {
  const parts = path.split("/");
  if (parts.length === 2) return parts[1] === "mod.ts" ? Infinity : -1;
  if (parts[1] === "papers" && parts.length === 4) {
    if (parts[3] === "mod.ts") return Infinity;
    if (parts[3].startsWith("views")) return LAYERS.indexOf("paper views");
  }
  return LAYERS.indexOf(parts[1]);
}

function localImports(path: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:import|export)[^"';]*?from\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specs.map((s) => new URL(s, `file:///${path}`).pathname.slice(1));
}

Deno.test("every lib module imports only from its own folder or a lower layer; nothing imports tools/", async () => {
  const wrong: string[] = [];
  for (const path of await libFiles()) {
    const text = await Deno.readTextFile(`${ROOT}${path}`);
    for (const target of localImports(path, text)) {
      const from = layer(path), to = layer(target);
      if (to === LAYERS.indexOf("tools") && from !== to) wrong.push(`${path} imports the tool ${target}`);
      else if (to > from) wrong.push(`${path} imports ${target}, a higher layer`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("every folder has an entry module that says what it holds; lib/mod.ts exports every folder but tools", async () => {
  const mod = await Deno.readTextFile(`${ROOT}lib/mod.ts`);
  for (const folder of LAYERS) {
    if (folder === "paper views") continue;
    if (folder === "tools") {
      assert.doesNotMatch(mod, /from "\.\/tools\//);
      continue;
    }
    const entry = await Deno.readTextFile(`${ROOT}lib/${folder}/mod.ts`);
    assert.match(
      entry,
      /^\/\*\*\n \* \w/,
      `lib/${folder}/mod.ts starts with a comment describing the folder`,
    );
    assert.match(mod, new RegExp(`export \\* from "\\./${folder}/mod\\.ts"`));
  }
});

Deno.test("no library module is longer than about 400 lines", async () => {
  const long: string[] = [];
  for (const path of await libFiles()) {
    const lines = (await Deno.readTextFile(`${ROOT}${path}`)).split("\n").length;
    if (lines > 430) long.push(`${path}: ${lines} lines`);
  }
  assert.deepEqual(long, []);
});

Deno.test("every notebook's first code cell imports its paper's folder entry with one import statement", async () => {
  const { PAPER_LIST } = await import("../lib/papers/registry.ts");
  for await (const entry of Deno.readDir(`${ROOT}notebooks`)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(await Deno.readTextFile(`${ROOT}notebooks/${entry.name}`));
    const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code")
      .map((c: { source: string[] }) => c.source.join(""));
    const imports = code.flatMap((s: string) => [...s.matchAll(/^import\b[^;]*;/gm)].map((m) => m[0]));
    assert.equal(
      imports.length,
      1,
      `${entry.name}: ${imports.length} import statements: ${imports.join(" | ")}`,
    );
    const owner = PAPER_LIST.find((p) => p.notebooks.includes(entry.name.replace(/\.ipynb$/, "")));
    assert.ok(owner, `${entry.name} is in no paper's notebooks list`);
    assert.ok(
      imports[0].endsWith(`from "../lib/papers/${owner.slug}/mod.ts";`),
      `${entry.name} imports ${imports[0].split("from").at(-1)}, not its paper's entry`,
    );
    assert.ok(code[0].includes(imports[0]), `${entry.name}: the import is in the first code cell`);
  }
});

Deno.test("views never train: no training or timing call in presentation/ or in a paper's views", async () => {
  const TRAINING =
    /\b(runSeeds|runEach|runExperiment|runSweep|lossPerBatch|lossesPerBatch|fit|timeConfigs|timeRecipes|measureTimes|measureRecipeTimes)\b/;
  const offenders: string[] = [];
  for (const path of await libFiles()) {
    const view = path.startsWith("lib/presentation/") || /^lib\/papers\/[^/]+\/views/.test(path);
    if (!view) continue;
    const text = await Deno.readTextFile(`${ROOT}${path}`);
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]*training\/[^"]*)"/g)) {
      const names = m[1].split(",").map((n) => n.trim().split(/\s+/).at(-1)!).filter((n) => TRAINING.test(n));
      if (names.length) offenders.push(`${path} imports ${names.join(", ")} from ${m[2]}`);
    }
  }
  assert.deepEqual(
    offenders,
    [],
    "a notebook calls training itself, visibly, and passes the runs to the view",
  );
});

Deno.test("notebook code cells stay short: at most 10 lines of at most 110 characters", async () => {
  const long: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}notebooks`)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(await Deno.readTextFile(`${ROOT}notebooks/${entry.name}`));
    nb.cells.forEach((c: { cell_type: string; source: string[] }, i: number) => {
      if (c.cell_type !== "code") return;
      const lines = c.source.join("").trimEnd().split("\n");
      if (lines.length > 10) long.push(`${entry.name} cell ${i}: ${lines.length} lines`);
      const wide = lines.filter((l) => l.length > 110).length;
      if (wide) long.push(`${entry.name} cell ${i}: ${wide} lines over 110 characters`);
    });
  }
  assert.deepEqual(long, []);
});

Deno.test("tests follow the layout: each test file is named after a module or folder of lib/", async () => {
  const modules = new Set((await libFiles()).map((p) => p.replace(/^lib\//, "").replace(/\.ts$/, "")));
  const folders = new Set(LAYERS.filter((l) => l !== "paper views"));
  const strays: string[] = [];
  async function walk(dir: string) {
    for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
      if (entry.isDirectory) await walk(`${dir}/${entry.name}`);
      else if (entry.name.endsWith("_test.ts")) {
        const name = `${dir}/${entry.name}`.replace(/^tests\//, "").replace(/_test\.ts$/, "");
        const folder = name.split("/")[0];
        if (
          !modules.has(name) && !(folders.has(folder) && name === `${folder}/${folder}`) && name !== "layout"
        ) {
          strays.push(`${dir}/${entry.name}`);
        }
      }
    }
  }
  await walk("tests");
  assert.deepEqual(strays, []);
});

Deno.test("every markdown output of the committed notebooks also carries HTML (untrusted notebooks, GitHub)", async () => {
  const missing: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}notebooks`)) {
    if (!entry.name.endsWith(".ipynb")) continue;
    const nb = JSON.parse(await Deno.readTextFile(`${ROOT}notebooks/${entry.name}`));
    nb.cells.forEach((cell: { outputs?: { data?: Record<string, unknown> }[] }, i: number) => {
      for (const output of cell.outputs ?? []) {
        if (output.data?.["text/markdown"] !== undefined && output.data["text/html"] === undefined) {
          missing.push(`${entry.name} cell ${i}`);
        }
      }
    });
  }
  assert.deepEqual(missing, [], "markdown outputs without text/html: regenerate with `deno task figures`");
});
