/**
 * The activation budget of streaming recording (./stream.ts), in a module with no imports so that planners (the
 * sweep's resource estimates) can read it without loading TensorFlow.js.
 */

/** Bytes of float32 activations one chunk of sequences may take inside a layer, per backend kind. */
export const STREAM_ACTIVATION_BYTES = { cpu: 2 ** 28, gpu: 2 ** 30 } as const;

/** A chunk's largest activations per sequence of `seqLen` tokens: the MLP's [T, intermediate] and the scores [heads, T, T], float32. */
export function streamBytesPerSequence(config: { intermediateSize: number; numHeads: number }, seqLen: number): number {
  return 4 * seqLen * (config.intermediateSize + config.numHeads * seqLen);
}

/** Sequences per chunk: as many as fit the budget (at least 1, at most `numSequences`). */
export function streamChunkSequences(config: { intermediateSize: number; numHeads: number }, numSequences: number, seqLen: number, gpu: boolean): number {
  const budget = gpu ? STREAM_ACTIVATION_BYTES.gpu : STREAM_ACTIVATION_BYTES.cpu;
  return Math.max(1, Math.min(numSequences, Math.floor(budget / streamBytesPerSequence(config, seqLen))));
}
