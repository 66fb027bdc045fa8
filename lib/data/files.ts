/**
 * Small file helpers shared by the modules that write results: atomic writes (nothing
 * half-written on interruption) and base64 for binary data inside JSON and notebooks.
 *
 * @module
 */
import { UserError } from "../errors.ts";

/**
 * Write a file atomically: to a temporary file next to it, then rename over the target. An
 * interrupted write leaves the old file (or none), never a partial one.
 */
export async function writeAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 6)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new UserError(
        `no space left to write ${path}: free some space on that disk (or point FMNIST_RUNS_DIR or ` +
          "FMNIST_DATA_DIR elsewhere) and run again; what was there before is unchanged",
      );
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new UserError(
        `cannot write ${path} (permission denied): fix the folder's permissions and run again`,
      );
    }
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Bytes as base64 text. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Base64 text back to bytes. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
