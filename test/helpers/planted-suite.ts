/**
 * Checkpoint suites with planted defects, for the mock hub (./mock-hub.ts), modelled on what the real hub serves
 * (EleutherAI/pythia issues 205, 206, 94/107/141):
 *
 * `plantedPythiaSuite()`: "EleutherAI/pythia-14m" with all 154 step branches of the schedule but one, each a
 * sharded checkpoint (config.json, model.safetensors.index.json, two ~2 KB shards of distinct bytes), and
 *   - duplicate models: step1000, step2000 and step5000 serve step143000's two shards (whole model identical);
 *   - a duplicate shard: step50000's first shard is step143000's first shard (its second shard is its own);
 *   - a missing branch: step3000;
 *   - a missing file: step9000 lacks its second shard (the index names it);
 *   - a truncated file: step7000's second shard is cut to 1000 bytes.
 * The shard contents are fake (never downloaded by the audit); `PLANTED` lists the defects for assertions.
 */
import * as crypto from "node:crypto";
import type { MockRepo } from "./mock-hub";

const SCHEDULE = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, ...Array.from({ length: 143 }, (_, i) => 1000 * (i + 1))];
const SHARDS = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"] as const;
const SHARD_BYTES = 2048;

export const PLANTED = {
  repo: "EleutherAI/pythia-14m",
  duplicateModels: [1000, 2000, 5000],
  duplicateOf: 143000,
  duplicateShard: { step: 50000, file: SHARDS[0] },
  missingBranch: 3000,
  missingFile: { step: 9000, file: SHARDS[1] },
  truncated: { step: 7000, file: SHARDS[1], bytes: 1000 },
} as const;

/** Deterministic distinct bytes for (step, shard). */
function shardBytes(step: number, shard: number, size = SHARD_BYTES): Buffer {
  const out = Buffer.alloc(size);
  let block = Buffer.alloc(0);
  for (let i = 0, n = 0; i < size; i++) {
    if (i % 32 === 0) block = crypto.createHash("sha256").update(`step${step}/shard${shard}/${n++}`).digest();
    out[i] = block[i % 32]!;
  }
  return out;
}

const CONFIG = JSON.stringify({ architectures: ["GPTNeoXForCausalLM"], hidden_size: 128, num_hidden_layers: 6, num_attention_heads: 4, vocab_size: 50304 });
const INDEX = JSON.stringify({ metadata: { total_size: 2 * SHARD_BYTES }, weight_map: { "gpt_neox.embed_in.weight": SHARDS[0], "embed_out.weight": SHARDS[1] } });

export function plantedPythiaSuite(): MockRepo {
  const branches: MockRepo["branches"] = {};
  const shardsOf = (step: number): Buffer[] => [shardBytes(step, 0), shardBytes(step, 1)];
  const final = shardsOf(PLANTED.duplicateOf);
  for (const step of SCHEDULE) {
    if (step === PLANTED.missingBranch) continue;
    let shards = shardsOf(step);
    if ((PLANTED.duplicateModels as readonly number[]).includes(step)) shards = final;
    if (step === PLANTED.duplicateShard.step) shards = [final[0]!, shards[1]!];
    if (step === PLANTED.truncated.step) shards = [shards[0]!, shards[1]!.subarray(0, PLANTED.truncated.bytes)];
    const files: Record<string, Buffer | string> = { "config.json": CONFIG, "model.safetensors.index.json": INDEX, [SHARDS[0]]: shards[0]! };
    if (step !== PLANTED.missingFile.step) files[SHARDS[1]] = shards[1]!;
    branches[`step${step}`] = files;
  }
  branches.main = branches[`step${PLANTED.duplicateOf}`]!;
  return { id: PLANTED.repo, branches };
}
