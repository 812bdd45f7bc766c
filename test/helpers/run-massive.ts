/**
 * Runs bin/massive.cjs in a child process WITHOUT blocking this process's event loop (a mock hub in the test
 * process must keep answering), collecting its output.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

const bin = path.resolve(__dirname, "../../bin/massive.cjs");

export interface MassiveRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function massiveAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<MassiveRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}
