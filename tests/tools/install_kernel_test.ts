import assert from "node:assert/strict";
import { completeKernelspec } from "../../lib/tools/install_kernel.ts";

Deno.test("deno task kernel adds message interrupts and NO_COLOR to what deno jupyter --install writes", () => {
  const written = {
    argv: ["deno", "jupyter", "--kernel", "--conn", "{connection_file}"],
    language: "typescript",
  };
  const spec = completeKernelspec(written);
  assert.equal(spec.interrupt_mode, "message");
  assert.deepEqual(spec.env, { NO_COLOR: "1" });
  assert.deepEqual(spec.argv, written.argv);
  assert.deepEqual(completeKernelspec({ env: { A: "b" } }).env, { A: "b", NO_COLOR: "1" });
});
