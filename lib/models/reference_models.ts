/**
 * The reference ImageNet networks that Abdul Aziz & Sayed's Table 2 compares with, by name: each entry
 * builds a fresh, randomly initialised Keras-layout model with the 1000-class top at its default input
 * size (224, or 300 for EfficientNet-B3). The caller owns the model and must `dispose()` it.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { efficientNetB0, efficientNetB3 } from "./efficientnet.ts";
import { mobileNetV2 } from "./mobilenet_v2.ts";
import { mobileNetV3Large } from "./mobilenet_v3.ts";
import { resNet50 } from "./resnet50.ts";
import { vgg19 } from "./vgg19.ts";

/**
 * Builders of the reference networks, keyed by name. Parameter counts (Keras Applications,
 * `include_top=True`, in `PUBLISHED_COUNTS`): mobilenet-v2 3,538,984; mobilenet-v3-large 5,507,432;
 * efficientnet-b0 5,330,571; efficientnet-b3 12,320,535; vgg19 143,667,240; resnet50 25,636,712.
 *
 * @example
 * ```ts
 * for (const [name, build] of Object.entries(REFERENCE_MODELS)) {
 *   const model = build();
 *   console.log(name, model.countParams(), multiplyAdds(model));
 *   model.dispose();
 * }
 * ```
 */
export const REFERENCE_MODELS: Record<string, () => tf.LayersModel> = {
  "mobilenet-v2": () => mobileNetV2(),
  "mobilenet-v3-large": () => mobileNetV3Large(),
  "efficientnet-b0": () => efficientNetB0(),
  "efficientnet-b3": () => efficientNetB3(),
  "vgg19": () => vgg19(),
  "resnet50": () => resNet50(),
};
