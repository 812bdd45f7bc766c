/**
 * Registers TF.js's gradient functions once. tfjs-core's CommonJS bundle has none (the union package @tensorflow/tfjs
 * registers them); they ship only as ES module files (`dist/register_all_gradients.js`), which Node's require cannot
 * read in a package without "type": "module". Under tsx (the CLI, tests) and in esbuild bundles they load directly;
 * elsewhere (a tslab kernel) tsx's require hook is registered just for this one require. The registry is global, so
 * that copy of the gradient code serves the engine the backend uses.
 */
let registered = false;

export function registerGradients(): void {
  if (registered) return;
  try {
    require("@tensorflow/tfjs-core/dist/register_all_gradients");
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { register } = require("tsx/cjs/api") as { register: () => () => void };
    const unregister = register();
    try {
      require("@tensorflow/tfjs-core/dist/register_all_gradients");
    } finally {
      unregister();
    }
  }
  registered = true;
}
