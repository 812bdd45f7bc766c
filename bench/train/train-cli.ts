/**
 * `massive train` as a one-file entry for esbuild bundles (scripts/device/pack.sh): the CLI dispatcher loads commands
 * by computed path, which a bundle cannot follow, so this calls the train command directly.
 *   node .gpu/js/bench/train/train-cli.js --config ... --out ...   (same flags as massive train)
 */
import { initBackend, tf } from "../../src/backend";
import { command } from "../../src/cli/commands/train";

// MASSIVE_WEBGPU_SUBMIT_BATCH: tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE (dispatches per queue submission; tfjs: 15)
initBackend().then(() => {
  const submit = Number(process.env.MASSIVE_WEBGPU_SUBMIT_BATCH ?? 0);
  if (submit > 0 && tf.getBackend() === "webgpu") tf.env().set("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE", submit);
  return command.run(process.argv.slice(2));
}).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`train: ${(err as Error).message}\n`);
  process.exit(1);
});
