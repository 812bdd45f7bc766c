#!/usr/bin/env node
// The `massive` command: runs src/cli/main.ts through tsx, so the TypeScript sources need no build step.
require("tsx/cjs");
require("../src/cli/main.ts").main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    process.stderr.write(`massive: ${err && err.message ? err.message.split("\n")[0] : String(err)}\n`);
    if (process.env.MASSIVE_DEBUG) console.error(err);
    process.exit(1);
  },
);
