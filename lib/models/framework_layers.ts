/**
 * The layers the paper models are built from, with the defaults of the framework being built for:
 * Keras's (glorot_uniform kernels, a softmax head read from its logits), PyTorch's (kaiming_uniform), or
 * tfjs's own. {@link withFramework} sets the framework for one synchronous build.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

export const INPUT: [number, number, number] = [28, 28, 1];

/** The frameworks the papers used: Keras on TensorFlow, or PyTorch. */
export type Framework = "keras" | "pytorch";
/** Every framework. */
export const FRAMEWORKS: readonly Framework[] = ["keras", "pytorch"];

/**
 * The framework whose defaults the model being built follows (set by {@link withFramework} only, for the
 * duration of one synchronous build); undefined: tfjs's own defaults, as every run stored before the
 * framework defaults were adopted was built.
 */
let building: Framework | undefined;

/** Run a synchronous build with `framework`'s defaults (undefined: tfjs's). */
export function withFramework<T>(framework: Framework | undefined, build: () => T): T {
  building = framework;
  try {
    return build();
  } finally {
    building = undefined;
  }
}

/**
 * Kernel initialiser by framework. Keras: `glorot_uniform`; tfjs's default is `glorotNormal` (not
 * truncation-rescaled, so 0.86-0.90x Keras's spread). Biases start at zero in both. PyTorch layers pass
 * their own ({@link torchInit}).
 */
const kernelDefaults = () => building === "keras" ? { kernelInitializer: "glorotUniform" as const } : {};

export type ConvArgs = Parameters<typeof tf.layers.conv2d>[0];
/** A ReLU convolution, 'valid' padding unless `extra` says otherwise. */
export const conv = (filters: number, kernel: number, extra: Partial<ConvArgs> = {}) =>
  tf.layers.conv2d({
    filters,
    kernelSize: kernel,
    activation: "relu",
    padding: "valid",
    ...kernelDefaults(),
    ...extra,
  });
/** 2x2 max-pooling, stride 2. */
export const pool = () => tf.layers.maxPooling2d({ poolSize: 2, strides: 2 });
/** A dense layer, ReLU unless told otherwise. */
export const dense = (units: number, activation: "relu" | "softmax" | "linear" = "relu", extra = {}) =>
  tf.layers.dense({ units, activation, ...kernelDefaults(), ...extra });
/**
 * A Keras paper's classifier head, `Dense(10, activation="softmax")`. Under Keras's defaults it is built as
 * a linear Dense and a separate softmax layer: the same outputs, and training reads the scores before the
 * softmax, as Keras's cross-entropy does (TensorFlow computes it from the logits behind a softmax).
 */
export const head = (): tf.layers.Layer[] =>
  building === "keras"
    ? [dense(10, "linear"), tf.layers.activation({ activation: "softmax" })]
    : [dense(10, "softmax")];
/** The first layer's input shape. */
export const first = { inputShape: INPUT };

/**
 * PyTorch's default initialisation for Conv2d and Linear (kaiming_uniform with a = sqrt(5)):
 * weights and biases both uniform in +-1/sqrt(fan_in). Used for Tang et al., which used PyTorch.
 */
export function torchInit(fanIn: number) {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    kernelInitializer: tf.initializers.varianceScaling({
      scale: 1 / 3,
      mode: "fanIn",
      distribution: "uniform",
    }),
    biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
  };
}
