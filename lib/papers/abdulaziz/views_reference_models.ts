/**
 * What notebooks show about networks rather than runs: a small model beside the reference ImageNet
 * networks a paper compares it with (parameters, multiply-adds, float32 size, latency on this CPU).
 *
 * @module
 */
import { initBackend } from "../../backend/select.ts";
import { countParams } from "../../models/spec.ts";
import { buildModel } from "../registry.ts";
import { REFERENCE_MODELS } from "../../models/reference_models.ts";
import { PUBLISHED_COUNTS } from "../../models/reference.ts";
import { multiplyAdds } from "../../models/complexity.ts";
import { inferenceLatency } from "../../analysis/deployment.ts";
import { storedMeasurement } from "../../analysis/measurements.ts";
import { showTable } from "../../presentation/notebook.ts";

const KERAS_COUNTS: Record<string, number> = {
  "mobilenet-v2": PUBLISHED_COUNTS.mobileNetV2,
  "mobilenet-v3-large": PUBLISHED_COUNTS.mobileNetV3Large,
  "efficientnet-b0": PUBLISHED_COUNTS.efficientNetB0,
  "efficientnet-b3": PUBLISHED_COUNTS.efficientNetB3,
  vgg19: PUBLISHED_COUNTS.vgg19,
  resnet50: PUBLISHED_COUNTS.resNet50,
};

/**
 * A registry model (28x28x1) beside the reference networks: our parameter count, the published Keras
 * count, the paper's figure (`stated`, by name), multiply-adds, float32 megabytes, and milliseconds per
 * image on this CPU (measured once and stored as `<measurement>`; `deno task figures:remeasure` again).
 */
export async function showReferenceModels(
  ours: string,
  stated: Record<string, string>,
  measurement: string,
): Promise<void> {
  const backend = (await initBackend()).name;
  const builders: [
    string,
    () => ReturnType<typeof buildModel> | ReturnType<typeof REFERENCE_MODELS[string]>,
  ][] = [
    [ours, () => buildModel(ours)],
    ...Object.entries(REFERENCE_MODELS),
  ];
  const described = builders.map(([name, build]) => {
    const model = build();
    const shape = model.inputs[0].shape.slice(1) as number[];
    const row = { name, shape, params: countParams(model).total, macs: multiplyAdds(model) };
    model.dispose();
    return row;
  });
  const timed = await storedMeasurement(
    measurement,
    backend,
    () =>
      Object.fromEntries(builders.map(([name, build]) => {
        const model = build();
        const ms = inferenceLatency(
          model,
          described.find((d) => d.name === name)!.shape,
          { runs: 3, warmup: 1 },
        )
          .msPerImage;
        model.dispose();
        return [name, ms];
      })),
  );
  await showTable(
    described.map((d) => ({
      model: d.name,
      input: d.shape.join("x"),
      parameters: d.params,
      "Keras count": KERAS_COUNTS[d.name] ?? null,
      "paper (Table 2)": stated[d.name] ?? "",
      "multiply-adds (M)": Math.round(d.macs / 1e6),
      "float32 MB": Number((4 * d.params / 1e6).toFixed(1)),
      "ms per image": Number(timed.value[d.name].toFixed(1)),
    })),
    {
      digits: 1,
      caption:
        `Random weights (no ImageNet weights here), one image at a time on this CPU (${timed.machine}), ` +
        `measured ${timed.measuredOn}`,
    },
  );
}
