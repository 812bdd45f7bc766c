/**
 * AdamW with decoupled weight decay, global-norm gradient clipping and the learning-rate schedule, each written as
 * PyTorch computes it (torch.optim.AdamW's single-tensor path on CPU, torch.nn.utils.clip_grad_norm_), so that a
 * float32 run follows PyTorch's step by step (test/train/parity.test.ts).
 */
import { tf } from "../backend";
import { adamWInPlace, clipCoefficient, sumSquaresInto, trainKernelsActive } from "../backend-webgpu-train";

export interface AdamWSettings {
  /** Decoupled weight decay, applied to every parameter (biases and LayerNorms included), as the recipe does. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const ADAMW_DEFAULTS: Omit<AdamWSettings, "weightDecay"> = { beta1: 0.9, beta2: 0.95, eps: 1e-8 };

export interface ScheduleSettings {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps. */
  warmup: number;
  /** Total updates; the cosine reaches 0.1 x lr at k = steps. */
  steps: number;
}

/**
 * Learning rate of update k (0-based): lr (k + 1) / warmup during warm-up, then a cosine from lr down to 0.1 lr:
 * lr (0.1 + 0.45 (1 + cos(pi (k - warmup) / (steps - warmup)))), the mini-pythia recipe.
 */
export function learningRateAt(k: number, s: ScheduleSettings): number {
  if (k < s.warmup) return (s.lr * (k + 1)) / s.warmup;
  const span = Math.max(1, s.steps - s.warmup);
  return s.lr * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (k - s.warmup)) / span)));
}

/**
 * torch.nn.utils.clip_grad_norm_: the L2 norm of the per-tensor L2 norms (= the norm over every element), and
 * every gradient scaled by min(1, maxNorm / (norm + 1e-6)). Returns the clipped gradients (new tensors; the inputs
 * are not disposed) and the norm before clipping as a scalar tensor.
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { clipped: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norms = grads.map((g) => tf.sqrt(tf.sum(tf.square(g))));
    const norm = tf.sqrt(tf.sum(tf.square(tf.stack(norms)))) as tf.Scalar;
    const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { clipped: grads.map((g) => tf.mul(g, coef)), norm };
  });
}

/** AdamW's state: first and second moments per parameter and the number of updates taken. */
export class AdamW {
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  /** Updates taken so far (torch's `step`, 1-based inside {@link AdamW.update}). */
  updates = 0;
  /** WebGPU path: per-tensor sums of squared gradients, every slot rewritten by each step. */
  private sumSquares: tf.Tensor1D | undefined;

  constructor(readonly params: tf.Variable[], readonly settings: AdamWSettings) {
    this.m = params.map((p) => tf.variable(tf.zerosLike(p), false));
    this.v = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /**
   * One update with learning rate `lr` and the (already clipped) gradients, in torch's order:
   * p *= 1 - lr wd;  m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2;
   * p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
   */
  update(grads: tf.Tensor[], lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.settings;
    this.updates += 1;
    const t = this.updates;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = grads[i]!;
        const m = this.m[i]!;
        const v = this.v[i]!;
        const decayed = tf.mul(p, 1 - lr * weightDecay);
        const m1 = tf.add(m, tf.mul(tf.sub(g, m), 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.mul(g, g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2Sqrt), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(m1, denom), stepSize)));
        m.assign(m1);
        v.assign(v1);
      });
    });
  }

  /**
   * Clips the gradients by their global norm to `maxNorm` and takes one update ({@link clipByGlobalNorm} then
   * {@link AdamW.update}); returns the norm before clipping. On WebGPU the same arithmetic runs as one sum-of-squares
   * kernel per tensor, one for the clip coefficient and three per tensor updating m, v and the parameter in their
   * buffers (src/backend-webgpu-train.ts), instead of about 18 kernels and 8 scalar uploads per tensor.
   */
  step(grads: tf.Tensor[], lr: number, maxNorm: number): tf.Scalar {
    if (!trainKernelsActive()) {
      const { clipped, norm } = clipByGlobalNorm(grads, maxNorm);
      this.update(clipped, lr);
      tf.dispose(clipped);
      return norm;
    }
    const { beta1, beta2, eps, weightDecay } = this.settings;
    this.updates += 1;
    const t = this.updates;
    if (!this.sumSquares || this.sumSquares.size !== grads.length) {
      this.sumSquares?.dispose();
      this.sumSquares = tf.zeros([grads.length]);
    }
    grads.forEach((g, i) => sumSquaresInto(this.sumSquares!, i, g));
    const normCoef = clipCoefficient(this.sumSquares, maxNorm);
    const constants = { beta1, beta2, eps, decay: 1 - lr * weightDecay, stepSize: lr / (1 - beta1 ** t), bc2Sqrt: Math.sqrt(1 - beta2 ** t) };
    this.params.forEach((p, i) => adamWInPlace(p, this.m[i]!, this.v[i]!, grads[i]!, normCoef, constants));
    const norm = tf.tidy(() => tf.reshape(tf.slice(normCoef, [0], [1]), []) as tf.Scalar);
    normCoef.dispose();
    return norm;
  }

  /** Moments as host arrays (for checkpoints). */
  async toHost(): Promise<{ m: Float32Array[]; v: Float32Array[] }> {
    const down = async (vars: tf.Variable[]): Promise<Float32Array[]> => Promise.all(vars.map(async (x) => Float32Array.from((await x.data()) as Float32Array)));
    return { m: await down(this.m), v: await down(this.v) };
  }

  /** Restores moments and the update count saved by {@link AdamW.toHost}. */
  restore(m: Float32Array[], v: Float32Array[], updates: number): void {
    if (m.length !== this.m.length || v.length !== this.v.length) throw new Error(`AdamW.restore: ${m.length} moments for ${this.m.length} parameters`);
    this.m.forEach((x, i) => x.assign(tf.tensor(m[i]!, x.shape, "float32")));
    this.v.forEach((x, i) => x.assign(tf.tensor(v[i]!, x.shape, "float32")));
    this.updates = updates;
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
    this.sumSquares?.dispose();
  }
}
