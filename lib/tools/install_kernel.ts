/**
 * `deno task kernel`: register the Deno kernel with Jupyter, with what `deno jupyter --install`
 * leaves out:
 *
 * - `"interrupt_mode": "message"`: without it Jupyter interrupts with SIGINT, which does not stop
 *   a busy cell such as `while (true) {}`; with it the cell stops in about 1.5 s and the kernel
 *   keeps its variables;
 * - `NO_COLOR=1`: plain values come back without ANSI colour codes, which look broken on GitHub.
 *
 * @module
 */
import { main, UserError } from "../errors.ts";
import { writeAtomically } from "../data/files.ts";

const JUPYTER_FIX = "Fix: install Jupyter: sudo apt-get install jupyter-nbconvert python3-nbclient " +
  "jupyter-client python3-ipykernel (Debian/Ubuntu), or pip install jupyter";

/** What the kernelspec must say, added to whatever `deno jupyter --install` wrote. */
export function completeKernelspec(spec: Record<string, unknown>): Record<string, unknown> {
  const env = { ...(spec.env as Record<string, string> | undefined), NO_COLOR: "1" };
  return { ...spec, interrupt_mode: "message", env };
}

async function run(command: string, args: string[]): Promise<string> {
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw new UserError(`cannot run ${command} (${(e as Error).message}). ${JUPYTER_FIX}`);
  }
  if (!result.success) {
    const err = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new UserError(`${command} ${args.join(" ")} failed: ${err}. ${JUPYTER_FIX}`);
  }
  return new TextDecoder().decode(result.stdout);
}

/** Install the kernelspec and return the path of its `kernel.json`. */
export async function installKernel(): Promise<string> {
  await run("jupyter", ["--version"]);
  await run(Deno.execPath(), ["jupyter", "--install", "--force"]);
  const listing = JSON.parse(await run("jupyter", ["kernelspec", "list", "--json"])) as {
    kernelspecs: Record<string, { resource_dir: string }>;
  };
  const dir = listing.kernelspecs.deno?.resource_dir;
  if (!dir) {
    throw new UserError("deno jupyter --install did not register a kernel named deno. " + JUPYTER_FIX);
  }
  const path = `${dir}/kernel.json`;
  const spec = JSON.parse(await Deno.readTextFile(path)) as Record<string, unknown>;
  await writeAtomically(path, JSON.stringify(completeKernelspec(spec), null, 2) + "\n");
  return path;
}

if (import.meta.main) {
  await main(async () => {
    const path = await installKernel();
    console.log(`Deno kernel registered: ${path} (interrupts as messages, no colour codes)`);
  });
}
