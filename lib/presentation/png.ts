/**
 * A minimal PNG encoder for greyscale images, so image grids can be embedded in Plot figures
 * (as `data:` URLs in an `image` mark) without a canvas.
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import { toBase64 } from "../data/files.ts";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode 8-bit greyscale pixels (row-major, `width * height` bytes) as a PNG file, each pixel
 * drawn as a `scale` x `scale` block (nearest neighbour, so small images stay sharp).
 */
export function encodeGrayPng(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  scale = 1,
): Uint8Array {
  if (pixels.length !== width * height) {
    throw new RangeError(`expected ${width}x${height} = ${width * height} pixels, got ${pixels.length}`);
  }
  const w = width * scale;
  const h = height * scale;
  const raw = new Uint8Array((w + 1) * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w + 1); // first byte of each row: filter type 0
    const src = Math.floor(y / scale) * width;
    for (let x = 0; x < w; x++) {
      raw[row + 1 + x] = Math.max(0, Math.min(255, Math.round(pixels[src + Math.floor(x / scale)])));
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, w);
  view.setUint32(4, h);
  header.set([8, 0, 0, 0, 0], 8); // bit depth 8, greyscale, deflate, no filter, no interlace
  const signature = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A PNG as a `data:image/png;base64,...` URL. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${toBase64(png)}`;
}
