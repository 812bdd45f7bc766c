// Worker-thread entry for src/record/engine.ts: registers tsx (TypeScript without a build step), then loads the
// worker. A .cjs file so that Node runs it as is in a worker, whatever loaded the parent (CLI, tsx, tslab).
require("tsx/cjs");
require("./worker.ts");
