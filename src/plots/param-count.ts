/**
 * Parameter count of a GPT-NeoX (Pythia) model from its config, counting every trainable tensor as Pythia's own
 * tables do ("total params", embeddings included):
 *
 *   N = E * V * d + L * (4 d^2 + 2 d d_ff + 9 d + d_ff) + 2 d
 *
 * with V vocab_size, d hidden_size, L num_hidden_layers, d_ff intermediate_size and E = 2 for untied input and
 * output embeddings (Pythia) or 1 when tied. Per layer: two LayerNorms (4d), fused QKV (3d^2 + 3d), the attention
 * output projection (d^2 + d), the MLP (d d_ff + d_ff + d_ff d + d); plus the final LayerNorm (2d).
 * @example gptNeoxParameterCount({ vocab_size: 50304, hidden_size: 512, num_hidden_layers: 6, intermediate_size: 2048 }) // => 70426624 (Pythia-70M)
 */
export interface ParameterCountConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  /** Default 4 * hidden_size (Pythia). */
  intermediate_size?: number;
  /** Default false (Pythia's embeddings are untied). */
  tie_word_embeddings?: boolean;
}

export function gptNeoxParameterCount(config: ParameterCountConfig): number {
  for (const key of ["vocab_size", "hidden_size", "num_hidden_layers"] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v <= 0) throw new Error(`gptNeoxParameterCount: config.${key} must be a positive integer, got ${String(v)}`);
  }
  const d = config.hidden_size;
  const ff = config.intermediate_size ?? 4 * d;
  const embeddings = (config.tie_word_embeddings ? 1 : 2) * config.vocab_size * d;
  return embeddings + config.num_hidden_layers * (4 * d * d + 2 * d * ff + 9 * d + ff) + 2 * d;
}

/**
 * Architectures of the Pythia suite (the released dataset has no config.json): hidden size, layers, heads, vocabulary
 * (from the models' config.json on the hub; d_ff = 4d).
 */
export const PYTHIA_ARCHITECTURES: Record<string, { hidden_size: number; num_hidden_layers: number; num_attention_heads: number; vocab_size: number }> = {
  "14m": { hidden_size: 128, num_hidden_layers: 6, num_attention_heads: 4, vocab_size: 50304 },
  "31m": { hidden_size: 256, num_hidden_layers: 6, num_attention_heads: 8, vocab_size: 50304 },
  "70m": { hidden_size: 512, num_hidden_layers: 6, num_attention_heads: 8, vocab_size: 50304 },
  "160m": { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, vocab_size: 50304 },
  "410m": { hidden_size: 1024, num_hidden_layers: 24, num_attention_heads: 16, vocab_size: 50304 },
  "1b": { hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 8, vocab_size: 50304 },
  "1.4b": { hidden_size: 2048, num_hidden_layers: 24, num_attention_heads: 16, vocab_size: 50304 },
  "2.8b": { hidden_size: 2560, num_hidden_layers: 32, num_attention_heads: 32, vocab_size: 50304 },
  "6.9b": { hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, vocab_size: 50432 },
  "12b": { hidden_size: 5120, num_hidden_layers: 36, num_attention_heads: 40, vocab_size: 50688 },
};
