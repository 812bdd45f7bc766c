// Public API of the record stage; re-exported by src/index.ts.
export { MT19937, LegacyRandomState, randomInterval } from "./numpy-random";
