/**
 * The IDX file format of MNIST and Fashion-MNIST: parse a decompressed file and check every
 * byte we rely on (magic number, dimensions, payload length) before trusting it.
 *
 * @module
 */
import { UserError } from "../errors.ts";

/** IDX type code 0x08: unsigned bytes, the only element type Fashion-MNIST uses. */
const UBYTE = 0x08;

/** A parsed IDX file: its dimensions and its raw unsigned-byte payload. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** An error about one data file: it names the file, what is wrong and how to fix it. */
export class DataFileError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${file}: ${problem}. ${fix}`);
    this.name = "DataFileError";
  }
}

/**
 * Parse a decompressed IDX file of unsigned bytes, checking the magic number and that the
 * payload holds exactly the product of the dimensions.
 *
 * @example
 * ```ts
 * const { dims, data } = parseIdx(bytes, "train-labels-idx1-ubyte.gz");
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string, fix: string): IdxArray {
  if (bytes.length < 4) {
    throw new DataFileError(file, `is ${bytes.length} bytes long, too short for an IDX header`, fix);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || rank < 1 || rank > 4) {
    throw new DataFileError(
      file,
      `wrong magic number 0x${magic.toString(16).padStart(8, "0")} ` +
        `(an IDX file of unsigned bytes starts with 0x0000080N, N the number of dimensions)`,
      fix,
    );
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataFileError(file, `header is cut short (${bytes.length} bytes)`, fix);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLength;
  if (actual !== expected) {
    throw new DataFileError(
      file,
      `payload is ${actual} bytes but the header's dimensions ${dims.join("x")} need ${expected}`,
      fix,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Encode an unsigned-byte array as an IDX file (the inverse of {@link parseIdx}). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const headerLength = 4 + 4 * dims.length;
  const out = new Uint8Array(headerLength + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, headerLength);
  return out;
}
