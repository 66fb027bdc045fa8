/**
 * Image augmentation as Keras's `ImageDataGenerator` does it (Band et al. 2024 train with it): random
 * rotation, width and height shifts, shear, zoom and horizontal flips, drawn per image from a seeded
 * stream and applied to a whole batch as one affine transform (`tf.image.transform`, bilinear, which the
 * wasm backend runs natively), not per pixel in JavaScript.
 *
 * The geometry follows Keras's `apply_affine_transform`: in (row, column) coordinates about the image
 * centre, output pixel o samples the input at `rotation · shift · shear · zoom · o`; the flip comes after.
 * Every range is off by default.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { UserError } from "../errors.ts";

/** Ranges of the random transforms (Keras's names in brackets). All off by default. */
export interface Augmentation {
  /** Maximum rotation in degrees, uniform in [-r, r] (`rotation_range`). */
  rotation: number;
  /** Maximum horizontal shift as a fraction of the width (`width_shift_range`). */
  widthShift: number;
  /** Maximum vertical shift as a fraction of the height (`height_shift_range`). */
  heightShift: number;
  /** Maximum shear angle in degrees (`shear_range`). */
  shear: number;
  /** Zoom factors are uniform in [1 - z, 1 + z] per axis (`zoom_range`). */
  zoom: number;
  /** Flip left-right with probability 1/2 (`horizontal_flip`). */
  horizontalFlip: boolean;
  /**
   * How pixels from outside the image are filled (`fill_mode`, Keras's default "nearest"). tfjs's
   * "reflect" gives different images on the wasm and cpu backends (measured), so it is not offered.
   */
  fillMode: "nearest" | "constant" | "wrap";
  /** The value of `fillMode: "constant"` (`cval`). */
  fillValue: number;
}

/** No transform at all: the defaults every augmentation starts from. */
export const NO_AUGMENTATION: Readonly<Augmentation> = {
  rotation: 0,
  widthShift: 0,
  heightShift: 0,
  shear: 0,
  zoom: 0,
  horizontalFlip: false,
  fillMode: "nearest",
  fillValue: 0,
};

/**
 * Named augmentations a run config can ask for (`augmentation: "<name>"`). Band et al. 2024 (section
 * "Data Augmentation") name rotation "up to 15 degrees", shifts "up to 5-10%", a "small" shear, a zoom
 * and horizontal flips; the values between its ranges are our choice.
 */
export const AUGMENTATIONS: Readonly<Record<string, Augmentation>> = {
  "band2024": {
    ...NO_AUGMENTATION,
    rotation: 15,
    widthShift: 0.1,
    heightShift: 0.1,
    shear: 10,
    zoom: 0.1,
    horizontalFlip: true,
  },
};

/** The augmentation registered under `name`; an unknown name is a user error listing the known ones. */
export function augmentationNamed(name: string): Augmentation {
  const found = Object.hasOwn(AUGMENTATIONS, name) ? AUGMENTATIONS[name] : undefined;
  if (!found) {
    throw new UserError(
      `unknown augmentation "${name}". Fix: use one of ${Object.keys(AUGMENTATIONS).join(", ")}`,
    );
  }
  return found;
}

/** The transform drawn for one image. */
export interface AffineParams {
  /** Degrees, counter-clockwise. */
  rotation: number;
  /** Shift in pixels along rows (down) and columns (right) of the sampling point. */
  rowShift: number;
  colShift: number;
  /** Degrees. */
  shear: number;
  /** Zoom of rows and columns (above 1 samples a wider area: the content shrinks). */
  rowZoom: number;
  colZoom: number;
  flip: boolean;
}

/** The identity transform. */
export const IDENTITY: Readonly<AffineParams> = {
  rotation: 0,
  rowShift: 0,
  colShift: 0,
  shear: 0,
  rowZoom: 1,
  colZoom: 1,
  flip: false,
};

