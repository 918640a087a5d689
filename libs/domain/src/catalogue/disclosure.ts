import type { Composition } from '../shared/units.js';
import type { Grade } from '../batch/batch.events.js';
import type { Audience, CatalogueLocation, Disclosure, StreamPeriod, Visibility } from './catalogue.events.js';
import { regionOfKommune } from './location.js';

/**
 * The mass bands an offer may show instead of its grams. Fixed, the same for everyone, so that a
 * band says nothing more than which rung the mass is on (a band tailored to the batch would).
 */
export const MASS_BANDS_GRAMS: ReadonlyArray<readonly [number, number | null]> = [
  [0, 100_000],
  [100_000, 500_000],
  [500_000, 1_000_000],
  [1_000_000, 5_000_000],
  [5_000_000, 20_000_000],
  [20_000_000, 100_000_000],
  [100_000_000, null],
];

/** What a viewer sees of a mass: the grams, or the band [minGrams, maxGrams) they fall in (maxGrams null: no upper bound). */
export type MassView = { readonly kind: 'exact'; readonly grams: number } | { readonly kind: 'band'; readonly minGrams: number; readonly maxGrams: number | null };

export function massBandOf(grams: number): MassView {
  const band = MASS_BANDS_GRAMS.find(([min, max]) => grams >= min && (max === null || grams < max)) ?? MASS_BANDS_GRAMS[MASS_BANDS_GRAMS.length - 1]!;
  return { kind: 'band', minGrams: band[0], maxGrams: band[1] };
}

/** What a viewer sees of a location: the site with its position, or only the kommune, or only the region. */
export type LocationView =
  | { readonly precision: 'site'; readonly kommuneCode: string; readonly region: string | null; readonly siteId: string | null; readonly latitude: number | null; readonly longitude: number | null }
  | { readonly precision: 'kommune'; readonly kommuneCode: string; readonly region: string | null }
  | { readonly precision: 'region'; readonly region: string | null };

export function locationView(location: CatalogueLocation, precision: Disclosure['location']): LocationView {
  const region = regionOfKommune(location.kommuneCode) ?? null;
  switch (precision) {
    case 'site':
      return { precision: 'site', kommuneCode: location.kommuneCode, region, siteId: location.siteId ?? null, latitude: location.latitude ?? null, longitude: location.longitude ?? null };
    case 'kommune':
      return { precision: 'kommune', kommuneCode: location.kommuneCode, region };
    case 'region':
      return { precision: 'region', region };
  }
}

/** An offer as recorded (the catalogue read model's row, in domain terms). */
export interface CatalogueOffer {
  readonly offerId: string;
  readonly kind: 'batch' | 'stream';
  readonly holderOrgId: string;
  readonly batchId: string | null;
  readonly title: string;
  readonly grade: Grade | 'unsorted';
  readonly composition: Composition;
  readonly ewcCode: string;
  /** A batch's current grams, or a stream's grams per period. */
  readonly massGrams: number;
  readonly period: StreamPeriod | null;
  readonly location: CatalogueLocation;
  readonly availableFrom: string;
  readonly availableUntil: string | null;
  readonly terms: string | null;
  readonly visibility: Visibility;
}

/** An offer as one viewer may see it. `holderOrgId` and `batchId` are null when not disclosed. */
export interface DisclosedOffer {
  readonly offerId: string;
  readonly kind: 'batch' | 'stream';
  /** True for the holder itself, auditors and the operator. */
  readonly full: boolean;
  readonly holderOrgId: string | null;
  readonly batchId: string | null;
  readonly title: string;
  readonly grade: Grade | 'unsorted';
  readonly composition: Composition;
  readonly ewcCode: string;
  readonly mass: MassView;
  readonly period: StreamPeriod | null;
  readonly location: LocationView;
  readonly availableFrom: string;
  readonly availableUntil: string | null;
  readonly terms: string | null;
}

/**
 * Redacts an offer to what its disclosure allows, unless the viewer sees it in full. The batch id
 * is the holder's to give (a buyer learns it with the reservation, from its deal).
 */
export function discloseOffer(offer: CatalogueOffer, full: boolean): DisclosedOffer {
  const d = offer.visibility.disclosure;
  return {
    offerId: offer.offerId,
    kind: offer.kind,
    full,
    holderOrgId: full || d.name ? offer.holderOrgId : null,
    batchId: full ? offer.batchId : null,
    title: offer.title,
    grade: offer.grade,
    composition: offer.composition,
    ewcCode: offer.ewcCode,
    mass: full || d.mass === 'exact' ? { kind: 'exact', grams: offer.massGrams } : massBandOf(offer.massGrams),
    period: offer.period,
    location: locationView(offer.location, full ? 'site' : d.location),
    availableFrom: offer.availableFrom,
    availableUntil: offer.availableUntil,
    terms: offer.terms,
  };
}

/** A want as recorded. */
export interface CatalogueWant {
  readonly wantId: string;
  readonly buyerOrgId: string;
  readonly title: string;
  readonly fibres: ReadonlyArray<{ readonly fibre: string; readonly minShare: number }>;
  readonly grades: readonly string[];
  readonly ewcCodes: readonly string[];
  readonly minGrams: number;
  readonly maxGrams: number | null;
  readonly location: CatalogueLocation;
  readonly region: string | null;
  readonly neededBy: string | null;
  readonly visibility: Visibility;
}

export interface DisclosedWant extends Omit<CatalogueWant, 'buyerOrgId' | 'location' | 'visibility'> {
  readonly full: boolean;
  readonly buyerOrgId: string | null;
  readonly location: LocationView;
}

/** A want shows its mass range as stated (a buyer's range is no secret); its name and place as disclosed. */
export function discloseWant(want: CatalogueWant, full: boolean): DisclosedWant {
  const d = want.visibility.disclosure;
  const { visibility: _visibility, ...rest } = want;
  return { ...rest, full, buyerOrgId: full || d.name ? want.buyerOrgId : null, location: locationView(want.location, full ? 'site' : d.location) };
}

/** The programme and value-chain memberships a viewer holds today (value chain null: the programme itself). */
export interface CurrentMembership {
  readonly programmeId: string;
  readonly valueChainId: string | null;
}

/** Whether an audience includes an organisation that is not the entry's own. */
export function audienceIncludes(audience: Audience, organisationId: string, memberships: readonly CurrentMembership[]): boolean {
  switch (audience.kind) {
    case 'everyone':
      return true;
    case 'organisations':
      return audience.organisationIds.includes(organisationId);
    case 'programme':
      return memberships.some((m) => m.programmeId === audience.programmeId && (audience.valueChainId === undefined || m.valueChainId === audience.valueChainId));
  }
}
