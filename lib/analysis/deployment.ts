/**
 * Deployment numbers a paper may claim: weight size in memory and on disk, and inference latency
 * on this machine (Abdul Aziz & Sayed, sections 5 and 5.2).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Bytes of a model's weights as float32, and of its saved form (topology JSON + weights). */
export async function modelSize(model: tf.LayersModel): Promise<{ weightBytes: number; savedBytes: number }> {
  let savedBytes = 0;
  let weightBytes = 0;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    const data = artifacts.weightData;
    weightBytes = data instanceof ArrayBuffer
      ? data.byteLength
      : (data ?? []).reduce((n, b) => n + b.byteLength, 0);
    savedBytes = weightBytes + new TextEncoder().encode(JSON.stringify({
      modelTopology: artifacts.modelTopology,
      weightSpecs: artifacts.weightSpecs,
    })).length;
    return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } });
  }));
  return { weightBytes, savedBytes };
}

/**
 * Median milliseconds to predict one batch of `batch` random inputs of `shape` (per image when
 * batch is 1), after `warmup` untimed runs.
 */
export function inferenceLatency(
  model: tf.LayersModel,
  shape: number[],
  options: { batch?: number; runs?: number; warmup?: number } = {},
): { msPerBatch: number; msPerImage: number; imagesPerSecond: number } {
  const batch = options.batch ?? 1;
  const x = tf.randomUniform([batch, ...shape], 0, 1, "float32", 1);
  const once = () => {
    const t0 = performance.now();
    const y = model.predict(x) as tf.Tensor;
    y.dataSync();
    y.dispose();
    return performance.now() - t0;
  };
  for (let i = 0; i < (options.warmup ?? 3); i++) once();
  const times = Array.from({ length: options.runs ?? 20 }, once).sort((a, b) => a - b);
  x.dispose();
  const msPerBatch = times[Math.floor(times.length / 2)];
  return { msPerBatch, msPerImage: msPerBatch / batch, imagesPerSecond: (1000 * batch) / msPerBatch };
}
