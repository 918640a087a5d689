/**
 * Matching, checked against a hand computation (docs/decisions/046-symbiosis-catalogue.md), and
 * what a viewer is shown of an offer.
 */
import { describe, expect, it } from '@jest/globals';
import type { Composition } from '../shared/units.js';
import type { Visibility } from './catalogue.events.js';
import { audienceIncludes, discloseOffer, discloseWant, locationView, massBandOf, type CatalogueOffer, type CatalogueWant, type DisclosedOffer, type DisclosedWant, type LocationView, type MassView } from './disclosure.js';
import { haversineKm } from './location.js';
import { rankOffersForWant, rankWantsForOffer, type FactorSetInForce } from './matching.js';

const id = (n: number): string => `0190d000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const AT = '2025-03-01T10:00:00.000Z';
const FACTORS: FactorSetInForce = { factorSetId: 'worked-2025', factors: [{ route: 'recycling', kgCo2eAvoidedPerKg: '3.5' }, { route: 'reuse', kgCo2eAvoidedPerKg: null }] };

function offer(n: number, composition: Composition, ewcCode: string, mass: MassView, location: LocationView, grade: DisclosedOffer['grade'] = 'recycling'): DisclosedOffer {
  return { offerId: id(n), kind: 'batch', full: false, holderOrgId: null, batchId: null, title: `offer ${n}`, grade, composition, ewcCode, mass, period: null, location, availableFrom: AT, availableUntil: null, terms: null };
}
const exact = (grams: number): MassView => ({ kind: 'exact', grams });
const site = (latitude: number, longitude: number): LocationView => ({ precision: 'site', kommuneCode: '0657', region: 'Midtjylland', siteId: null, latitude, longitude });

/** The spinner in Herning (0657, Midtjylland), at 56.0° N 9.0° E, wants 0.5–3 t with at least 60 % cotton, EWC 20 01 11 or 04 02 22. */
const WANT: DisclosedWant = {
  wantId: id(100),
  full: true,
  buyerOrgId: id(900),
  title: 'Cotton for spinning',
  fibres: [{ fibre: 'cotton', minShare: 6_000 }],
  grades: [],
  ewcCodes: ['20 01 11', '04 02 22'],
  minGrams: 500_000,
  maxGrams: 3_000_000,
  location: site(56.0, 9.0),
  region: null,
  neededBy: null,
};

const OFFERS: DisclosedOffer[] = [
  // G first in the list, so the tie with C must be broken by the id, not by the order given.
  offer(7, [{ fibre: 'cotton', share: 6_000 }, { fibre: 'polyester', share: 4_000 }], '20 01 11', exact(1_000_000), { precision: 'kommune', kommuneCode: '0661', region: 'Midtjylland' }),
  offer(1, [{ fibre: 'cotton', share: 8_000 }, { fibre: 'polyester', share: 2_000 }], '20 01 11', exact(2_000_000), site(56.45, 9.0)),
  offer(2, [{ fibre: 'cotton', share: 10_000 }], '04 02 22', { kind: 'band', minGrams: 1_000_000, maxGrams: 5_000_000 }, { precision: 'kommune', kommuneCode: '0657', region: 'Midtjylland' }, 'reuse'),
  offer(3, [{ fibre: 'cotton', share: 6_000 }, { fibre: 'wool', share: 4_000 }], '20 01 11', exact(800_000), { precision: 'region', region: 'Midtjylland' }),
  offer(4, [{ fibre: 'cotton', share: 5_000 }, { fibre: 'polyester', share: 5_000 }], '20 01 11', exact(1_000_000), site(56.0, 9.0)),
  offer(5, [{ fibre: 'cotton', share: 9_000 }, { fibre: 'linen', share: 1_000 }], '20 01 10', exact(1_000_000), site(56.0, 9.0)),
  offer(6, [{ fibre: 'cotton', share: 7_000 }, { fibre: 'polyester', share: 3_000 }], '20 01 11', exact(4_000_000), site(56.0, 9.0)),
];

describe('ranking offers for a want, as worked by hand', () => {
  /*
   * fibre = cotton share / 100; grade 0 (the want names none); ewc 10 (it names codes);
   * mass 50 inside 0.5–3 t, 25 overlapping only; distance 50 − ⌊km/5⌋ with both positions, 30 same
   * kommune, 15 same region.
   *   A (1): 80 + 0 + 10 + 50 (2 t inside) + 40 (0.45° of latitude = 6371 × 0.45 × π/180 = 50.04 → 50 km) = 180
   *   B (2): 100 + 0 + 10 + 25 (band 1–5 t overlaps) + 30 (Herning, both)                                 = 165
   *   C (3): 60 + 0 + 10 + 50 (0.8 t) + 15 (region only shown: Midtjylland)                                = 135
   *   G (7): 60 + 0 + 10 + 50 (1 t) + 15 (Holstebro, same region)                                          = 135; after C by id
   *   D (4) 50 % cotton < 60 %, E (5) EWC 20 01 10, F (6) 4 t > 3 t: no match.
   * CO2e at 3.5 kg per kg for recycling: A 2 t → 7 t; C 0.8 t → 2.8 t; G 1 t → 3.5 t;
   * B is reuse-grade, whose factor is unknown: unknown, not zero (and at least 1 t, the band's floor).
   */
  it('ranks A, B, C, G with the score parts and savings the hand computation gives', () => {
    expect(haversineKm({ latitude: 56.0, longitude: 9.0 }, { latitude: 56.45, longitude: 9.0 })).toBe(50);
    const ranked = rankOffersForWant(WANT, OFFERS, FACTORS);
    expect(ranked.map((m) => [m.offerId, m.score.total, m.score.parts, m.score.distanceBasis, m.co2e.grams, m.co2e.basis, m.co2e.tCo2e])).toEqual([
      [id(1), 180, { fibre: 80, grade: 0, ewc: 10, mass: 50, distance: 40 }, 'coordinates', 2_000_000, 'exact', '7'],
      [id(2), 165, { fibre: 100, grade: 0, ewc: 10, mass: 25, distance: 30 }, 'same-kommune', 1_000_000, 'band-minimum', null],
      [id(3), 135, { fibre: 60, grade: 0, ewc: 10, mass: 50, distance: 15 }, 'same-region', 800_000, 'exact', '2.8'],
      [id(7), 135, { fibre: 60, grade: 0, ewc: 10, mass: 50, distance: 15 }, 'same-region', 1_000_000, 'exact', '3.5'],
    ]);
    expect(ranked[0]!.score.distanceKm).toBe(50);
    expect(ranked[1]!.co2e.route).toBe('reuse');
  });

  it('without a factor set in force, every saving is unknown', () => {
    expect(rankOffersForWant(WANT, OFFERS, undefined).map((m) => m.co2e.tCo2e)).toEqual([null, null, null, null]);
  });

  it('a want naming a region, grades or a date takes only offers that fit them', () => {
    expect(rankOffersForWant({ ...WANT, region: 'Syddanmark' }, OFFERS, FACTORS)).toEqual([]);
    expect(rankOffersForWant({ ...WANT, grades: ['reuse'] }, OFFERS, FACTORS).map((m) => [m.offerId, m.score.parts.grade])).toEqual([[id(2), 20]]);
    expect(rankOffersForWant({ ...WANT, neededBy: '2025-02-01T00:00:00Z' }, OFFERS, FACTORS)).toEqual([]);
  });

  it('ranks wants for an offer the same way, best first', () => {
    const near: DisclosedWant = { ...WANT, wantId: id(101) };
    const far: DisclosedWant = { ...WANT, wantId: id(102), location: { precision: 'region', region: 'Nordjylland' } };
    const none: DisclosedWant = { ...WANT, wantId: id(103), fibres: [{ fibre: 'wool', minShare: 1 }] };
    expect(rankWantsForOffer(OFFERS[1]!, [far, none, near], FACTORS).map((m) => [m.wantId, m.score.total])).toEqual([
      [id(101), 180],
      [id(102), 140],
    ]);
  });
});

describe('what a viewer is shown', () => {
  const visibility: Visibility = { audience: { kind: 'everyone' }, disclosure: { name: false, mass: 'band', location: 'kommune' } };
  const recorded: CatalogueOffer = {
    offerId: id(1),
    kind: 'batch',
    holderOrgId: id(900),
    batchId: id(901),
    title: 'Hospital linen',
    grade: 'unsorted',
    composition: [{ fibre: 'cotton', share: 10_000 }],
    ewcCode: '20 01 11',
    massGrams: 2_345_678,
    period: null,
    location: { kommuneCode: '0657', siteId: id(902), latitude: 56.13, longitude: 8.97 },
    availableFrom: AT,
    availableUntil: null,
    terms: null,
    visibility,
  };

  it('a mass band instead of grams, the kommune instead of the site, and no name or batch, unless the viewer sees it in full', () => {
    const shown = discloseOffer(recorded, false);
    expect(shown).toMatchObject({ holderOrgId: null, batchId: null, mass: { kind: 'band', minGrams: 1_000_000, maxGrams: 5_000_000 }, location: { precision: 'kommune', kommuneCode: '0657', region: 'Midtjylland' } });
    expect(JSON.stringify(shown)).not.toContain('2345678');
    expect(JSON.stringify(shown)).not.toContain(id(902));
    expect(JSON.stringify(shown)).not.toContain('56.13');
    expect(discloseOffer(recorded, true)).toMatchObject({ holderOrgId: id(900), batchId: id(901), mass: { kind: 'exact', grams: 2_345_678 }, location: { precision: 'site', siteId: id(902), latitude: 56.13 } });
    expect(locationView(recorded.location, 'region')).toEqual({ precision: 'region', region: 'Midtjylland' });
  });

  it('bands are fixed rungs, the lower bound included and the upper excluded', () => {
    expect(massBandOf(99_999)).toEqual({ kind: 'band', minGrams: 0, maxGrams: 100_000 });
    expect(massBandOf(100_000)).toEqual({ kind: 'band', minGrams: 100_000, maxGrams: 500_000 });
    expect(massBandOf(250_000_000)).toEqual({ kind: 'band', minGrams: 100_000_000, maxGrams: null });
  });

  it('a want hides its buyer when asked to, never its mass range', () => {
    const want: CatalogueWant = { wantId: id(5), buyerOrgId: id(6), title: 'w', fibres: [], grades: [], ewcCodes: [], minGrams: 1, maxGrams: 2, location: { kommuneCode: '0101' }, region: null, neededBy: null, visibility };
    expect(discloseWant(want, false)).toMatchObject({ buyerOrgId: null, minGrams: 1, maxGrams: 2, location: { precision: 'kommune', kommuneCode: '0101' } });
  });

  it('an audience of a programme takes its members today (of a chain, that chain only); of named organisations, those', () => {
    const programme = { kind: 'programme' as const, programmeId: id(10) };
    const chain = { kind: 'programme' as const, programmeId: id(10), valueChainId: id(11) };
    expect(audienceIncludes(programme, id(1), [{ programmeId: id(10), valueChainId: id(12) }])).toBe(true);
    expect(audienceIncludes(chain, id(1), [{ programmeId: id(10), valueChainId: id(12) }])).toBe(false);
    expect(audienceIncludes(chain, id(1), [{ programmeId: id(10), valueChainId: id(11) }])).toBe(true);
    expect(audienceIncludes(programme, id(1), [])).toBe(false);
    expect(audienceIncludes({ kind: 'organisations', organisationIds: [id(2)] }, id(1), [])).toBe(false);
    expect(audienceIncludes({ kind: 'organisations', organisationIds: [id(1)] }, id(1), [])).toBe(true);
  });
});
