/**
 * The five parameters of the paper's Eq. 9, f(t) = A exp(-lambda x) ln(x) + K with x = gamma t + t0, in raw step units
 * unless said otherwise. A shared type: io/ reads them from fit-parameter files, dynamics/ fits them, predict/ and
 * plots/ use them; it lives below all stages so that none has to import a higher one for it. The model itself is
 * src/dynamics/eq9.ts (which re-exports this type).
 */
export interface Eq9Params {
  A: number;
  lambda: number;
  gamma: number;
  t0: number;
  K: number;
}
