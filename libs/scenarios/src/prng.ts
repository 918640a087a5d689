/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so that a scenario is a pure function of
 * its seed: Math.random would make a failing property impossible to replay. sfc32 passes PractRand
 * far beyond the few million draws a scenario needs and costs a handful of 32-bit operations.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // Any number is a valid seed (fast-check hands out negative and fractional ones too): fold it
    // into 32 bits first, then let splitmix32 spread it over the 128-bit state.
    let s = Math.trunc(seed) >>> 0;
    s = (s ^ Math.trunc(seed / 0x1_0000_0000)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // The first outputs of a fresh sfc32 state are weakly mixed; discard a few.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform real in [min, max). */
  real(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Picks by weight; zero-weight entries are never chosen. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of entries) total += Math.max(0, w);
    if (total <= 0) throw new RangeError('cannot pick from entries whose weights are all zero');
    let r = this.next() * total;
    for (const [value, w] of entries) {
      if (w <= 0) continue;
      r -= w;
      if (r < 0) return value;
    }
    // Float rounding can leave r a hair above zero after the last entry.
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i]![1] > 0) return entries[i]![0];
    throw new RangeError('unreachable');
  }

  /** Log-uniform integer in [min, max]: masses of real batches span orders of magnitude. */
  logInt(min: number, max: number): number {
    return Math.min(max, Math.max(min, Math.round(Math.exp(this.real(Math.log(min), Math.log(max))))));
  }
}
