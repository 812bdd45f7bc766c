/** Worker-thread entry of WorkerEngine (loaded through worker-shim.cjs): records one checkpoint per message. */
import { parentPort, workerData } from "node:worker_threads";
import { InProcessEngine, type EngineOptions } from "./engine";

const data = workerData as { sequences: number[][]; options: EngineOptions };
const engine = new InProcessEngine(data.sequences, data.options);
let queue = Promise.resolve();

parentPort!.on("message", (msg: { id: number; dir: string }) => {
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage({ id: msg.id, ok: true, result: await engine.record(msg.dir) });
    } catch (err) {
      parentPort!.postMessage({ id: msg.id, ok: false, message: (err as Error).message.split("\n")[0] });
    }
  });
});
