// The notebooks as a user sees them: `scripts/front-end.sh notebook` (what `npm run notebook` runs) serves a copy of
// notebooks/ on 127.0.0.1 with a token on a free port; each notebook is opened in Chromium (playwright-core), run
// with the page's Cell > Run All, and, once the kernel is idle, checked: every code cell ran, no error output, every
// Plotly output drawn from its text/html fallback (SVG traces with data; the classic Notebook does not render
// application/vnd.plotly.v1+json), plotly.js sent in exactly one output. Screenshots and the time from kernel start
// to the first cell's result go to test-artifacts/front-end/. The server works on copies, so its autosave never
// writes outputs into notebooks/. MASSIVE_NOTEBOOKS=00,02 runs a subset, as for the nbconvert test.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { ARTIFACTS, checkPlots, launchChromium } from "../plots/browser";
import { withNotebookLock } from "../helpers/notebook-lock";

const root = path.resolve(__dirname, "../..");
const outDir = path.join(ARTIFACTS, "front-end");
const only = (process.env.MASSIVE_NOTEBOOKS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const notebooks = fs
  .readdirSync(path.join(root, "notebooks"))
  .filter((f) => f.endsWith(".ipynb") && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const token = crypto.randomBytes(16).toString("hex");
let server: ChildProcess | undefined;
let serverLog = "";
let base = "";
let tmp = "";
let browser: Browser | undefined;
const timings: Record<string, unknown>[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server?.exitCode !== null) throw new Error(`the Notebook server exited with ${server?.exitCode}:\n${serverLog.slice(-3000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Notebook server did not answer ${url} within ${ms / 1000} s:\n${serverLog.slice(-3000)}`);
}

before(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "massive-front-end-"));
  for (const nb of notebooks) fs.copyFileSync(path.join(root, "notebooks", nb), path.join(tmp, nb));
  // lib/ first, so the kernel's own staleness check finds nothing to do and the start-up time is the kernel's.
  const built = spawnSync(process.execPath, ["scripts/build-lib.cjs", "--if-stale"], { cwd: root, encoding: "utf8" });
  assert.equal(built.status, 0, `scripts/build-lib.cjs failed:\n${built.stderr}`);
  const port = await freePort();
  server = spawn("bash", ["scripts/front-end.sh", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${tmp}`], {
    cwd: root,
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so after() ends the server and its kernels together
  });
  server.stdout!.on("data", (d) => (serverLog += String(d)));
  server.stderr!.on("data", (d) => (serverLog += String(d)));
  base = `http://127.0.0.1:${port}`;
  await waitForServer(`${base}/api/status?token=${token}`, 120_000);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (server?.pid && server.exitCode === null) {
    process.kill(-server.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    if (server.exitCode === null) process.kill(-server.pid, "SIGKILL");
  }
  fs.writeFileSync(path.join(outDir, "server.log"), serverLog);
  if (timings.length) fs.writeFileSync(path.join(outDir, "timings.json"), JSON.stringify(timings, null, 1) + "\n");
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface PageState {
  kernelIdle: boolean;
  running: number;
  codeCells: number;
  executed: number;
  errors: string[];
  /** stderr of the cells (tslab prints type errors there, as "line:col - message", with no error output). */
  stderr: string[];
  plotlyOutputs: number;
  plotlyInlined: number;
}

/** What the classic Notebook page shows: kernel indicator, prompts, error outputs, Plotly outputs in the model. */
function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    type Output = { output_type: string; name?: string; text?: string; data?: Record<string, unknown> };
    type Cell = { cell_type: string; get_text(): string; input_prompt_number?: number | string | null; output_area?: { outputs: Output[] } };
    const nb = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter.notebook;
    const code = nb.get_cells().filter((c) => c.cell_type === "code" && c.get_text().trim() !== "");
    const outputs = code.flatMap((c) => c.output_area?.outputs ?? []);
    const plotly = outputs.filter((o) => o.data?.["application/vnd.plotly.v1+json"] !== undefined);
    return {
      kernelIdle: document.querySelector("#kernel_indicator_icon")?.classList.contains("kernel_idle_icon") ?? false,
      running: code.filter((c) => c.input_prompt_number === "*").length,
      codeCells: code.length,
      executed: code.filter((c) => typeof c.input_prompt_number === "number").length,
      errors: Array.from(document.querySelectorAll(".output_error")).map((e) => (e.textContent ?? "").slice(0, 500)),
      stderr: outputs.filter((o) => o.output_type === "stream" && o.name === "stderr").map((o) => String(o.text ?? "").slice(0, 500)),
      plotlyOutputs: plotly.length,
      plotlyInlined: plotly.filter((o) => String(o.data?.["text/html"] ?? "").includes("* plotly.js v")).length,
    };
  });
}

/** Runs a probe in the kernel and resolves when its output reaches the page (every earlier iopub message has too). */
async function iopubBarrier(page: Page): Promise<void> {
  // a string, not a function: tsx would wrap the callbacks' names in a helper the page does not have
  await page.evaluate(`new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("iopub probe: no output within 120 s")), 120000);
    const done = () => { clearTimeout(timer); resolve(true); };
    Jupyter.notebook.kernel.execute("console.log('iopub barrier')", { iopub: { output: done } }, { silent: false, store_history: false });
  })`);
}

