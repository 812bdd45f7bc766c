// Worker-thread entry for src/util/worker-call.ts: registers tsx (TypeScript without a build step), loads the module
// named in workerData, calls the named export with the given arguments and posts the result (or the error) back.
// A .cjs file so that Node runs it as is in a worker, whatever loaded the parent (CLI, tsx, tslab).
const { parentPort, workerData } = require("node:worker_threads");
// In a pool (workerData.pool) the worker stays and answers one message {exportName, args} after another.
require("tsx/cjs");
const run = (exportName, args) =>
  Promise.resolve()
    .then(() => require(workerData.modulePath)[exportName](...args))
    .then(
      (result) => parentPort.postMessage({ ok: true, result }),
      (err) => parentPort.postMessage({ ok: false, message: err && err.message ? err.message : String(err), stack: err && err.stack }),
    );
if (workerData.pool) parentPort.on("message", (m) => run(m.exportName, m.args));
else run(workerData.exportName, workerData.args);
