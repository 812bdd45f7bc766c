// Worker-thread entry for src/util/worker-call.ts's pool: registers tsx (TypeScript without a build step), then for
// each message {exportName, args} calls that export of the module named in workerData and posts the result (or the
// error) back. A .cjs file so that Node runs it as is in a worker, whatever loaded the parent (CLI, tsx, tslab).
const { parentPort, workerData } = require("node:worker_threads");
require("tsx/cjs");
const run = (exportName, args) =>
  Promise.resolve()
    .then(() => require(workerData.modulePath)[exportName](...args))
    .then(
      (result) => parentPort.postMessage({ ok: true, result }),
      (err) => parentPort.postMessage({ ok: false, message: err && err.message ? err.message : String(err), stack: err && err.stack }),
    );
parentPort.on("message", (m) => run(m.exportName, m.args));
