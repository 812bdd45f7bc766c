/**
 * Exported functions of a TypeScript module run in worker threads, resolving with their (structured-cloned) results:
 * the way to put independent CPU-bound jobs on the machine's other cores, since the wasm backend and every model fit
 * here are single-threaded. startWorkerPool keeps a few workers of one module alive and deals calls to whichever is
 * free, in the order they were made: with many calls of uneven length the workers finish together, and each worker
 * loads the module once.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";

const SHIM = path.join(__dirname, "worker-call-shim.cjs");

export interface WorkerPool {
  /** Runs `exportName(...args)` of the pool's module on the next free worker; resolves with its result. */
  call<T>(exportName: string, args: unknown[]): Promise<T>;
  /** Ends the workers (calls still queued are rejected). */
  close(): Promise<void>;
}

interface PoolTask {
  exportName: string;
  args: unknown[];
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** `size` workers of `modulePath`, each running one call at a time (see the module comment). */
export function startWorkerPool(modulePath: string, size: number): WorkerPool {
  const queue: PoolTask[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, PoolTask>();
  let alive = 0;
  const rejectQueued = (why: string): void => {
    for (const t of queue.splice(0)) t.reject(new Error(why));
  };
  const dispatch = (): void => {
    while (idle.length && queue.length) {
      const worker = idle.pop()!;
      const task = queue.shift()!;
      busy.set(worker, task);
      worker.postMessage({ exportName: task.exportName, args: task.args });
    }
  };
  const lost = (worker: Worker, error: Error): void => {
    const task = busy.get(worker);
    busy.delete(worker);
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
    alive--;
    task?.reject(error);
    if (alive === 0) rejectQueued(`every worker of ${path.basename(modulePath)} ended: ${error.message}`);
  };
  for (let k = 0; k < size; k++) {
    const worker = new Worker(SHIM, { workerData: { modulePath } });
    alive++;
    worker.on("message", (m: { ok: boolean; result?: unknown; message?: string }) => {
      const task = busy.get(worker);
      busy.delete(worker);
      idle.push(worker);
      if (m.ok) task?.resolve(m.result);
      else task?.reject(new Error(m.message));
      dispatch();
    });
    worker.once("error", (e) => lost(worker, e));
    worker.once("exit", (code) => {
      if (busy.has(worker) || idle.includes(worker)) lost(worker, new Error(`worker ${path.basename(modulePath)} exited with code ${code}`));
    });
    idle.push(worker);
  }
  return {
    call<T>(exportName: string, args: unknown[]): Promise<T> {
      if (alive === 0) return Promise.reject(new Error(`no worker of ${path.basename(modulePath)} is running`));
      return new Promise<T>((resolve, reject) => {
        queue.push({ exportName, args, resolve: resolve as (v: unknown) => void, reject });
        dispatch();
      });
    },
    async close(): Promise<void> {
      rejectQueued("worker pool closed");
      const all = [...idle, ...busy.keys()];
      idle.length = 0;
      busy.clear();
      alive = 0;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
