/**
 * Whether a package resolves from the repository root: `webgpu` is an optional dependency, and tsx is absent from the
 * GPU machine's esbuild bundles, so tests that need either skip without them.
 */
import * as path from "node:path";

export const REPO_ROOT = path.join(__dirname, "..", "..");

export function resolvable(name: string): boolean {
  try {
    require.resolve(name, { paths: [REPO_ROOT] });
    return true;
  } catch {
    return false;
  }
}
