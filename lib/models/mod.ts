/**
 * Models: every architecture of the five papers by name, with its source and parameter counts
 * (`registry.ts`), and the reference ImageNet networks one paper compares against (MobileNetV2,
 * EfficientNet-B0), rebuilt from their published definitions.
 *
 * @module
 */
export * from "./registry.ts";
export { PUBLISHED_COUNTS, type ReferenceModelOptions } from "./reference.ts";
export { mobileNetV2 } from "./mobilenet_v2.ts";
export { efficientNetB0 } from "./efficientnet_b0.ts";
