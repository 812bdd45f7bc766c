// Public API of the io stage; re-exported by src/index.ts.
export * from "./exp2-stats";
export { parsePythonNumberList, type PyNested } from "./python-literal";
