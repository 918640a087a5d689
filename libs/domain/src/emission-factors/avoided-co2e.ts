/**
 * CO2e avoided by the routes textile took, from integer grams and a factor set's exact decimals
 * (docs/decisions/042-emission-factors-as-data.md). Computed with BigInt, so the answer is exact:
 * grams × factor / 1000, written out in full. A route whose factor is unknown, or which the set
 * does not name, is reported as unknown, never as zero.
 */
import type { EmissionFactor } from './emission-factors.events.js';

export type AvoidedCo2e =
  | { readonly route: string; readonly grams: number; readonly known: true; readonly kgCo2e: string }
  | { readonly route: string; readonly grams: number; readonly known: false; readonly kgCo2e: null };

interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

function parseDecimal(text: string): ScaledDecimal {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const units = BigInt(`${whole}${fraction}`);
  return { units: negative ? -units : units, scale: fraction.length };
}

/** Writes units × 10^-scale as a decimal string without trailing zeros ("20.4", "5", "0.0001"). */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && text !== '0' ? `-${text}` : text;
}

/** grams × (kg CO2e per kg) / 1000 g per kg, exactly. */
export function kgCo2eOf(grams: number, kgCo2ePerKg: string): string {
  if (!Number.isSafeInteger(grams) || grams < 0) throw new RangeError(`grams must be a non-negative safe integer, got ${grams}`);
  const factor = parseDecimal(kgCo2ePerKg);
  return formatDecimal(BigInt(grams) * factor.units, factor.scale + 3);
}

export function avoidedCo2e(gramsByRoute: Readonly<Record<string, number>>, factors: readonly Pick<EmissionFactor, 'route' | 'kgCo2eAvoidedPerKg'>[]): AvoidedCo2e[] {
  const byRoute = new Map(factors.map((f) => [f.route as string, f.kgCo2eAvoidedPerKg]));
  return Object.entries(gramsByRoute).map(([route, grams]) => {
    const factor = byRoute.get(route);
    if (factor === undefined || factor === null) {
      if (!Number.isSafeInteger(grams) || grams < 0) throw new RangeError(`grams must be a non-negative safe integer, got ${grams}`);
      return { route, grams, known: false, kgCo2e: null };
    }
    return { route, grams, known: true, kgCo2e: kgCo2eOf(grams, factor) };
  });
}