async function waitFor(page: Page, what: string, ms: number, done: (s: PageState) => boolean): Promise<PageState> {
  const until = Date.now() + ms;
  let s = await pageState(page);
  while (!done(s)) {
    if (Date.now() > until) throw new Error(`${what}: not reached within ${ms / 1000} s (last state ${JSON.stringify(s)})`);
    await page.waitForTimeout(250);
    s = await pageState(page);
  }
  return s;
}

test("npm run notebook serves the notebooks (classic Notebook from Debian, or JupyterLab)", async () => {
  const r = await fetch(`${base}/api/contents?token=${token}`);
  assert.equal(r.status, 200);
  const listing = (await r.json()) as { content: { name: string }[] };
  assert.deepEqual(listing.content.map((c) => c.name).filter((n) => n.endsWith(".ipynb")).sort(), notebooks);
  assert.equal((await fetch(`${base}/api/contents`)).status, 403, "the token is required");
});

for (const nb of notebooks) {
  const stem = nb.replace(/\.ipynb$/, "");
  // the lock: the headless test (notebooks.test.ts, maybe running at the same time) runs the same notebook into the same folders
  test(`${nb} in Chromium: Run All through the page, no error output, every figure drawn`, { timeout: 1_200_000 }, () => withNotebookLock(stem, async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    try {
      const opened = Date.now();
      await page.goto(`${base}/notebooks/${encodeURIComponent(nb)}?token=${token}`, { waitUntil: "load", timeout: 120_000 });
      await page.waitForFunction(() => (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter?.notebook?.kernel?.is_connected() === true, undefined, { timeout: 300_000 });
      await waitFor(page, "kernel idle after start", 300_000, (s) => s.kernelIdle);
      // "Connected and idle" is reported from the shell channel; outputs travel on iopub. Run All sent before iopub
      // delivers loses early outputs. So first see one output arrive.
      await iopubBarrier(page);
      await waitFor(page, "kernel idle after the iopub probe", 60_000, (s) => s.kernelIdle);
      const kernelReady = Date.now();
      await page.click("#celllink");
      await page.click("#run_all_cells");
      const runAll = Date.now();
      // The first code cell's result: its prompt number appears.
      await page.waitForFunction(() => {
        type Cell = { cell_type: string; input_prompt_number?: unknown };
        const cells = (window as unknown as { Jupyter: { notebook: { get_cells(): Cell[] } } }).Jupyter.notebook.get_cells();
        return typeof cells.find((c) => c.cell_type === "code")?.input_prompt_number === "number";
      }, undefined, { timeout: 300_000, polling: 50 });
      const firstCell = Date.now();
      // Done: kernel idle and nothing queued, for two looks 3 s apart (a cell can finish between two others; after a
      // failed cell Run All stops, leaving later cells without a number).
      let state: PageState;
      for (;;) {
        state = await waitFor(page, "all cells run", 900_000, (s) => s.kernelIdle && s.running === 0);
        if (state.executed === state.codeCells || state.errors.length > 0) break;
        await page.waitForTimeout(3000);
        const again = await pageState(page);
        if (again.kernelIdle && again.running === 0 && again.executed === state.executed) break;
      }
      // iopub is ordered: once a probe's output is back, every earlier output (the last cell's figure, which can
      // carry plotly.js, several MB) has reached the page; without this the check can run before it arrives.
      await iopubBarrier(page);
      state = await pageState(page);
      const finished = Date.now();
      const plots = await checkPlots(page, state.plotlyOutputs);
      // The classic Notebook scrolls inside #site: let it grow so the screenshot holds the whole notebook.
      await page.evaluate(() => {
        for (const el of [document.documentElement, document.body, document.getElementById("site")]) if (el) Object.assign(el.style, { height: "auto", overflow: "visible" });
      });
      await page.screenshot({ path: path.join(outDir, `${stem}.png`), fullPage: true });
      timings.push({ notebook: nb, pageToKernelIdle_s: (kernelReady - opened) / 1000, runAllToFirstCellResult_s: (firstCell - runAll) / 1000, runAll_s: (finished - runAll) / 1000 });
      assert.deepEqual(state.errors, [], "no error output");
      assert.equal(state.executed, state.codeCells, `every code cell ran (stderr of the cells: ${JSON.stringify(state.stderr.slice(-3))})`);
      assert.ok(state.plotlyOutputs >= 1, "at least one Plotly figure");
      assert.equal(state.plotlyInlined, 1, "plotly.js in exactly one output of the notebook");
      assert.equal(plots.length, state.plotlyOutputs, "every Plotly output became a plot in the page");
      for (const p of plots) assert.ok(p.drawn >= p.traces && p.drawn > 0, `${p.id}: ${p.drawn} drawn marks for ${p.traces} traces`);
      assert.deepEqual(pageErrors.filter((e) => /plotly|massive/i.test(e)), [], "no script errors from the figures");
    } finally {
      // Leave without saving (the copy is thrown away) and stop the kernel, so the next notebook starts fresh.
      await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { kernel: { kill(): void } } } }).Jupyter.notebook.kernel.kill()).catch(() => undefined);
      await page.close();
    }
  }));
}
