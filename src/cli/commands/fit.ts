/**
 * `massive fit --stats <dir> --series ratio|top1|median --out <file.json>`: fits Eq. 9 to every layer of a stats
 * folder (exp2_<name>_step<N> files, or a model folder holding stats/) and writes the released
 * `layer_fit_params_<series>.json` format (one entry per layer, "original" with popt in the order A, λ, γ, t0, K in
 * raw step units), with extra keys beside "original" (status, stderr, peak, paper, bootstrap; docs/dynamics.md).
 */
import * as fs from "node:fs";
import { readExp2Series } from "../../io/exp2-stats";
import { writeFitParams } from "../../io/fit-params";
import { fitSeries } from "../../dynamics/fit-series";
import { choiceOption, defineCommand, integerOption, UsageError } from "../args";

export const command = defineCommand(
  {
    name: "fit",
    summary: "fit the dynamics model (Eq. 9) to every layer of a stats folder; writes layer_fit_params_<series>.json",
    options: {
      stats: { type: "string", required: true, description: "folder of exp2_<name>_step<N> files (or a model folder with stats/)" },
      series: { type: "string", default: "ratio", description: "ratio (Eq. 8: mean top1 / mean median), top1 or median" },
      out: { type: "string", required: true, description: "output JSON file (the released layer_fit_params format)" },
      method: { type: "string", default: "robust", description: "robust (multi-start, never worse) or paper (the paper's single start, scipy's budget)" },
      bootstrap: { type: "string", default: "0", description: "bootstrap replicates over the evaluation sequences (0 = none)" },
      seed: { type: "string", default: "0", description: "seed of the robust fit's random starts and of the bootstrap" },
      name: { type: "string", description: "model name when the folder holds several models' files" },
    },
    examples: [
      "massive fit --stats data/mini-pythia/d256-L8-H16 --series ratio --out results/d256-L8-H16/params/layer_fit_params_ratio.json",
      "massive fit --stats data/mini-pythia/d128-L6-H4/stats --series median --method paper --out /tmp/median.json",
      "massive fit --stats data/mini-pythia/d512-L4-H8 --series ratio --bootstrap 200 --seed 1 --out /tmp/ratio.json",
    ],
  },
  async (args) => {
    const v = args.values as Record<string, string | undefined>;
    const series = choiceOption(args, "series", ["ratio", "top1", "median"] as const)!;
    const method = choiceOption(args, "method", ["paper", "robust"] as const)!;
    const bootstrap = integerOption(args, "bootstrap")!;
    const seed = integerOption(args, "seed")!;
    const statsDir = v.stats!;
    if (!fs.existsSync(statsDir) || !fs.statSync(statsDir).isDirectory()) throw new UsageError(`--stats ${statsDir} is not a folder`);
    const data = readExp2Series(statsDir, { name: v.name, onWarning: (m) => process.stderr.write(`fit: warning: ${m}\n`) });
    process.stderr.write(`fit: ${data.name}: ${data.numLayers} layers x ${data.steps.length} steps (${data.steps[0]}..${data.steps[data.steps.length - 1]}), series ${series}, method ${method}${bootstrap ? `, bootstrap ${bootstrap}` : ""}\n`);
    const started = Date.now();
    const fits = fitSeries(data, series, {
      method, bootstrap, seed,
      onLayer: (f) => {
        const r = f.fit;
        const pk = f.peak;
        const where = pk && pk.inWindow ? ` (${pk.extremum === "maximum" ? "peak" : "trough"} at step ${Math.round(pk.tPeak)})` : "";
        const what = r.status === "failed" ? `FAILED: ${r.message}` : `R^2 ${r.r2.toFixed(4)} ${r.status}${pk ? `, ${pk.kind}${where}` : ""}`;
        process.stderr.write(`fit: layer ${f.layer}: ${what}${r.warnings.length ? ` (${r.warnings.join("; ")})` : ""}\n`);
      },
    });
    await writeFitParams(v.out!, fits);
    const failed = fits.filter((f) => f.fit.status === "failed").length;
    const meanR2 = fits.filter((f) => f.fit.status !== "failed").reduce((a, f, _, all) => a + f.fit.r2 / all.length, 0);
    process.stderr.write(`fit: wrote ${v.out} (${fits.length} layers, mean R^2 ${meanR2.toFixed(4)}${failed ? `, ${failed} failed` : ""}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return failed === fits.length ? 1 : 0;
  },
);
