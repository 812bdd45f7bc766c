/**
 * LayerNorm, the scaled causal softmax of attention and exact GELU for training: one custom kernel each way on WebGPU
 * (src/backend-webgpu-train.ts, tf.customGrad), the composite TF.js ops everywhere else, so that wasm and cpu compute
 * exactly as before. On WebGPU a composite LayerNorm is about 9 kernels forward and 20 backward, the masked softmax
 * about 7 and 8, GELU 5 and 10: in a training update of small shapes the GPU waits on those dispatches
 * (docs/train.md, "Speed"). test/train/fused-kernels.test.ts compares both paths on the device.
 */
import { tf } from "../backend";
import * as kernels from "../backend-webgpu-train";
import { activation } from "../model/gpt-neox";

export { trainKernelsActive } from "../backend-webgpu-train";

type Inputs = (tf.Tensor | tf.GradSaveFunc)[];

/** torch.nn.LayerNorm over the last axis, composite: (x - mean) / sqrt(var + eps) * w + b, biased variance. */
export function layerNormComposite(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), w), b) as tf.Tensor2D;
}

/** LayerNorm of x [rows, C] with weight and bias [C]: the kernels on WebGPU, {@link layerNormComposite} elsewhere. */
export function layerNorm(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D {
  if (!kernels.trainKernelsActive()) return layerNormComposite(x, w, b, eps);
  const op = tf.customGrad((...inputs: Inputs) => {
    const [xi, wi, bi, save] = inputs as [tf.Tensor2D, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const stats = kernels.layerNormStats(xi, eps);
    save([xi, stats, wi]);
    return {
      value: kernels.layerNormApply(xi, stats, wi, bi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, st, ws] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor];
        const d = dy as tf.Tensor2D;
        return [kernels.layerNormGradX(xs, st, ws, d), kernels.layerNormGradParam(xs, st, d, "weight"), kernels.layerNormGradParam(xs, st, d, "bias")];
      },
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/**
 * softmax(scores * scale + causal mask) over the last axis of scores [..., T, T] (the mask: keys after the query get
 * probability 0). Composite: `mask` [T, T] is added (the additive mask of src/model/rotary.ts causalMask).
 */
export function causalSoftmax(scores: tf.Tensor, scale: number, mask: tf.Tensor2D): tf.Tensor {
  if (!kernels.trainKernelsActive()) return tf.softmax(tf.add(tf.mul(scores, scale), mask));
  const op = tf.customGrad((...inputs: Inputs) => {
    const [s, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
    const y = kernels.causalSoftmax(s, scale);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => kernels.causalSoftmaxGrad(saved[0]!, dy, scale) };
  });
  return op(scores);
}

/** The MLP activation: exact GELU by the kernels on WebGPU, src/model's composite activation otherwise. */
export function mlpActivation(x: tf.Tensor2D, name: string): tf.Tensor2D {
  if (name !== "gelu" || !kernels.trainKernelsActive()) return activation(x, name);
  const op = tf.customGrad((...inputs: Inputs) => {
    const [xi, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
    save([xi]);
    return { value: kernels.gelu(xi), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => kernels.geluGrad(saved[0]!, dy) };
  });
  return op(x) as tf.Tensor2D;
}
