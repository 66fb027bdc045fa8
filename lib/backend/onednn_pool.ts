/**
 * oneDNN's pooling gradients (NHWC). Max: the forward pass is run again to fill the workspace that
 * records where each window's maximum was, then the backward pass routes dy there (to the first
 * maximum of a window, as tfjs's cpu backend does). Average: dy spread evenly over each window, divided
 * by the window's full size even where it overlaps padding (as tfjs's cpu `AvgPoolGrad` does).
 *
 * @module
 */
import type { PoolBackward, PoolShape } from "./onednn.ts";
import {
  ARG,
  check,
  FORWARD_TRAINING,
  OP_DESC_BYTES,
  POOLING_MAX,
  QUERY_DIFF_DST_MD,
  QUERY_DIFF_SRC_MD,
  QUERY_SRC_MD,
  QUERY_WORKSPACE_MD,
  type Session,
  TAG_NHWC,
} from "./onednn_ffi.ts";

/** oneDNN's pooling algorithms: max, and average counting padded positions in the divisor. */
const ALGORITHMS = { max: POOLING_MAX, avg: 0x2ff } as const;

/** Build a pooling's backward pass for one shape. */
export function makePoolBackward(session: Session, g: PoolShape, kind: "max" | "avg"): PoolBackward {
  const { dnnl, memoryDesc, ownedMemory, build, dims } = session;
  const src = memoryDesc([g.batch, g.channels, g.inH, g.inW], TAG_NHWC);
  const dst = memoryDesc([g.batch, g.channels, g.outH, g.outW], TAG_NHWC);
  const strides = dims([g.strideH, g.strideW]);
  const kernel = dims([g.kh, g.kw]);
  const dilation = dims([0, 0]);
  const padL = dims([g.padTop, g.padLeft]);
  const padR = dims([g.padBottom, g.padRight]);
  const fwdDesc = new Uint8Array(OP_DESC_BYTES);
  check(
    dnnl.dnnl_pooling_v2_forward_desc_init(
      fwdDesc,
      FORWARD_TRAINING,
      ALGORITHMS[kind],
      src,
      dst,
      strides,
      kernel,
      dilation,
      padL,
      padR,
    ),
    "pooling_v2_forward_desc_init",
  );
  const fwdPd = session.primitiveDesc(fwdDesc);
  const keep: unknown[] = [fwdDesc];
  if (kind === "avg") {
    const average = build(bwdDescFor(), null, fwdPd, [
      { arg: ARG.diffDst, md: dst, query: QUERY_DIFF_DST_MD },
      { arg: ARG.diffSrc, md: src, query: QUERY_DIFF_SRC_MD },
    ]);
    return { backward: (_x, dy, dx) => average.run(dy, dx), implementation: average.impl };
  }
  // Max pooling's backward pass reads where each maximum was from the forward pass's workspace;
  // the forward pass is run again (into a scratch output) to fill it.
  const workspace = ownedMemory(dnnl.dnnl_primitive_desc_query_md(fwdPd, QUERY_WORKSPACE_MD, 0), keep);
  const scratchDst = ownedMemory(Deno.UnsafePointer.of(dst), keep);
  const forward = build(fwdDesc, null, null, [
    { arg: ARG.src, md: src, query: QUERY_SRC_MD },
    { arg: ARG.dst, fixed: scratchDst },
    { arg: ARG.workspace, fixed: workspace },
  ]);
  function bwdDescFor(): Uint8Array<ArrayBuffer> {
    const bwdDesc = new Uint8Array(OP_DESC_BYTES);
    check(
      dnnl.dnnl_pooling_v2_backward_desc_init(
        bwdDesc,
        ALGORITHMS[kind],
        src,
        dst,
        strides,
        kernel,
        dilation,
        padL,
        padR,
      ),
      "pooling_v2_backward_desc_init",
    );
    return bwdDesc;
  }
  const backward = build(bwdDescFor(), null, fwdPd, [
    { arg: ARG.diffDst, md: dst, query: QUERY_DIFF_DST_MD },
    { arg: ARG.diffSrc, md: src, query: QUERY_DIFF_SRC_MD },
    { arg: ARG.workspace, fixed: workspace },
  ]);
  return {
    backward(x, dy, dx) {
      forward.run(x);
      backward.run(dy, dx);
      void keep;
    },
    implementation: backward.impl,
  };
}
