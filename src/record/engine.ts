/**
 * Engines that turn a checkpoint folder into exp2 statistics on fixed evaluation sequences: in this thread, or in a
 * worker thread with its own TensorFlow.js backend (CPU parallelism: wasm runs one thread per backend).
 * Each engine streams every checkpoint layer by layer (./stream.ts) through one model per architecture, so its
 * memory does not grow with the model's depth.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { initBackend } from "../backend";
import { HalfWidener } from "../io/half-widener";
import { openCheckpoint } from "../io/open-checkpoint";
import type { NeoXConfig } from "../io/config";
import { GPTNeoX, type ModelArithmetic } from "../model/gpt-neox";
import { validateSequences } from "./eval-sequences";
import type { MedianMethod } from "./stats";
import { planStreaming, recordStreaming } from "./stream";

export interface EngineOptions {
  batchSize?: number;
  medianMethod?: MedianMethod;
  /** GPTNeoXOptions.compute: `float16` runs the Linear layers on the GPU's tensor cores (webgpu only). */
  compute?: "float32" | "float16";
}

export interface RecordResult {
  /** [sequences][4][layers] */
  values: number[][][];
  backend: string;
  medianMethod: string;
  /** Reading the checkpoint plus recording. */
  seconds: number;
  /** How the model computed (GPTNeoX.arithmetic of streamed weights), for the record's provenance. */
  arithmetic: ModelArithmetic;
}

export interface RecordEngine {
  record(dir: string): Promise<RecordResult>;
  close(): Promise<void>;
}

function architectureKey(c: NeoXConfig): string {
  const { raw: _raw, ...rest } = c;
  return JSON.stringify(rest);
}

/** Records in the calling thread. */
export class InProcessEngine implements RecordEngine {
  private model: GPTNeoX | undefined;
  private key = "";
  private widener: HalfWidener | undefined;

  constructor(private readonly sequences: number[][], private readonly options: EngineOptions = {}) {}

  async record(dir: string): Promise<RecordResult> {
    const info = await initBackend();
    const t0 = performance.now();
    const ckpt = await openCheckpoint(dir);
    try {
      validateSequences(this.sequences, `evaluation sequences for ${dir}`, ckpt.config.vocabSize);
      const key = architectureKey(ckpt.config);
      if (!this.model || key !== this.key) {
        this.model?.dispose();
        this.model = new GPTNeoX(ckpt.config, { compute: this.options.compute });
        this.key = key;
      }
      this.widener ??= new HalfWidener();
      const values = await recordStreaming(this.model, ckpt, this.sequences, { ...this.options, widener: this.widener });
      const { method } = planStreaming(ckpt.config, this.sequences.length, this.sequences[0]!.length, this.options);
      return { values, backend: info.name, medianMethod: method, seconds: (performance.now() - t0) / 1000, arithmetic: this.model.arithmetic("streamed") };
    } finally {
      await ckpt.close();
    }
  }

  async close(): Promise<void> {
    this.model?.dispose();
    this.model = undefined;
    await this.widener?.close();
    this.widener = undefined;
  }
}

type WorkerReply = { id: number; ok: true; result: RecordResult } | { id: number; ok: false; message: string };

/**
 * Records in a worker thread (its own backend). The worker entry is a .cjs shim that registers tsx, so it runs
 * from the TypeScript sources with no build step, under the CLI, node --import tsx and tslab alike.
 */
export class WorkerEngine implements RecordEngine {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: RecordResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failed: Error | undefined;

  constructor(sequences: number[][], options: EngineOptions = {}) {
    this.worker = new Worker(path.join(__dirname, "worker-shim.cjs"), { workerData: { sequences, options } });
    this.worker.on("message", (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      // Equality, not truthiness: tslab's TypeScript 5.0 without strictNullChecks narrows this union only that way.
      if (m.ok === false) p.reject(new Error(m.message));
      else p.resolve(m.result);
    });
    const failAll = (err: Error): void => {
      this.failed = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on("error", (err) => failAll(new Error(`record worker failed: ${err.message.split("\n")[0]}`)));
    this.worker.on("exit", (code) => {
      if (this.pending.size) failAll(new Error(`record worker exited with code ${code}`));
    });
  }

  record(dir: string): Promise<RecordResult> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, dir });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