/** Draw one image's transform from `random` (uniform in [0, 1)), as Keras's `get_random_transform`. */
export function drawParams(
  aug: Augmentation,
  height: number,
  width: number,
  random: () => number,
): AffineParams {
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
  return {
    rotation: aug.rotation ? uniform(-aug.rotation, aug.rotation) : 0,
    rowShift: aug.heightShift ? uniform(-aug.heightShift, aug.heightShift) * height : 0,
    colShift: aug.widthShift ? uniform(-aug.widthShift, aug.widthShift) * width : 0,
    shear: aug.shear ? uniform(-aug.shear, aug.shear) : 0,
    rowZoom: aug.zoom ? uniform(1 - aug.zoom, 1 + aug.zoom) : 1,
    colZoom: aug.zoom ? uniform(1 - aug.zoom, 1 + aug.zoom) : 1,
    flip: aug.horizontalFlip ? random() < 0.5 : false,
  };
}

type Matrix = number[][];
const multiply = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));

/**
 * The 8 numbers `tf.image.transform` takes for one image: output (x, y) = (column, row) samples the input
 * at ((a0 x + a1 y + a2), (b0 x + b1 y + b2)).
 */
export function affineTransform(p: AffineParams, height: number, width: number): number[] {
  const rad = Math.PI / 180;
  const [c, s] = [Math.cos(p.rotation * rad), Math.sin(p.rotation * rad)];
  const rotation = [[c, -s, 0], [s, c, 0], [0, 0, 1]];
  const shift = [[1, 0, p.rowShift], [0, 1, p.colShift], [0, 0, 1]];
  const shear = [[1, -Math.sin(p.shear * rad), 0], [0, Math.cos(p.shear * rad), 0], [0, 0, 1]];
  const zoom = [[p.rowZoom, 0, 0], [0, p.colZoom, 0], [0, 0, 1]];
  const [or, oc] = [height / 2 - 0.5, width / 2 - 0.5];
  const centred = multiply(
    multiply([[1, 0, or], [0, 1, oc], [0, 0, 1]], multiply(multiply(multiply(rotation, shift), shear), zoom)),
    [[1, 0, -or], [0, 1, -oc], [0, 0, 1]],
  );
  // (row, col) -> (x = col, y = row)
  let [a0, a1, a2] = [centred[1][1], centred[1][0], centred[1][2]];
  let [b0, b1, b2] = [centred[0][1], centred[0][0], centred[0][2]];
  if (p.flip) {
    // the flipped output's column x is the transformed image's column (width - 1 - x)
    [a2, b2] = [a2 + a0 * (width - 1), b2 + b0 * (width - 1)];
    [a0, b0] = [-a0, -b0];
  }
  return [a0, a1, a2, b0, b1, b2, 0, 0];
}

/**
 * Apply one transform per image to an NHWC batch, in one `tf.image.transform` call. (On the pure-JS cpu
 * backend, tfjs 4.22's Transform kernel applies wrong transforms to every image after the first of a
 * batch (measured: tests/data/augment_test.ts), so there each image is transformed on its own.)
 */
export function applyAffine(
  images: tf.Tensor4D,
  params: readonly AffineParams[],
  fill: Pick<Augmentation, "fillMode" | "fillValue"> = NO_AUGMENTATION,
): tf.Tensor4D {
  const [n, height, width] = images.shape;
  if (params.length !== n) throw new RangeError(`${params.length} transforms for ${n} images`);
  const transform = (x: tf.Tensor4D, ps: readonly AffineParams[]) => {
    const transforms = tf.tensor2d(ps.flatMap((p) => affineTransform(p, height, width)), [ps.length, 8]);
    return tf.image.transform(x, transforms, "bilinear", fill.fillMode, fill.fillValue);
  };
  return tf.tidy(() => {
    if (tf.getBackend() !== "cpu" || n === 1) return transform(images, params);
    const one = (i: number) => transform(tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]), [params[i]]);
    return tf.concat(params.map((_, i) => one(i)));
  });
}

/**
 * Augment a batch: draw each image's transform from `random` and apply them all at once. An augmentation
 * with every range off returns the input itself.
 *
 * @example
 * ```ts
 * const out = augmentBatch(xs, augmentationNamed("band2024"), seededRandom(1));
 * ```
 */
export function augmentBatch(images: tf.Tensor4D, aug: Augmentation, random: () => number): tf.Tensor4D {
  const [n, height, width] = images.shape;
  if (
    !aug.rotation && !aug.widthShift && !aug.heightShift && !aug.shear && !aug.zoom && !aug.horizontalFlip
  ) {
    return images;
  }
  const params = Array.from({ length: n }, () => drawParams(aug, height, width, random));
  return applyAffine(images, params, aug);
}
