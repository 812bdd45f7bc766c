/**
 * @deprecated Moved to src/util/rng.ts (issue 19: dynamics/ uses it too, and a stage may not import a higher one).
 * This re-export keeps `./rng` imports inside predict/ working; import from "../util/rng" in new code.
 */
export { Rng } from "../util/rng";
