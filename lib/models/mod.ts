/**
 * Models: the building blocks of architectures (`spec.ts`: what a model spec is, building one under a
 * framework's defaults, reading back its parameters and layers; `framework_layers.ts`), the reference
 * ImageNet networks one paper compares against (MobileNetV2,
 * MobileNetV3-Large, EfficientNet-B0/B3, VGG19, ResNet-50), rebuilt from their published definitions
 * and listed by name in `REFERENCE_MODELS`, and a multiply-add counter (`complexity.ts`).
 *
 * @module
 */
export * from "./spec.ts";
export { PUBLISHED_COUNTS, type ReferenceModelOptions } from "./reference.ts";
export { mobileNetV2 } from "./mobilenet_v2.ts";
export { HardSigmoid, HardSwish, mobileNetV3Large } from "./mobilenet_v3.ts";
export {
  efficientNet,
  EFFICIENTNET_B0,
  EFFICIENTNET_B3,
  efficientNetB0,
  efficientNetB3,
  type EfficientNetScaling,
} from "./efficientnet.ts";
export { vgg19 } from "./vgg19.ts";
export { resNet50 } from "./resnet50.ts";
export { REFERENCE_MODELS } from "./reference_models.ts";
export { multiplyAdds } from "./complexity.ts";
