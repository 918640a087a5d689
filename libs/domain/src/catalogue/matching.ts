import { formatDecimal } from '../emission-factors/avoided-co2e.js';
import type { DisclosedOffer, DisclosedWant, LocationView, MassView } from './disclosure.js';
import { haversineKm } from './location.js';

/**
 * Matching offers and wants (docs/decisions/046-symbiosis-catalogue.md). Pure, and run on what the
 * viewer may see of the other side (a band, not grams; a kommune, not a site), so that a ranking
 * never tells more than the entries themselves.
 *
 * A match must fit: every wanted fibre at its least share, a wanted grade and EWC code (when the
 * want names any), overlapping masses, the want's region, and available by the want's date. Among
 * fits the score ranks, from these parts (integers, so a hand computation gives the same order):
 * - fibre: the offer's share of the wanted fibres, in whole per cent (0–100; 0 if the want names none);
 * - grade: 20 when the want names grades (and so the offer's is one of them), else 0;
 * - ewc: 10 when the want names EWC codes, else 0;
 * - mass: 50 when the offer's mass (or band) lies wholly inside the want's range, 25 when they only overlap;
 * - distance: both positions known, 50 − ⌊km / 5⌋ (at least 0); otherwise the same kommune 30, the same region 15, else 0.
 * Ties: the higher total, then the shorter known distance (unknown last), then the id.
 */
export interface ScoreParts {
  readonly fibre: number;
  readonly grade: number;
  readonly ewc: number;
  readonly mass: number;
  readonly distance: number;
}

export type DistanceBasis = 'coordinates' | 'same-kommune' | 'same-region' | 'none';

export interface MatchScore {
  readonly total: number;
  readonly parts: ScoreParts;
  readonly distanceKm: number | null;
  readonly distanceBasis: DistanceBasis;
}

/** What a trade would save: the grams it could move (the want's most, the offer's least visible mass) on the route its grade takes. */
export interface MatchCo2e {
  readonly route: 'reuse' | 'recycling';
  readonly grams: number;
  /** `band-minimum`: the offer shows a band, so the saving is at least this. */
  readonly basis: 'exact' | 'band-minimum';
  readonly factorSetId: string | null;
  /** Tonnes CO2e as an exact decimal; null when the factor set in force gives no factor for the route (unknown, not zero). */
  readonly tCo2e: string | null;
}

export interface Match {
  readonly offerId: string;
  readonly wantId: string;
  readonly score: MatchScore;
  readonly co2e: MatchCo2e;
}

/** The factor set in force, as matching needs it. */
export interface FactorSetInForce {
  readonly factorSetId: string;
  readonly factors: ReadonlyArray<{ readonly route: string; readonly kgCo2eAvoidedPerKg: string | null }>;
}

function massRange(mass: MassView): [number, number] {
  return mass.kind === 'exact' ? [mass.grams, mass.grams] : [mass.minGrams, mass.maxGrams === null ? Number.POSITIVE_INFINITY : mass.maxGrams - 1];
}

function regionOf(location: LocationView): string | null {
  return location.region;
}

function kommuneOf(location: LocationView): string | null {
  return location.precision === 'region' ? null : location.kommuneCode;
}

function positionOf(location: LocationView): { latitude: number; longitude: number } | null {
  return location.precision === 'site' && location.latitude !== null && location.longitude !== null ? { latitude: location.latitude, longitude: location.longitude } : null;
}

