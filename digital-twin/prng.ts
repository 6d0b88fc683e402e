/**
 * The seeded pseudo-random number generator every part of the twin uses instead of Math.random.
 *
 * sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state, passes PractRand):
 * a few integer operations per number, so the simulator can draw noise for 100,000 sensors a step.
 * Its whole state is four 32-bit words plus the cached second Box–Muller sample, so a simulator
 * snapshot can carry it and a decoded run continues with exactly the same numbers.
 */

/** Everything needed to resume the generator exactly where it was. */
export interface PrngState {
  a: number;
  b: number;
  c: number;
  d: number;
  /** Gaussians come in pairs; the unused one waits here (NaN when none). */
  spare: number;
}

const TWO_POW_32 = 4294967296;
// Outputs discarded after seeding: sfc32's authors recommend 12+ so weak seeds mix fully.
const WARM_UP_ROUNDS = 15;

export class Prng {
  a: number;
  b: number;
  c: number;
  d: number;
  spare: number;

  constructor(state: PrngState) {
    this.a = state.a | 0;
    this.b = state.b | 0;
    this.c = state.c | 0;
    this.d = state.d | 0;
    this.spare = state.spare;
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /**
   * A standard normal sample (mean 0, standard deviation 1), by Marsaglia's polar form of
   * Box–Muller: no trigonometry, one logarithm per pair, which matters at 100,000 sensors a step.
   */
  gaussian(): number {
    const spare = this.spare;
    if (spare === spare) {
      // not NaN: use the cached twin
      this.spare = NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = (this.nextU32() / TWO_POW_32) * 2 - 1;
      v = (this.nextU32() / TWO_POW_32) * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * factor;
    return u * factor;
  }

  /** A copy of the state, for snapshots. */
  getState(): PrngState {
    return { a: this.a, b: this.b, c: this.c, d: this.d, spare: this.spare };
  }
}

/** splitmix32: spreads one 32-bit seed over the four state words. */
function splitmix32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) | 0;
  };
}

/** FNV-1a over the UTF-16 code units: a string seed becomes a 32-bit one. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h | 0;
}

/**
 * A generator seeded from a number (any finite number; its integer part and sign matter, and the
 * high bits of seeds beyond 2^32 are folded in) or a string.
 */
export function createPrng(seed: number | string): Prng {
  let word: number;
  if (typeof seed === 'string') {
    word = hashString(seed);
  } else {
    if (!Number.isFinite(seed)) {
      throw new Error(`seed: expected a finite number or a string, got ${String(seed)}`);
    }
    const integer = Math.trunc(seed);
    // Fold the bits above 2^32 in, so seeds 1 and 2^32 + 1 differ.
    word = (integer | 0) ^ Math.floor(integer / TWO_POW_32);
  }
  const mix = splitmix32(word);
  const prng = new Prng({ a: mix(), b: mix(), c: mix(), d: mix(), spare: NaN });
  for (let i = 0; i < WARM_UP_ROUNDS; i++) prng.nextU32();
  return prng;
}
