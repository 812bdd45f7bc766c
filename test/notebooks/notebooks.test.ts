// Executes EVERY notebooks/*.ipynb headless with nbconvert (no --allow-errors: a cell error fails the run), then checks
// each executed notebook holds at least one Plotly figure as a full mime bundle (application/vnd.plotly.v1+json object,
// text/html, text/plain), and that nbconvert's HTML export of it draws every figure offline in headless Chromium.
// Executed notebooks, their HTML and screenshots land in test-artifacts/notebooks/. Notebook parameters come from
// environment variables, which pass through to the kernel.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { ARTIFACTS, checkPlots, launchChromium, openPage } from "../plots/browser";
import { withNotebookLock } from "../helpers/notebook-lock";

const root = path.resolve(__dirname, "../..");
const outDir = path.join(ARTIFACTS, "notebooks");
// MASSIVE_NOTEBOOKS=02,03 runs only the notebooks whose names contain one of the substrings (default: every notebook).
const only = (process.env.MASSIVE_NOTEBOOKS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const notebooks = fs
  .readdirSync(path.join(root, "notebooks"))
  .filter((f) => f.endsWith(".ipynb") && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
const env = { ...process.env, JUPYTER_PATH: [root, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter), PYDEVD_DISABLE_FILE_VALIDATION: "1" };

interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Notebook {
  metadata: { kernelspec?: { name?: string; display_name?: string } };
  cells: { cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }[];
}

// Resources the nbconvert HTML template itself points to (require.js, MathJax) may be absent offline: not our errors.
const TEMPLATE_RESOURCE_ERROR = /Failed to load resource: net::ERR_(FILE_NOT_FOUND|NAME_NOT_RESOLVED|INTERNET_DISCONNECTED|CONNECTION_REFUSED|ADDRESS_UNREACHABLE)/;

function nbconvert(args: string[]): void {
  const r = spawnSync("jupyter", ["nbconvert", ...args], { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run jupyter nbconvert (${r.error.message}): run scripts/setup.sh or see environment.yml`);
  if (r.status !== 0) {
    const tail = r.stderr.split("\n").filter((l) => !/Debugger warning|frozen modules|PYDEVD|Note: Debugging|^\d+\.\d+s - /.test(l)).slice(-40).join("\n");
    assert.fail(`jupyter nbconvert ${args.join(" ")} exited with ${r.status}:\n${tail}`);
  }
}

let browser: Browser | undefined;
before(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  // The kernel would rebuild lib/ (what notebooks import) on start when src/ changed; doing it here keeps that minute
  // out of nbconvert's kernel start-up timeout.
  const built = spawnSync(process.execPath, ["scripts/build-lib.cjs", "--if-stale"], { cwd: root, encoding: "utf8" });
  assert.equal(built.status, 0, `scripts/build-lib.cjs failed:\n${built.stderr}`);
  if (notebooks.length) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test("there are notebooks, each on the project's tslab kernel", () => {
  if (only.length === 0) assert.ok(notebooks.includes("00_quickstart.ipynb"), `notebooks: ${notebooks.join(", ")}`);
  assert.ok(notebooks.length > 0, `no notebook matches MASSIVE_NOTEBOOKS=${only.join(",")}`);
  for (const nb of notebooks) {
    const json = JSON.parse(fs.readFileSync(path.join(root, "notebooks", nb), "utf8")) as Notebook;
    assert.equal(json.metadata.kernelspec?.name, "tslab", `${nb}: kernelspec name`);
    const firstCode = json.cells.find((c) => c.cell_type === "code");
    const src = Array.isArray(firstCode?.source) ? firstCode!.source.join("") : (firstCode?.source ?? "");
    assert.match(src, /process\.env\./, `${nb}: the first code cell is the parameters cell (values overridable by environment variables)`);
  }
});

for (const nb of notebooks) {
  const stem = nb.replace(/\.ipynb$/, "");
  test(`${nb}: every cell runs headless, a Plotly mime bundle is in the outputs, the HTML export draws it offline`, async () => {
    // the Chromium test (front-end.test.ts, maybe running at the same time) runs the same notebook into the same folders
    await withNotebookLock(stem, async () => nbconvert(["--to", "notebook", "--execute", `notebooks/${nb}`, "--output", stem, "--output-dir", outDir, "--ExecutePreprocessor.timeout=900", "--ExecutePreprocessor.startup_timeout=300"]));
    const executed = JSON.parse(fs.readFileSync(path.join(outDir, nb), "utf8")) as Notebook;
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    const errors = outputs.filter((o) => o.output_type === "error");
    assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), [], "no error outputs");
    const bundles = outputs.filter((o) => (o.output_type === "display_data" || o.output_type === "execute_result") && o.data?.["application/vnd.plotly.v1+json"] !== undefined);
    assert.ok(bundles.length >= 1, `${nb}: no Plotly figure in the outputs`);
    for (const b of bundles) {
      const fig = b.data!["application/vnd.plotly.v1+json"] as { data?: unknown[]; layout?: unknown };
      assert.equal(typeof fig, "object", "the Plotly JSON is an object, not a string");
      assert.ok(Array.isArray(fig.data) && fig.data.length > 0, "the figure has traces");
      assert.equal(typeof fig.layout, "object");
      assert.ok(b.data!["text/html"] !== undefined, "text/html fallback present");
      assert.ok(b.data!["text/plain"] !== undefined, "text/plain fallback present");
    }

    nbconvert(["--to", "html", path.join(outDir, nb), "--output", stem, "--output-dir", outDir]);
    const { page, errors: pageErrors } = await openPage(browser!, path.join(outDir, `${stem}.html`));
    const plots = await checkPlots(page, bundles.length);
    await page.screenshot({ path: path.join(outDir, `${stem}.png`), fullPage: true });
    await page.close();
    assert.deepEqual(pageErrors.filter((e) => !TEMPLATE_RESOURCE_ERROR.test(e)), [], "no script errors in the exported HTML");
    assert.equal(plots.length, bundles.length, "every Plotly output drew in the exported HTML");
    for (const p of plots) assert.ok(p.drawn >= p.traces && p.drawn > 0, `${p.id}: ${p.drawn} drawn marks for ${p.traces} traces`);
  });
}