/** Whether the offer fits the want at all; undefined when it does not, else the score. */
export function scoreMatch(offer: DisclosedOffer, want: DisclosedWant): MatchScore | undefined {
  const shares = new Map(offer.composition.map((c) => [c.fibre as string, c.share]));
  if (!want.fibres.every((f) => (shares.get(f.fibre) ?? 0) >= f.minShare)) return undefined;
  if (want.grades.length > 0 && !want.grades.includes(offer.grade)) return undefined;
  if (want.ewcCodes.length > 0 && !want.ewcCodes.includes(offer.ewcCode)) return undefined;
  const [offerMin, offerMax] = massRange(offer.mass);
  const wantMax = want.maxGrams ?? Number.POSITIVE_INFINITY;
  if (offerMax < want.minGrams || offerMin > wantMax) return undefined;
  if (want.region !== null && regionOf(offer.location) !== want.region) return undefined;
  if (want.neededBy !== null && Date.parse(offer.availableFrom) > Date.parse(want.neededBy)) return undefined;

  const wantedShare = want.fibres.reduce((sum, f) => sum + (shares.get(f.fibre) ?? 0), 0);
  const fibre = Math.floor(wantedShare / 100);
  const grade = want.grades.length > 0 ? 20 : 0;
  const ewc = want.ewcCodes.length > 0 ? 10 : 0;
  const mass = offerMin >= want.minGrams && offerMax <= wantMax ? 50 : 25;
  const a = positionOf(offer.location);
  const b = positionOf(want.location);
  let distance = 0;
  let distanceKm: number | null = null;
  let distanceBasis: DistanceBasis = 'none';
  if (a && b) {
    distanceKm = haversineKm(a, b);
    distance = Math.max(0, 50 - Math.floor(distanceKm / 5));
    distanceBasis = 'coordinates';
  } else if (kommuneOf(offer.location) !== null && kommuneOf(offer.location) === kommuneOf(want.location)) {
    distance = 30;
    distanceBasis = 'same-kommune';
  } else if (regionOf(offer.location) !== null && regionOf(offer.location) === regionOf(want.location)) {
    distance = 15;
    distanceBasis = 'same-region';
  }
  const parts = { fibre, grade, ewc, mass, distance };
  return { total: fibre + grade + ewc + mass + distance, parts, distanceKm, distanceBasis };
}

/** t CO2e = grams × kg CO2e per kg / 10^6, exactly. */
function tonnesCo2e(grams: number, kgPerKg: string): string {
  const negative = kgPerKg.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? kgPerKg.slice(1) : kgPerKg).split('.');
  const units = BigInt(`${whole}${fraction}`) * (negative ? -1n : 1n);
  return formatDecimal(BigInt(grams) * units, fraction.length + 6);
}

export function tradeCo2e(offer: DisclosedOffer, want: DisclosedWant, factors: FactorSetInForce | undefined): MatchCo2e {
  const route = offer.grade === 'reuse' ? 'reuse' : 'recycling';
  const offered = offer.mass.kind === 'exact' ? offer.mass.grams : offer.mass.minGrams;
  const grams = want.maxGrams === null ? offered : Math.min(offered, want.maxGrams);
  const factor = factors?.factors.find((f) => f.route === route)?.kgCo2eAvoidedPerKg ?? null;
  return {
    route,
    grams,
    basis: offer.mass.kind === 'exact' ? 'exact' : 'band-minimum',
    factorSetId: factors?.factorSetId ?? null,
    tCo2e: factor === null ? null : tonnesCo2e(grams, factor),
  };
}

function byRank(a: Match, b: Match, idOf: (m: Match) => string): number {
  if (a.score.total !== b.score.total) return b.score.total - a.score.total;
  const da = a.score.distanceKm ?? Number.POSITIVE_INFINITY;
  const db = b.score.distanceKm ?? Number.POSITIVE_INFINITY;
  if (da !== db) return da < db ? -1 : 1;
  return idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0;
}

/** The offers that fit a want, best first. */
export function rankOffersForWant(want: DisclosedWant, offers: readonly DisclosedOffer[], factors: FactorSetInForce | undefined): Match[] {
  const matches: Match[] = [];
  for (const offer of offers) {
    const score = scoreMatch(offer, want);
    if (score) matches.push({ offerId: offer.offerId, wantId: want.wantId, score, co2e: tradeCo2e(offer, want, factors) });
  }
  return matches.sort((a, b) => byRank(a, b, (m) => m.offerId));
}

/** The wants an offer fits, best first. */
export function rankWantsForOffer(offer: DisclosedOffer, wants: readonly DisclosedWant[], factors: FactorSetInForce | undefined): Match[] {
  const matches: Match[] = [];
  for (const want of wants) {
    const score = scoreMatch(offer, want);
    if (score) matches.push({ offerId: offer.offerId, wantId: want.wantId, score, co2e: tradeCo2e(offer, want, factors) });
  }
  return matches.sort((a, b) => byRank(a, b, (m) => m.wantId));
}
