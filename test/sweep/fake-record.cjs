#!/usr/bin/env node
// A stand-in for `massive record` in the sweep's fast tests: same command line
// (record --checkpoints <dir> --steps <N> --eval <file> --out <dir>), copies the bundled reference stats of that step
// after FAKE_RECORD_DELAY_MS, writing atomically like the real one. FAKE_RECORD_FAIL_STEP=<N> makes that step
// leave a temporary file behind and exit 1 (a crash mid-write).
const fs = require("node:fs");
const path = require("node:path");

const argv = process.argv.slice(2);
if (argv[0] === "record") argv.shift();
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const ckpt = opt("checkpoints");
const step = Number(opt("steps"));
const out = opt("out");
if (!ckpt || !out || !Number.isInteger(step)) {
  process.stderr.write("fake-record: need --checkpoints, --steps and --out\n");
  process.exit(2);
}
const name = path.basename(ckpt);
const src = path.join(ckpt, "reference_stats", `exp2_${name}_step${step}`);
const delay = Number(process.env.FAKE_RECORD_DELAY_MS ?? 0);
setTimeout(() => {
  fs.mkdirSync(out, { recursive: true });
  const dest = path.join(out, `exp2_${name}_step${step}`);
  const tmp = path.join(out, `.exp2_${name}_step${step}.tmp-${process.pid}-x`);
  fs.writeFileSync(tmp, fs.readFileSync(src, "utf8").slice(0, 100));
  if (String(step) === process.env.FAKE_RECORD_FAIL_STEP) {
    process.stderr.write(`fake-record: simulated crash at step ${step}\n`);
    process.exit(1);
  }
  fs.writeFileSync(tmp, fs.readFileSync(src));
  fs.renameSync(tmp, dest);
  process.stderr.write(`fake-record: wrote ${dest}\n`);
}, delay);
