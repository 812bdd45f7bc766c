/**
 * `massive train` as a one-file entry for esbuild bundles (scripts/device/pack.sh): the CLI dispatcher loads commands
 * by computed path, which a bundle cannot follow, so this calls the train command directly.
 *   node .gpu/js/bench/train/train-cli.js --config ... --out ...   (same flags as massive train)
 */
import { command } from "../../src/cli/commands/train";

command.run(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`train: ${(err as Error).message}\n`);
  process.exit(1);
});
