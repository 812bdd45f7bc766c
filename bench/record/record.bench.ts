/**
 * Seconds per checkpoint and for all 12 bundled mini-pythia checkpoints (d128-L6-H4, 10 x 256 tokens), recorded
 * with 1 and 2 worker engines (recordRun, as `massive record` does). Prints a table; writes nothing outside a temp
 * folder. Usage:
 *   MASSIVE_BACKEND=wasm node --import tsx bench/record/record.bench.ts [workers...]   (default: 1 2)
 * "s/ckpt (engine)" is the mean time an engine spends on one checkpoint (read + forward + stats); "wall" is the whole
 * run including start-up of the worker threads; "CPU s per ckpt" is the process's CPU time (all threads) per
 * checkpoint, which a busy machine disturbs least. On a shared machine, compare runs made at the same time.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { listLocalCheckpoints, readEvalSequences, recordRun } from "../../src/record/index";

const root = path.resolve(__dirname, "../..");

async function main(): Promise<void> {
  const info = await initBackend();
  const workerCounts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const counts = workerCounts.length ? workerCounts : [1, 2];
  const ckDir = path.join(root, "data/mini-pythia/checkpoints/d128-L6-H4");
  const checkpoints = listLocalCheckpoints(ckDir);
  const evalSet = readEvalSequences(path.join(root, "data/mini-pythia/eval_sequences.json"));
  const rows: string[] = [];
  for (const workers of counts) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-record-"));
    const cpu0 = process.cpuUsage();
    const s = await recordRun({ out, model: { kind: "local", id: ckDir }, checkpoints, evalSet, workers, log: () => undefined });
    if (s.failed.length) throw new Error(`bench: ${s.failed.length} checkpoints failed: ${s.failed[0]!.message}`);
    const cpu = process.cpuUsage(cpu0);
    const cpuPer = (cpu.user + cpu.system) / 1e6 / s.recorded.length;
    const per = s.recorded.map((r) => r.seconds);
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    rows.push(`| ${String(workers).padStart(7)} | ${String(s.recorded.length).padStart(5)} | ${mean.toFixed(2).padStart(14)} | ${Math.min(...per).toFixed(2).padStart(8)} | ${s.seconds.toFixed(1).padStart(8)} | ${(s.seconds / s.recorded.length).toFixed(2).padStart(17)} | ${cpuPer.toFixed(2).padStart(14)} |`);
    fs.rmSync(out, { recursive: true, force: true });
  }
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`record bench: d128-L6-H4, 12 checkpoints, 10 x 256 tokens; backend ${info.name}; ${os.cpus().length} CPUs; load average ${load}`);
  console.log("| workers | ckpts | s/ckpt (engine) | min s/ckpt | wall (s) | wall s per ckpt | CPU s per ckpt |");
  console.log("|--------:|------:|---------------:|---------:|---------:|------------------:|---------------:|");
  for (const r of rows) console.log(r);
}

main().catch((err) => {
  console.error(`bench/record: ${(err as Error).message}`);
  process.exit(1);
});
