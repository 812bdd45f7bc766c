/**
 * float16/bfloat16 -> float32 widening in worker threads, so that the thread that drives the backend (and, on a
 * GPU, encodes its kernels) never spends its time in the widening loop: on an H200 that loop was 90% of the time
 * of recording a checkpoint (docs/gpu.md). Large tensors are split into pieces spread over the workers.
 * The workers run plain JavaScript made from ./host-tensor's own conversion (`halfToFloat`), so they need no
 * TypeScript loader and work under tsx, tslab and the bundled device builds alike.
 */
import { Worker } from "node:worker_threads";
import * as os from "node:os";
import { halfToFloat, widenHalf, type HostTensor } from "./host-tensor";

/** Elements per piece sent to one worker. */
const PIECE_ELEMENTS = 1 << 23;

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const halfToFloat = (${halfToFloat.toString()});
const table = new Float32Array(65536);
for (let i = 0; i < 65536; i++) table[i] = halfToFloat(i);
parentPort.on("message", (m) => {
  const src = new Uint16Array(m.buffer, m.byteOffset, m.length);
  const out = new Float32Array(m.length);
  if (m.bfloat16) {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  } else {
    for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  }
  parentPort.postMessage({ id: m.id, out }, [out.buffer]);
});
`;

/** A pool of widening workers; {@link HalfWidener.close} ends them. */
export class HalfWidener {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (a: Float32Array) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private nextWorker = 0;
  private failed: Error | undefined;

  /** `threads` workers (default: one per core but one, at least 1, at most 4). */
  constructor(threads = Math.max(1, Math.min(4, os.cpus().length - 1))) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on("message", (m: { id: number; out: Float32Array }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.out);
      });
      w.on("error", (err) => this.fail(new Error(`half-widening worker failed: ${err.message.split("\n")[0]}`)));
      return w;
    });
  }

  private fail(err: Error): void {
    this.failed = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private piece(src: Uint16Array, bfloat16: boolean): Promise<Float32Array> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Transferred when the view owns its whole buffer; a piece is copied out first (posting a view would
      // clone its whole buffer).
      const own = src.byteOffset === 0 && src.byteLength === src.buffer.byteLength ? src : src.slice();
      worker.postMessage({ id, buffer: own.buffer, byteOffset: 0, length: own.length, bfloat16 }, [own.buffer as ArrayBuffer]);
    });
  }

  /** The tensor widened to float32 (other dtypes returned as they are); `t`'s data may be detached (consumed). */
  async widen(t: HostTensor): Promise<HostTensor> {
    if (t.dtype !== "float16" && t.dtype !== "bfloat16") return t;
    const src = t.data as Uint16Array;
    if (src.length < 1 << 16) return widenHalf(t);
    const pieces: Promise<Float32Array>[] = [];
    for (let at = 0; at < src.length; at += PIECE_ELEMENTS) pieces.push(this.piece(src.subarray(at, at + PIECE_ELEMENTS), t.dtype === "bfloat16"));
    const parts = await Promise.all(pieces);
    if (parts.length === 1) return { dtype: "float32", shape: t.shape, data: parts[0]! };
    const out = new Float32Array(src.length);
    parts.forEach((p, i) => out.set(p, i * PIECE_ELEMENTS));
    return { dtype: "float32", shape: t.shape, data: out };
  }

  async close(): Promise<void> {
    this.fail(new Error("half widener closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
