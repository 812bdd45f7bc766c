/**
 * A throw-away one-node Slurm cluster for tests: its own munged (own key and socket), slurmctld and slurmd, all
 * state under a temporary folder, random ports, `ProctrackType=proctrack/linuxproc`, `TaskPlugin=task/none`,
 * `SelectType=select/cons_tres`. Needs root and Debian's `slurm-wlm` and `munge` (installed on demand when apt-get
 * is there). Client commands reach it through `cluster.env` (SLURM_CONF). `stop()` cancels its jobs, shuts the
 * daemons down and removes the folder.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const BINARIES = ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo", "scontrol"];
const SBIN = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function which(cmd: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), ...SBIN]) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Why a cluster cannot be started here, or undefined when it can (installing slurm-wlm and munge if needed). */
export function slurmUnavailableReason(): string | undefined {
  if (process.platform !== "linux") return "a test Slurm cluster needs Linux";
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "a test Slurm cluster needs root (slurmd runs jobs as any user)";
  if (BINARIES.every((b) => which(b))) return undefined;
  if (!which("apt-get")) return `Slurm is not installed (${BINARIES.filter((b) => !which(b)).join(", ")} missing) and apt-get is not available`;
  const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "slurm-wlm", "munge"], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: "ignore",
    timeout: 600_000,
  });
  if (r.status !== 0 || !BINARIES.every((b) => which(b))) return "Slurm is not installed and `apt-get install slurm-wlm munge` failed";
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface SlurmCluster {
  dir: string;
  conf: string;
  nodeName: string;
  cpus: number;
  /** Environment for client commands (sbatch, squeue, ...). */
  env: NodeJS.ProcessEnv;
  /** Seconds from the first daemon start to an idle node. */
  startSeconds: number;
  /** Runs a Slurm client command against this cluster; returns stdout. */
  run(cmd: string, args: string[]): string;
  /** Cancels every job, stops slurmd, slurmctld and munged, removes the folder. Safe to call twice. */
  stop(): Promise<void>;
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True while the process runs (a zombie, waiting for a parent that is not us to reap it, counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line mentions `marker` (this cluster's own conf or munge folder). */
function pidsMentioning(marker: string): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${e}/cmdline`, "utf8").includes(marker)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  return !alive(pid);
}

/** Starts the cluster; rejects (after cleaning up) when the node does not come up idle within `timeoutMs`. */
export async function startSlurmCluster(options: { cpus?: number; timeoutMs?: number } = {}): Promise<SlurmCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "massive-slurm-"));
  fs.chmodSync(dir, 0o755);
  const cpus = Math.max(1, Math.min(options.cpus ?? 2, os.cpus().length));
  const nodeName = os.hostname().split(".")[0] || "localhost";
  const realMemory = Math.max(256, Math.floor((os.totalmem() / 2 ** 20) * 0.8));
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  for (const d of ["munge", "state", "spool", "log"]) fs.mkdirSync(path.join(dir, d), { mode: 0o755 });
  const munge = path.join(dir, "munge");
  fs.writeFileSync(path.join(munge, "munge.key"), Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), { mode: 0o600 });
  const conf = path.join(dir, "slurm.conf");
  fs.writeFileSync(
    conf,
    [
      "ClusterName=massivetest",
      `SlurmctldHost=${nodeName}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      "SlurmUser=root",
      "SlurmdUser=root",
      "AuthType=auth/munge",
      "CredType=cred/munge",
      `AuthInfo=socket=${munge}/munge.socket`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_CPU",
      "SchedulerType=sched/backfill",
      "AccountingStorageType=accounting_storage/none",
      "JobCompType=jobcomp/none",
      "JobAcctGatherType=jobacct_gather/none",
      "MpiDefault=none",
      "SwitchType=switch/none",
      "ReturnToService=2",
      "KillWait=5",
      "MinJobAge=60",
      "MessageTimeout=10",
      `NodeName=${nodeName} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${realMemory} State=UNKNOWN`,
      "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
      "",
    ].join("\n"),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  const bin = (b: string): string => which(b) ?? b;
  let stopped = false;
  // The daemons' pids, kept in memory once they are up: stop() must find them even if the folder was removed.
  const daemons = new Set<number>();
  const collectPids = (): void => {
    for (const f of [path.join(dir, "slurmctld.pid"), path.join(dir, "slurmd.pid"), path.join(munge, "munged.pid")]) {
      const pid = readPid(f);
      if (pid) daemons.add(pid);
    }
    for (const pid of [...pidsMentioning(conf), ...pidsMentioning(`${munge}/munge.key`)]) daemons.add(pid);
  };
  const cluster: SlurmCluster = {
    dir,
    conf,
    nodeName,
    cpus,
    env,
    startSeconds: NaN,
    run(cmd, args) {
      return execFileSync(bin(cmd), args, { env, encoding: "utf8", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      collectPids();
      const ctld = readPid(path.join(dir, "slurmctld.pid"));
      try {
        if (fs.existsSync(conf) && ((ctld && alive(ctld)) || pidsMentioning(conf).length)) {
          spawnSync(bin("scancel"), ["--user", "root", "--full"], { env, stdio: "ignore", timeout: 20_000 });
          const end = Date.now() + 20_000;
          while (Date.now() < end) {
            const q = spawnSync(bin("squeue"), ["-h", "-o", "%i"], { env, encoding: "utf8", timeout: 10_000 });
            if (q.status !== 0 || !q.stdout.trim()) break;
            await sleep(250);
          }
          spawnSync(bin("scontrol"), ["shutdown"], { env, stdio: "ignore", timeout: 20_000 });
        }
      } finally {
        // slurmd and slurmctld first, munged last (they need it to shut down cleanly)
        const mungeds = new Set(pidsMentioning(`${munge}/munge.key`));
        for (const pid of [...[...daemons].filter((p) => !mungeds.has(p)), ...mungeds]) {
          if (!alive(pid)) continue;
          if (mungeds.has(pid)) process.kill(pid, "SIGTERM"); // nothing else stops munged
          if (!(await waitGone(pid, 5000))) {
            process.kill(pid, "SIGTERM");
            if (!(await waitGone(pid, 5000))) process.kill(pid, "SIGKILL");
          }
        }
        if (!process.env.MASSIVE_KEEP_SLURM) fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  const t0 = Date.now();
  try {
    execFileSync(bin("munged"), ["--force", `--key-file=${munge}/munge.key`, `--socket=${munge}/munge.socket`, `--pid-file=${munge}/munged.pid`, `--log-file=${munge}/munged.log`, `--seed-file=${munge}/munged.seed`], {
      stdio: "ignore",
      timeout: 20_000,
    });
    execFileSync(bin("slurmctld"), ["-f", conf, "-i"], { env, stdio: "ignore", timeout: 30_000 });
    execFileSync(bin("slurmd"), ["-f", conf], { env, stdio: "ignore", timeout: 30_000 });
    const end = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const r = spawnSync(bin("sinfo"), ["-h", "-N", "-o", "%T"], { env, encoding: "utf8", timeout: 10_000 });
      if (r.status === 0 && /^idle/m.test(r.stdout)) break;
      if (Date.now() > end) {
        const logs = ["slurmctld.log", "slurmd.log"].map((f) => {
          try {
            return fs.readFileSync(path.join(dir, "log", f), "utf8").split("\n").slice(-5).join(" | ");
          } catch {
            return "";
          }
        });
        throw new Error(`the test Slurm node did not come up idle (sinfo: ${r.stdout.trim() || r.stderr.trim()}); logs: ${logs.join(" || ")}`);
      }
      await sleep(100);
    }
    cluster.startSeconds = (Date.now() - t0) / 1000;
    collectPids();
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
