import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { DataFileError, encodeIdx, parseIdx } from "../../lib/data/idx.ts";
import {
  CLASS_NAMES,
  downloadVerified,
  FILES,
  type FileSpec,
  loadFashionMnist,
  readVerified,
  sha256Hex,
  SYSTEM_DIR,
  verifyGzip,
} from "../../lib/data/fashion_mnist.ts";

const FIX = "Fix: test";

/** A tiny, valid labels file and the spec that matches it. */
function tinyLabels(labels = [0, 1, 2, 9]) {
  const raw = encodeIdx([labels.length], Uint8Array.from(labels));
  const spec: FileSpec = { name: "tiny-labels-idx1-ubyte.gz", dims: [labels.length], sha256: sha256Hex(raw) };
  return { raw, gz: new Uint8Array(gzipSync(raw)), spec };
}

/** A tiny, valid images file (2 images of 3x3) and its spec. */
function tinyImages() {
  const raw = encodeIdx([2, 3, 3], Uint8Array.from({ length: 18 }, (_, i) => i * 10));
  const spec: FileSpec = { name: "tiny-images-idx3-ubyte.gz", dims: [2, 3, 3], sha256: sha256Hex(raw) };
  return { raw, gz: new Uint8Array(gzipSync(raw)), spec };
}

function assertDataError(fn: () => unknown, pattern: RegExp, file?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFileError, `expected DataFileError, got ${e}`);
    assert.match(e.message, pattern);
    assert.match(e.message, /Fix:/);
    if (file) assert.equal(e.file, file);
    return true;
  });
}

Deno.test("parseIdx reads dims and payload and round-trips encodeIdx", () => {
  const { raw } = tinyImages();
  const { dims, data } = parseIdx(raw, "x", FIX);
  assert.deepEqual(dims, [2, 3, 3]);
  assert.equal(data.length, 18);
  assert.equal(data[17], 170);
});

Deno.test("verifyGzip accepts a good file and returns its payload", () => {
  const { gz, spec } = tinyLabels();
  assert.deepEqual(Array.from(verifyGzip(gz, spec, "good.gz", FIX)), [0, 1, 2, 9]);
});

Deno.test("verifyGzip: a truncated gzip names the file and says it was cut short", () => {
  const { gz, spec } = tinyImages();
  assertDataError(
    () => verifyGzip(gz.subarray(0, gz.length - 12), spec, "cut.gz", FIX),
    /truncated/,
    "cut.gz",
  );
});

Deno.test("verifyGzip: bytes that are not gzip are rejected", () => {
  const { raw, spec } = tinyImages();
  assertDataError(() => verifyGzip(raw, spec, "plain.gz", FIX), /not a valid gzip/, "plain.gz");
});

Deno.test("verifyGzip: a wrong magic number is reported in hex", () => {
  const { raw, spec } = tinyImages();
  const bad = raw.slice();
  bad[2] = 0x0d; // float type code instead of unsigned byte
  assertDataError(
    () => verifyGzip(new Uint8Array(gzipSync(bad)), spec, "magic.gz", FIX),
    /magic number 0x00000d03/,
  );
});

Deno.test("verifyGzip: a wrong count (dimensions) is reported before the checksum", () => {
  const { spec } = tinyLabels();
  const other = encodeIdx([3], Uint8Array.from([0, 1, 2]));
  assertDataError(
    () => verifyGzip(new Uint8Array(gzipSync(other)), spec, "count.gz", FIX),
    /dimensions 3 but .* must have 4/,
  );
});

Deno.test("verifyGzip: a payload shorter than its header says is rejected", () => {
  const { raw, spec } = tinyImages();
  const short = raw.subarray(0, raw.length - 1);
  assertDataError(
    () => verifyGzip(new Uint8Array(gzipSync(short)), spec, "short.gz", FIX),
    /payload is 17 bytes/,
  );
});

Deno.test("verifyGzip: a changed pixel fails the SHA-256 check", () => {
  const { raw, spec } = tinyImages();
  const bad = raw.slice();
  bad[bad.length - 1] ^= 1;
  assertDataError(() => verifyGzip(new Uint8Array(gzipSync(bad)), spec, "sum.gz", FIX), /checksum mismatch/);
});

Deno.test("verifyGzip: a label outside 0-9 is rejected", () => {
  const raw = encodeIdx([2], Uint8Array.from([3, 12]));
  const spec: FileSpec = { name: "l.gz", dims: [2], sha256: sha256Hex(raw) };
  assertDataError(() => verifyGzip(new Uint8Array(gzipSync(raw)), spec, "l.gz", FIX), /label 12 at index 1/);
});

