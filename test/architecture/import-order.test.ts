/**
 * The folders of src/ are one-way layers: a file may import its own folder and the layers below it, never a layer
 * above. This test reads every relative import of src/ (static, type-only, `export ... from`, `require()` and
 * `import()`, through TypeScript's own pre-processor) and fails on one that runs against the order, and on any
 * import cycle between files (type-only imports included: a cycle of types is still two files that cannot be read
 * one after the other).
 *
 * The order, lowest first (a layer may import any layer listed before it):
 * - util/               numeric and system helpers with no project imports (atomic writes, progress, Rng, mean,
 *                       formatting, sleep, float bits, SPD solve, usage errors, step lists).
 * - backend*.ts         the TensorFlow.js backend choice; only util/ below it, so every stage that runs tensors may
 *                       import it.
 * - io/                 files and formats (checkpoints, tokenizers, stats, fit-parameter files, the hub client).
 * - model/              GPT-NeoX forward pass.
 * - record/             recording activation statistics over checkpoints.
 * - train/              training (issue 14): builds on model/ and record/'s seeded numpy-compatible random numbers;
 *                       only cli/ and the public index use it.
 * - dynamics/           fitting Eq. 9 / Eq. 14 and hypothesis comparison.
 * - predict/            predicting fit parameters from architecture.
 * - analysis/           seed and hyperparameter analyses (helper G's issue 13 part), reads dynamics/predict.
 * - plots/              figures and the HTML report.
 * - pipeline/           the main job (record -> fit -> predict -> figures).
 * - sweep/              many record/fit tasks over a cluster. Its imports are only io/ and util/, but it schedules
 *                       the work of the stages below (it runs `massive record` / `massive main` as tasks), and only
 *                       cli/ and the public index use it, so it sits just under cli/: the orchestration layer.
 * - cli/                the `massive` commands.
 * - index.ts            the public API: re-exports every stage, imported by nothing in src/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

const SRC = path.resolve(__dirname, "../../src");

/** Layers, lowest first. A key is a folder of src/ or a top-level file's stem (`backend*` covers backend-webgpu*). */
const LAYER_ORDER = [
  "util",
  "backend",
  "io",
  "model",
  "record",
  "train",
  "dynamics",
  "predict",
  "analysis",
  "plots",
  "pipeline",
  "sweep",
  "cli",
  "index",
] as const;

/**
 * Imports that still run against the order or close a cycle, each with the issue and the engineer who removes it.
 * Written as "from-file -> to-file" (paths relative to src/, without extension). Shrink only: a new entry here is a
 * new violation to discuss, not to hide.
 */
const KNOWN_VIOLATIONS: ReadonlyMap<string, string> = new Map<string, string>([
  // Empty since issue 19 (helper E) moved Rng, mean, R^2, Eq9Params, UsageError, parseStepList and RecordCheck.
]);

/** The layer of a file of src/ (path relative to src/, forward slashes). */
function layerOf(relativePath: string): string {
  const parts = relativePath.split("/");
  if (parts.length > 1) return parts[0];
  const stem = parts[0].replace(/\.(ts|cts|cjs|js)$/, "");
  if (stem.startsWith("backend")) return "backend";
  return stem;
}

function listSourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listSourceFiles(full);
    return /\.(ts|cts|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** Resolves a relative specifier the way Node/tsx would for this project (no extensions in imports). */
function resolveImport(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, `${base}.ts`, `${base}.cts`, `${base}.cjs`, path.join(base, "index.ts")];
  return candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

interface ImportEdge {
  from: string; // relative to src/, no extension
  to: string;
}

function withoutExtension(relativePath: string): string {
  return relativePath.replace(/\.(ts|cts|cjs)$/, "");
}

function readImportEdges(): { edges: ImportEdge[]; unresolved: string[] } {
  const edges: ImportEdge[] = [];
  const unresolved: string[] = [];
  for (const file of listSourceFiles(SRC)) {
    const text = fs.readFileSync(file, "utf8");
    // readImportFiles, detectJavaScriptImports: also `require("...")` and `import("...")`.
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const from = withoutExtension(path.relative(SRC, file).split(path.sep).join("/"));
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith(".")) continue; // npm packages and node: built-ins
      const target = resolveImport(file, fileName);
      if (target === undefined) {
        unresolved.push(`${from} imports "${fileName}", which is no file`);
        continue;
      }
      const to = withoutExtension(path.relative(SRC, target).split(path.sep).join("/"));
      if (!to.startsWith("..")) edges.push({ from, to });
      // Outside src/, only data files are fine (package.json for the version); code lives in src/.
      else if (!to.endsWith(".json")) unresolved.push(`${from} imports "${fileName}", code outside src/`);
    }
  }
  return { edges, unresolved };
}

/** Strongly connected components with more than one file (Tarjan), plus files importing themselves. */
function findCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!graph.has(from)) graph.set(from, []);
    if (!graph.has(to)) graph.set(to, []);
    graph.get(from)!.push(to);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)!) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = graph.get(node)!.includes(node);
      if (component.length > 1 || selfImport) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

const { edges, unresolved } = readImportEdges();

test("the import reader sees the project's imports (guards against a reader that finds nothing)", () => {
  assert.deepEqual(unresolved, []);
  // Known edges of every kind: a static import, an `export * from`, and the re-export of the public index.
  const has = (from: string, to: string) => edges.some((edge) => edge.from === from && edge.to === to);
  assert.ok(has("index", "io/index"), "src/index.ts re-exports io/index");
  assert.ok(has("cli/main", "cli/args") || has("cli/main", "cli/command"), "cli/main imports its helpers");
  assert.ok(edges.length > 300, `only ${edges.length} import edges found in src/`);
});

test("every folder and top-level file of src/ has a place in the layer order", () => {
  const unknown = new Set<string>();
  for (const { from, to } of edges) {
    for (const file of [from, to]) if (!(LAYER_ORDER as readonly string[]).includes(layerOf(file))) unknown.add(file);
  }
  assert.deepEqual(
    [...unknown].sort(),
    [],
    "a new folder of src/ needs its place in LAYER_ORDER of test/architecture/import-order.test.ts",
  );
});

test("no import runs against the layer order io -> model -> record -> dynamics -> predict -> plots -> pipeline -> cli", () => {
  const rank = (file: string) => (LAYER_ORDER as readonly string[]).indexOf(layerOf(file));
  const upward = edges
    .filter(({ from, to }) => rank(to) > rank(from))
    .map(({ from, to }) => `${from} -> ${to}`)
    .filter((edge) => !KNOWN_VIOLATIONS.has(edge));
  assert.deepEqual([...new Set(upward)].sort(), [], "imports of a higher layer (see the order at the top of this test)");
});

test("no file imports itself through a cycle", () => {
  const cycles = findCycles(edges)
    .filter((component) => {
      // A cycle is known when every edge inside it that the allow-list names would break it; simplest rule: a
      // component is allowed only while some edge inside it is listed.
      const inside = new Set(component);
      return !edges.some(({ from, to }) => inside.has(from) && inside.has(to) && KNOWN_VIOLATIONS.has(`${from} -> ${to}`));
    })
    .map((component) => component.join(" <-> "));
  assert.deepEqual(cycles, [], "import cycles between files of src/");
});

test("the allow-list of known violations names only imports that still exist", () => {
  const present = new Set(edges.map(({ from, to }) => `${from} -> ${to}`));
  const stale = [...KNOWN_VIOLATIONS.keys()].filter((edge) => !present.has(edge));
  assert.deepEqual(stale, [], "remove these entries from KNOWN_VIOLATIONS: the imports are gone");
});
