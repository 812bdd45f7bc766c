/**
 * A GPT-NeoX decoder layer's parameters on the backend, in the format its products read, and the torch.nn.Linear
 * product that dispatches on that format. Three formats of a Linear weight [out, in] (torch layout on the host):
 *   - float32 [in, out] (transposed at upload: matMul with transposeB is several times slower on wasm), for the
 *     float32 SIMT product (tf.fused.matMul, ../backend-webgpu-matmul.ts on webgpu);
 *   - float16 bits packed as int32 [out, in / 2], for float16 compute's tensor-core product (../backend-webgpu-f16.ts);
 *   - split float16 parts (int32, marked by isSplitWeight), for float32 compute's split products
 *     (../backend-webgpu-split.ts), chosen per residency (resident for the forward, streamed for recording).
 * Used by ./gpt-neox.ts (GPTNeoX.uploadLayer, loadWeights and the layer's products).
 */
import { tf } from "../backend";
import { headSize, type NeoXConfig } from "../io/config";
import { float32ToHalf } from "../io/host-tensor";
import { gpuKernelsAvailable, widenHalfOnGpu } from "../backend-webgpu-kernels";
import { halfLinear, halfMatMulFits, packHalfWeight, producersPackHalf } from "../backend-webgpu-f16";
import { isSplitWeight, packSplitHalfWeight, packSplitWeight, splitLinear, splitProductFor, type Float32Product, type WeightResidency } from "../backend-webgpu-split";
import type { HeadTensors } from "./attention";
import { paramValues, type LayerSources, type ParamSource } from "./weights";

/** One decoder layer's parameters on the backend (see {@link uploadDecoderLayer}). */
export interface DecoderLayerWeights {
  ln1w: tf.Tensor1D; ln1b: tf.Tensor1D;
  /** Fused [C, 3C] projection (batched attention) ... */
  qkvW?: tf.Tensor2D; qkvB?: tf.Tensor1D;
  /** ... or per head [C, hs] projections (per-head attention). */
  heads?: HeadTensors[];
  denseW: tf.Tensor2D; denseB?: tf.Tensor1D;
  ln2w: tf.Tensor1D; ln2b: tf.Tensor1D;
  fc1W: tf.Tensor2D; fc1B: tf.Tensor1D;
  fc2W: tf.Tensor2D; fc2B: tf.Tensor1D;
}

/** How a model stores its Linear weights: its compute mode and, in float32 compute, the product of this residency. */
export interface LinearWeightFormat {
  compute: "float32" | "float16";
  /** Float32 compute's product for weights of this residency ("simt" in float16 compute). */
  product: Float32Product;
  residency: WeightResidency;
}

/**
 * A torch.nn.Linear weight [out, in] as a tensor [in, out]: matMul with transposeB is several times slower on wasm.
 * Half bits are widened and transposed in one GPU program on webgpu (half the upload, no host widening).
 */
function transposed(q: ParamSource): tf.Tensor2D {
  if ("bits" in q && gpuKernelsAvailable()) return widenHalfOnGpu(q.bits, q.dtype, q.shape, true) as tf.Tensor2D;
  return tf.tidy(() => tf.transpose(tf.tensor2d(paramValues(q), q.shape as [number, number], "float32")));
}

/** A 1-D parameter as a tensor (half bits widened on the GPU on webgpu). */
export function vectorParam(q: ParamSource): tf.Tensor1D {
  if ("bits" in q && gpuKernelsAvailable()) return widenHalfOnGpu(q.bits, q.dtype, q.shape) as tf.Tensor1D;
  return tf.tensor1d(paramValues(q), "float32");
}

/**
 * A Linear weight [out, in] for {@link linear}: in float16 compute (where the kernel fits the shape) its float16
 * bits packed as int32 [out, in / 2] for halfLinear (float32 or bfloat16 weights rounded to float16 first); in
 * float32 compute with split products for weights of this residency (by default on webgpu with float16 subgroup
 * matrices, weights of >= 2^18 entries: src/backend-webgpu-split.ts) split into float16 parts for splitLinear; else
 * float32 [in, out].
 */
export function linearWeight(q: ParamSource, format: LinearWeightFormat): tf.Tensor2D {
  const [N, K] = q.shape as [number, number];
  const residency = format.residency;
  if (splitProductFor(format.product, K, N)) {
    // float16 file bits: widened on the GPU (no host pass, as transposed() does); float16 values split with scale 1.
    if ("bits" in q && q.dtype === "float16" && gpuKernelsAvailable()) return packSplitHalfWeight(widenHalfOnGpu(q.bits, q.dtype, q.shape) as tf.Tensor2D, { residency });
    return packSplitWeight(paramValues(q), [N, K], { residency });
  }
  if (format.compute !== "float16" || !halfMatMulFits(K, N)) return transposed(q);
  return packHalfWeight("bits" in q && q.dtype === "float16" ? q.bits : float32ToHalf(paramValues(q)), [N, K]);
}

