/**
 * Runs one exported function of a TypeScript module in a worker thread and resolves with its (structured-cloned)
 * result: the way to put independent CPU-bound jobs on the machine's other cores, since the wasm backend and every
 * model fit here are single-threaded. The worker ends when the function returns.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";

export function callInWorker<T>(modulePath: string, exportName: string, args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, "worker-call-shim.cjs"), { workerData: { modulePath, exportName, args } });
    let settled = false;
    worker.once("message", (m: { ok: boolean; result?: T; message?: string }) => {
      settled = true;
      if (m.ok) resolve(m.result as T);
      else reject(new Error(m.message));
      void worker.terminate();
    });
    worker.once("error", (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`worker ${path.basename(modulePath)}:${exportName} exited with code ${code} before answering`));
      settled = true;
    });
  });
}
