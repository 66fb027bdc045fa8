/**
 * oneDNN's 2-D convolution for training: forward (with bias and ReLU when fused), backward-data and
 * backward-weights, on NHWC data and HWIO filters as tfjs lays them out; the filter's layout inside
 * oneDNN is left to oneDNN (its direct kernels want a blocked one: dense HWIO gets im2col and gemm,
 * 2-3x slower here), with reorders around each call.
 *
 * @module
 */
import type { ConvPrimitives, ConvShape } from "./onednn.ts";
import {
  ARG,
  check,
  CONVOLUTION_DIRECT,
  FORWARD_INFERENCE,
  FORWARD_TRAINING,
  MEMORY_DESC_BYTES,
  OP_DESC_BYTES,
  QUERY_DIFF_DST_MD,
  QUERY_DIFF_SRC_MD,
  QUERY_DIFF_WEIGHTS_MD,
  QUERY_DST_MD,
  QUERY_SRC_MD,
  QUERY_WEIGHTS_MD,
  type Session,
  TAG_A,
  TAG_ANY,
  TAG_HWIO,
  TAG_NHWC,
} from "./onednn_ffi.ts";

/** Build the three passes of one convolution (the backward ones on first use). */
export function makeConv(session: Session, g: ConvShape): ConvPrimitives {
  const { dnnl, memoryDesc, build, reluAttr, dims } = session;
  const src = memoryDesc([g.batch, g.inC, g.inH, g.inW], TAG_NHWC);
  const dst = memoryDesc([g.batch, g.outC, g.outH, g.outW], TAG_NHWC);
  const weights = memoryDesc([g.outC, g.inC, g.kh, g.kw], TAG_HWIO);
  // The filter's layout is left to oneDNN (its direct kernels want a blocked one; dense HWIO gets gemm).
  const anyWeights = memoryDesc([g.outC, g.inC, g.kh, g.kw], TAG_ANY);
  const bias = memoryDesc([g.outC], TAG_A);
  const noBias = new Uint8Array(MEMORY_DESC_BYTES); // all zeros: no bias
  const strides = dims([g.strideH, g.strideW]);
  const padL = dims([g.padTop, g.padLeft]);
  const padR = dims([g.padBottom, g.padRight]);

  /** A forward descriptor: the one the forward pass runs, or (training, no bias) the backward passes' hint. */
  const forwardDesc = (prop: number, withBias: boolean) => {
    const desc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_convolution_forward_desc_init(
        desc,
        prop,
        CONVOLUTION_DIRECT,
        src,
        anyWeights,
        withBias ? bias : noBias,
        dst,
        strides,
        padL,
        padR,
      ),
      "convolution_forward_desc_init",
    );
    return desc;
  };
  const fwdDesc = forwardDesc(g.relu ? FORWARD_INFERENCE : FORWARD_TRAINING, g.bias);
  const forward = build(fwdDesc, g.relu ? reluAttr() : null, null, [
    { arg: ARG.src, md: src, query: QUERY_SRC_MD },
    { arg: ARG.weights, md: weights, query: QUERY_WEIGHTS_MD, direction: "in" },
    ...(g.bias ? [{ arg: ARG.bias, md: bias }] : []),
    { arg: ARG.dst, md: dst, query: QUERY_DST_MD },
  ]);

  let backward: Pick<ConvPrimitives, "backwardData" | "backwardWeights" | "implementations"> | null = null;
  const ensureBackward = () => {
    if (backward !== null) return backward;
    const hintDesc = forwardDesc(FORWARD_TRAINING, false);
    const hint = session.primitiveDesc(hintDesc);
    const dataDesc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_convolution_backward_data_desc_init(
        dataDesc,
        CONVOLUTION_DIRECT,
        src,
        anyWeights,
        dst,
        strides,
        padL,
        padR,
      ),
      "convolution_backward_data_desc_init",
    );
    const data = build(dataDesc, null, hint, [
      { arg: ARG.diffDst, md: dst, query: QUERY_DIFF_DST_MD },
      { arg: ARG.weights, md: weights, query: QUERY_WEIGHTS_MD, direction: "in" },
      { arg: ARG.diffSrc, md: src, query: QUERY_DIFF_SRC_MD },
    ]);
    const weightsDesc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_convolution_backward_weights_desc_init(
        weightsDesc,
        CONVOLUTION_DIRECT,
        src,
        anyWeights,
        noBias,
        dst,
        strides,
        padL,
        padR,
      ),
      "convolution_backward_weights_desc_init",
    );
    const wgrad = build(weightsDesc, null, hint, [
      { arg: ARG.src, md: src, query: QUERY_SRC_MD },
      { arg: ARG.diffDst, md: dst, query: QUERY_DIFF_DST_MD },
      { arg: ARG.diffWeights, md: weights, query: QUERY_DIFF_WEIGHTS_MD, direction: "out" },
    ]);
    backward = {
      backwardData: (dy, filter, dx) => data.run(dy, filter, dx),
      backwardWeights: (x, dy, dFilter) => wgrad.run(x, dy, dFilter),
      implementations: { forward: forward.impl, backwardData: data.impl, backwardWeights: wgrad.impl },
    };
    return backward;
  };

  return {
    forward: (x, filter, b, y) => (g.bias ? forward.run(x, filter, b, y) : forward.run(x, filter, y)),
    backwardData: (dy, filter, dx) => ensureBackward().backwardData(dy, filter, dx),
    backwardWeights: (x, dy, dFilter) => ensureBackward().backwardWeights(x, dy, dFilter),
    get implementations() {
      return ensureBackward().implementations;
    },
  };
}