Deno.test("loadFashionMnist: an explicit directory without the files is an error naming the file and the fix", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(loadFashionMnist({ dir }), (e: unknown) => {
      assert.ok(e instanceof DataFileError);
      assert.match(e.message, new RegExp(`${dir}/.*idx.*ubyte\\.gz: file not found`));
      assert.match(e.message, /FMNIST_DATA_DIR/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readVerified: a data file that is a directory is an error naming it, not a stack trace", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/train-images-idx3-ubyte.gz`);
    await assert.rejects(
      readVerified(`${dir}/train-images-idx3-ubyte.gz`, FILES.trainImages, "Fix: put the file there"),
      (e: unknown) => {
        assert.ok(e instanceof DataFileError);
        assert.match(
          e.message,
          /train-images-idx3-ubyte\.gz: is a directory, not the gzip file\. Fix: put the file there/,
        );
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFashionMnist: with download off and nothing cached, it says how to get the data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      loadFashionMnist({ cacheDir: dir, systemDir: `${dir}/none`, download: false }),
      /not found in .*dataset-fashion-mnist/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFashionMnist: a corrupt file in the cache is an error, never silently used", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { gz } = tinyLabels();
    for (const spec of Object.values(FILES)) await Deno.writeFile(`${dir}/${spec.name}`, gz);
    await assert.rejects(loadFashionMnist({ cacheDir: dir, download: false }), /dimensions 4 but .*delete/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- downloads, against a local HTTP server on 127.0.0.1 ----

/** Serve `routes` (path -> body or status) on 127.0.0.1; returns the base URL and a closer. */
function serve(routes: Record<string, Uint8Array | number>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const route = routes[new URL(req.url).pathname.slice(1)];
    if (route === undefined) return new Response("not found", { status: 404 });
    if (typeof route === "number") return new Response("error", { status: route });
    return new Response(new Uint8Array(route));
  });
  return { base: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("download: a good file is verified and renamed into place, with no partial left", async () => {
  const { gz, spec } = tinyLabels();
  const server = serve({ [spec.name]: gz });
  const dir = await Deno.makeTempDir();
  try {
    const { path, payload } = await downloadVerified(server.base, spec, dir, { log: () => {} });
    assert.equal(path, `${dir}/${spec.name}`);
    assert.deepEqual(Array.from(payload), [0, 1, 2, 9]);
    assert.deepEqual(await listDir(dir), [spec.name]);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

for (
  const [what, body, pattern] of [
    ["a corrupt file (checksum mismatch)", "corrupt", /checksum mismatch/],
    ["a truncated file", "truncated", /truncated/],
    ["an HTTP error", 404, /HTTP 404/],
  ] as const
) {
  Deno.test(`download: ${what} is an error and leaves nothing behind`, async () => {
    const { gz, raw, spec } = tinyImages();
    const bad = raw.slice();
    bad[bad.length - 1] ^= 1;
    const served = body === "corrupt"
      ? new Uint8Array(gzipSync(bad))
      : body === "truncated"
      ? gz.subarray(0, gz.length - 10)
      : body;
    const server = serve({ [spec.name]: served });
    const dir = await Deno.makeTempDir();
    try {
      await assert.rejects(downloadVerified(server.base, spec, dir, { log: () => {} }), (e: unknown) => {
        assert.ok(e instanceof DataFileError);
        assert.match(e.message, pattern);
        assert.ok(e.message.includes(`${server.base}${spec.name}`), "the error names the URL");
        assert.match(e.message, /Fix:.*dataset-fashion-mnist/);
        return true;
      });
      assert.deepEqual(await listDir(dir), []);
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("download: an unreachable mirror is an error that says so and leaves nothing behind", async () => {
  const { spec } = tinyLabels();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close(); // nothing listens there now
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      downloadVerified(`http://127.0.0.1:${port}/`, spec, dir, { log: () => {} }),
      /mirror unreachable.*Fix: check your internet connection/,
    );
    assert.deepEqual(await listDir(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- the real dataset (installed by .ci/run from Debian's dataset-fashion-mnist) ----

const hasSystemData = await Deno.stat(`${SYSTEM_DIR}/${FILES.trainImages.name}`).then(
  () => true,
  () => false,
);

Deno.test({
  name: "loadFashionMnist: the real dataset loads with the expected counts and balanced classes",
  ignore: !hasSystemData,
  async fn() {
    const data = await loadFashionMnist({ cacheDir: "/nonexistent-cache" });
    assert.equal(data.train.count, 60000);
    assert.equal(data.test.count, 10000);
    assert.equal(data.train.images.length, 60000 * 784);
    assert.equal(data.test.labels.length, 10000);
    const counts = new Array(CLASS_NAMES.length).fill(0);
    for (const l of data.train.labels) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(6000));
  },
});

Deno.test({
  name: "loadFashionMnist: downloads all four real files from a mirror into an empty cache",
  ignore: !hasSystemData,
  async fn() {
    const routes: Record<string, Uint8Array> = {};
    for (const spec of Object.values(FILES)) {
      routes[spec.name] = await Deno.readFile(`${SYSTEM_DIR}/${spec.name}`);
    }
    const server = serve(routes);
    const cacheDir = await Deno.makeTempDir();
    try {
      const data = await loadFashionMnist({
        cacheDir,
        systemDir: `${cacheDir}/absent`,
        mirror: server.base,
        log: () => {},
      });
      assert.equal(data.test.count, 10000);
      const order = [FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels];
      assert.deepEqual(data.sources, order.map((s) => `${cacheDir}/${s.name}`));
      assert.deepEqual(await listDir(cacheDir), Object.values(FILES).map((s) => s.name).sort());
    } finally {
      await server.close();
      await Deno.remove(cacheDir, { recursive: true });
    }
  },
});
