/**
 * Computational cost of a model: multiply-adds of one forward pass, the "MAdds" / "FLOPs" column of
 * the MobileNet, EfficientNet and ResNet papers (which count one multiply-add as one operation).
 * Weight size in bytes is `modelSize` in `analysis/deployment.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type Shape = (number | null)[];

/** One call of a layer inside a model: the layer and the shapes it was called with. */
interface Call {
  layer: tf.layers.Layer;
  input: Shape;
  output: Shape;
}

function firstShape(shape: tf.Shape | tf.Shape[]): Shape {
  return (Array.isArray(shape[0]) ? shape[0] : shape) as Shape;
}

/**
 * Every layer call of a model. A functional model lists them as its graph's nodes (so a layer applied
 * twice counts twice); a `tf.Sequential` keeps its graph in an inner model, but its layers form a
 * chain in which each is called once, on the output of the one before.
 */
function callsOf(model: tf.LayersModel): Call[] {
  const nodes = Object.values(model.nodesByDepth).flat();
  if (nodes.length > 0) {
    return nodes.map((n) => ({
      layer: n.outboundLayer,
      input: firstShape(n.inputShapes),
      output: firstShape(n.outputShapes),
    }));
  }
  let previous = model.inputs[0].shape as Shape;
  return model.layers.map((layer) => {
    const call = { layer, input: previous, output: firstShape(layer.outputShape) };
    previous = call.output;
    return call;
  });
}

/** Product of the known dimensions `shape[from..to)`; throws on an unknown one. */
function product(shape: Shape, from: number, to: number, layer: string): number {
  let p = 1;
  for (let i = from; i < to; i++) {
    const d = shape[i];
    if (d == null) {
      throw new Error(`multiplyAdds: layer ${layer} has an unknown dimension in ${JSON.stringify(shape)}`);
    }
    p *= d;
  }
  return p;
}

function kernelArea(kernelSize: unknown): number {
  const k = Array.isArray(kernelSize) ? kernelSize : [kernelSize, kernelSize];
  return (k as number[]).reduce((a, b) => a * b, 1);
}

/** Multiply-adds of one call of one layer, for a single example (batch dimension excluded). */
function callMultiplyAdds({ layer, input, output }: Call): number {
  const kind = layer.getClassName();
  if (!["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense"].includes(kind)) return 0;
  const config = layer.getConfig();
  const channelsFirst = config.dataFormat === "channelsFirst";
  const inChannels = product(
    input,
    channelsFirst ? 1 : input.length - 1,
    channelsFirst ? 2 : input.length,
    layer.name,
  );
  if (kind === "Dense") {
    // Every position of the leading (non-batch, non-feature) axes multiplies a [in, units] matrix.
    return product(output, 1, output.length - 1, layer.name) * inChannels * (config.units as number);
  }
  const positions = channelsFirst
    ? product(output, 2, output.length, layer.name)
    : product(output, 1, output.length - 1, layer.name);
  const area = kernelArea(config.kernelSize);
  if (kind === "Conv2D") return positions * area * inChannels * (config.filters as number);
  // tfjs's SeparableConv2D leaves depthMultiplier out of its config; its depthwise kernel
  // [kh, kw, in, multiplier] holds it.
  const depthwiseKernel = layer.weights.find((w) => /depthwise_kernel$/.test(w.originalName));
  const depthMultiplier = (config.depthMultiplier as number | undefined) ?? depthwiseKernel?.shape[3] ?? 1;
  const depthwise = positions * area * inChannels * depthMultiplier;
  if (kind === "DepthwiseConv2D") return depthwise;
  // SeparableConv2D: the depthwise step, then a 1x1 conv from inChannels * depthMultiplier to filters.
  return depthwise + positions * inChannels * depthMultiplier * (config.filters as number);
}

/**
 * Multiply-adds of one forward pass of `model` for one input example (batch size 1), computed from each
 * layer's config (kernel size, filters, units, depth multiplier) and its input and output shapes:
 *
 * - `Conv2D`: output positions x kernel height x kernel width x input channels x filters;
 * - `DepthwiseConv2D`: output positions x kernel area x input channels x depth multiplier;
 * - `SeparableConv2D`: its depthwise step plus its 1x1 pointwise step;
 * - `Dense`: input features x units (times the positions of any axes between batch and features);
 * - nested models (a `LayersModel` used as a layer): their own multiply-adds, once per call.
 *
 * Everything else counts zero: biases, activations (including hard-swish and sigmoid gates), pooling,
 * batch normalisation, padding, reshapes and element-wise operations (residual adds, the
 * squeeze-and-excitation multiply). That is the convention of the papers' "MAdds" / "FLOPs" columns, and
 * the Keras-layout reference networks land within 2% of their published values (MobileNetV2 300.8M vs
 * 300M, MobileNetV3-Large 216.6M vs 219M, EfficientNet-B0 385.8M vs 390M, EfficientNet-B3 1.83G vs
 * 1.8G, ResNet-50 3.86G vs 3.8G, VGG19 19.63G vs 19.6G); it undercounts networks whose cost is mostly
 * element-wise. A layer applied more than once in a functional model counts once per call. Spatial
 * sizes must be known: a model built for `[null, null, 3]` inputs throws.
 *
 * @example
 * ```ts
 * const model = mobileNetV2();
 * const madds = multiplyAdds(model); // 300,774,272: the "300M" of Sandler et al. 2018, Table 3
 * model.dispose();
 * ```
 */
export function multiplyAdds(model: tf.LayersModel): number {
  let total = 0;
  for (const call of callsOf(model)) {
    total += call.layer instanceof tf.LayersModel ? multiplyAdds(call.layer) : callMultiplyAdds(call);
  }
  return total;
}