/**
 * Uploads one decoder layer's parameters: the fused qkv projection for batched attention, or per-head [C, hs]
 * projections (float32) for per-head attention. Free with {@link disposeDecoderLayer}.
 */
export function uploadDecoderLayer(config: NeoXConfig, l: LayerSources, perHead: boolean, format: LinearWeightFormat): DecoderLayerWeights {
  const opt1 = (q: ParamSource | undefined): tf.Tensor1D | undefined => (q ? vectorParam(q) : undefined);
  const hs = headSize(config);
  const C = config.hiddenSize;
  /** Rows [offset, offset + hs) of the fused qkv weight ([3C, C], torch layout) as a [C, hs] tensor, and its bias. */
  const rowsT = (q: Float32Array, offset: number): tf.Tensor2D => tf.tidy(() => tf.transpose(tf.tensor2d(q.subarray(offset * C, (offset + hs) * C), [hs, C])));
  const bias = (q: Float32Array | undefined, offset: number): tf.Tensor1D | undefined => (q ? tf.tensor1d(q.subarray(offset, offset + hs)) : undefined);
  const heads = (): HeadTensors[] => {
    const qkv = paramValues(l.qkvWeight);
    const qkvB = l.qkvBias ? paramValues(l.qkvBias) : undefined;
    return Array.from({ length: config.numHeads }, (_, h) => {
      const o = 3 * hs * h; // per head [q | k | v]
      return {
        qW: rowsT(qkv, o), kW: rowsT(qkv, o + hs), vW: rowsT(qkv, o + 2 * hs),
        qB: bias(qkvB, o), kB: bias(qkvB, o + hs), vB: bias(qkvB, o + 2 * hs),
      };
    });
  };
  return {
    ln1w: vectorParam(l.ln1Weight), ln1b: vectorParam(l.ln1Bias),
    ...(perHead ? { heads: heads() } : { qkvW: linearWeight(l.qkvWeight, format), qkvB: opt1(l.qkvBias) }),
    denseW: linearWeight(l.denseWeight, format), denseB: opt1(l.denseBias),
    ln2w: vectorParam(l.ln2Weight), ln2b: vectorParam(l.ln2Bias),
    fc1W: linearWeight(l.fc1Weight, format), fc1B: vectorParam(l.fc1Bias),
    fc2W: linearWeight(l.fc2Weight, format), fc2B: vectorParam(l.fc2Bias),
  };
}

/** Frees a layer's tensors made by {@link uploadDecoderLayer}. */
export function disposeDecoderLayer(layer: DecoderLayerWeights): void {
  const { heads, ...rest } = layer;
  const all: (tf.Tensor | undefined)[] = Object.values(rest);
  for (const h of heads ?? []) all.push(...Object.values(h));
  tf.dispose(all.filter((t): t is tf.Tensor => t !== undefined));
}

/**
 * torch.nn.Linear: x [N, in] @ Wt [in, out] + b, with Wt in one of the formats of {@link linearWeight}. (Never
 * tf.fused.matMul with transposeB and a bias: the wasm backend of tfjs 4.22 returns wrong values for it.)
 */
export function linear(x: tf.Tensor2D, Wt: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (isSplitWeight(Wt)) return splitLinear(x, Wt, b); // float32 split into float16 parts by linearWeight
  if (Wt.dtype === "int32") return halfLinear(x, Wt, b); // float16 bits from linearWeight
  // Without a bias (the unembedding) the plain product, which the parity fixtures were first matched with on wasm.
  return b ? (tf.fused.matMul({ a: x, b: Wt, bias: b }) as tf.Tensor2D) : tf.matMul(x, Wt);
}

/**
 * Whether a Linear weight is float16 compute's (float16 bits for halfLinear, not a split float32 weight) and its
 * activations are packed to float16 before the product: then the program making them (fused LayerNorm, GELU, flash
 * attention) writes float16 bits itself, one dispatch fewer per product (halfLinear takes them as they are), unless
 * MASSIVE_WEBGPU_F16_PACK=separate (producersPackHalf).
 */
export function takesHalf(Wt: tf.Tensor2D | undefined): boolean {
  return Wt !== undefined && Wt.dtype === "int32" && !isSplitWeight(Wt) && producersPackHalf();
}
