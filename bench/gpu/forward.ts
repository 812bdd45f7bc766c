/**
 * GPT-NeoX forward tokens/s on the current backend for Pythia shapes with random weights, 10 x 2048 tokens (as
 * bench/peers/gpt_neox_forward.py does in PyTorch), with logits (the peer's measure) and without (the recording
 * path: layer outputs only). Prints the ratio to the peer when its JSON is given.
 * Usage: node bench/gpu/forward.js [--shapes 70m,160m,1b] [--seqs 10] [--seq 2048] [--batch N] [--reps 3] [--peer peer.json]
 */
import * as fs from "node:fs";
import { GPTNeoX } from "../../src/model/gpt-neox";
import { arg, median, pythiaConfig, randomIds, randomNeoXWeights, setup, sync, tf, webGpuErrorCount, writeResult } from "./lib";

interface PeerRow { shape: string; dtype: string; tokens_per_s: number }

async function main(): Promise<void> {
  const info = await setup();
  const shapes = arg("shapes", "70m,160m,1b").split(",");
  const seqs = Number(arg("seqs", "10")), T = Number(arg("seq", "2048")), reps = Number(arg("reps", "3"));
  const peerFile = arg("peer", "");
  const peer: PeerRow[] = peerFile && fs.existsSync(peerFile) ? (JSON.parse(fs.readFileSync(peerFile, "utf8")) as { rows: PeerRow[] }).rows : [];
  const results: Record<string, unknown>[] = [];
  for (const shape of shapes) {
    const c = pythiaConfig(shape);
    const batch = Number(arg("batch", String(seqs)));
    const t0 = performance.now();
    const weights = randomNeoXWeights(c, 1);
    const tGen = performance.now();
    const model = new GPTNeoX(c);
    model.loadWeights(weights, `random ${shape}`);
    await sync();
    const tLoad = performance.now();
    weights.clear();
    const ids = randomIds(seqs, T, c.vocabSize);
    const run = async (logits: boolean): Promise<number> => {
      const times: number[] = [];
      for (let r = 0; r <= reps; r++) {
        const start = performance.now();
        for (let b0 = 0; b0 < seqs; b0 += batch) {
          const { logits: l, cache } = model.runWithCache(ids.slice(b0, b0 + batch), {
            returnLogits: logits, namesFilter: logits ? [] : (n: string) => n.endsWith("hook_resid_post"),
          });
          await sync(l ?? cache.get(`blocks.${c.numLayers - 1}.hook_resid_post`));
          tf.dispose([...(l ? [l] : []), ...cache.values()]);
        }
        if (r > 0) times.push((performance.now() - start) / 1000); // r = 0 compiles the shaders
      }
      return median(times);
    };
    let sLogits = NaN, sHidden = NaN, error = "";
    try {
      sLogits = await run(true);
      sHidden = await run(false);
    } catch (err) {
      error = (err as Error).message.split("\n")[0]!;
    }
    model.dispose();
    const tokens = seqs * T;
    const row = {
      shape, batch, tokens, secondsWithLogits: sLogits, tokensPerS: tokens / sLogits, secondsHiddenOnly: sHidden,
      tokensPerSHiddenOnly: tokens / sHidden, randomWeightsS: (tGen - t0) / 1000, uploadS: (tLoad - tGen) / 1000, error,
      numTensors: tf.memory().numTensors, webGpuErrors: webGpuErrorCount(),
    };
    const p32 = peer.find((p) => p.shape === shape && p.dtype === "float32");
    const p16 = peer.find((p) => p.shape === shape && p.dtype === "float16");
    results.push({ ...row, peerFloat32: p32?.tokens_per_s, peerFloat16: p16?.tokens_per_s });
    console.log(`${shape.padEnd(5)} batch ${batch}: ${(tokens / sLogits).toFixed(0)} tokens/s with logits, ${(tokens / sHidden).toFixed(0)} hidden only; upload ${row.uploadS.toFixed(2)} s` +
      (p32 ? `; PyTorch fp32 ${p32.tokens_per_s.toFixed(0)} (ratio ${((tokens / sLogits) / p32.tokens_per_s).toFixed(2)})` : "") +
      (p16 ? `, fp16 ${p16.tokens_per_s.toFixed(0)} (ratio ${((tokens / sLogits) / p16.tokens_per_s).toFixed(2)})` : "") + (error ? ` ERROR ${error}` : "") + (webGpuErrorCount() ? ` WEBGPU ERRORS ${webGpuErrorCount()}` : ""));
  }
  console.log(`wrote ${writeResult(`forward-${info.name}`, { backend: info, date: new Date().toISOString(), results })}`);
}

main().catch((err) => { console.error(err); process.exit(1); });
