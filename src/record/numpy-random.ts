/**
 * numpy's legacy `RandomState` (MT19937), as far as the paper's upstream sampling needs it:
 * `np.random.seed(seed)`, `np.random.permutation(n)` and `np.random.choice(n, size, replace=False)`.
 *
 * Legacy RandomState streams are frozen by numpy's compatibility policy (NEP 19), so these reproduce numpy 1.x and
 * 2.x exactly: `seed(int)` is MT19937's `init_genrand`; `shuffle` walks i = n-1 .. 1 and swaps x[i] with
 * x[random_interval(i)], where `random_interval(max)` draws 32-bit words masked to the smallest all-ones mask
 * >= max and rejects values > max (64-bit words when max >= 2^32); `choice(n, k, replace=False)` without weights is
 * `permutation(n)[:k]`.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998), 32-bit output. */
export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private index = N;

  /** Seeds as `init_genrand(seed)` (numpy's `RandomState(seed)` for an integer 0 <= seed < 2^32). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`MT19937: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing precision in doubles
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
    this.index = N;
  }

  private twist(): void {
    const mt = this.mt;
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & UPPER_MASK) | (mt[(k + 1) % N]! & LOWER_MASK);
      mt[k] = (mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
    }
    this.index = 0;
  }

  /** The next 32-bit output as an unsigned integer (genrand_int32). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** numpy's legacy `random_interval(max)`: a uniform integer in [0, max] by masked rejection sampling. */
export function randomInterval(rng: MT19937, max: number): number {
  if (!Number.isSafeInteger(max) || max < 0) throw new Error(`randomInterval: max must be a non-negative safe integer, got ${max}`);
  if (max === 0) return 0;
  if (max <= 0xffffffff) {
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (rng.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }
  // 64-bit path: next_uint64 = (hi << 32) | lo, masked; BigInt keeps it exact.
  const bigMax = BigInt(max);
  let mask = bigMax;
  for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) mask |= mask >> s;
  let value: bigint;
  do {
    const hi = BigInt(rng.nextUint32());
    const lo = BigInt(rng.nextUint32());
    value = ((hi << 32n) | lo) & mask;
  } while (value > bigMax);
  return Number(value);
}

/** numpy's legacy `RandomState`: seed, shuffle, permutation and choice without replacement. */
export class LegacyRandomState {
  private readonly rng: MT19937;

  /** `np.random.seed(seed)` / `np.random.RandomState(seed)` for an integer seed. */
  constructor(seed: number) {
    this.rng = new MT19937(seed);
  }

  /** In-place Fisher-Yates shuffle exactly as legacy `RandomState.shuffle` on a 1-D array. */
  shuffle<T>(x: T[] | Int32Array | Float64Array): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = randomInterval(this.rng, i);
      const tmp = x[i]!;
      x[i] = x[j]!;
      x[j] = tmp;
    }
  }

  /** `np.random.permutation(n)`: a shuffled `arange(n)`. */
  permutation(n: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`permutation: n must be an integer in [0, 2^31 - 1], got ${n}`);
    const arr = new Int32Array(n);
    for (let i = 0; i < n; i++) arr[i] = i;
    this.shuffle(arr);
    return Array.from(arr);
  }

  /** `np.random.choice(n, size, replace=False)` with uniform weights: `permutation(n)[:size]`. */
  choiceWithoutReplacement(n: number, size: number): number[] {
    if (!Number.isSafeInteger(size) || size < 0 || size > n) {
      throw new Error(`choiceWithoutReplacement: cannot take a sample of ${size} from ${n} items without replacement`);
    }
    return this.permutation(n).slice(0, size);
  }
}
