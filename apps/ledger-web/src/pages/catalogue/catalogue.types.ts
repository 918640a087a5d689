/** The catalogue answers the pages read (apps/ledger-api/src/catalogue/catalogue.responses.ts; Swagger at /docs). */
export interface Party {
  readonly organisationId: string;
  readonly name: string | null;
}

export type MassView = { readonly kind: 'exact'; readonly grams: number } | { readonly kind: 'band'; readonly minGrams: number; readonly maxGrams: number | null };

export interface LocationView {
  readonly precision: 'site' | 'kommune' | 'region';
  readonly region: string | null;
  readonly kommuneCode: string | null;
  readonly kommuneName: string | null;
  readonly siteId: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
}

export type Audience =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'programme'; readonly programmeId: string; readonly valueChainId?: string }
  | { readonly kind: 'organisations'; readonly organisationIds: readonly string[] };

export interface Visibility {
  readonly audience: Audience;
  readonly disclosure: { readonly name: boolean; readonly mass: 'exact' | 'band'; readonly location: 'site' | 'kommune' | 'region' };
}

export interface FibreShare {
  readonly fibre: string;
  readonly share: number;
}

export interface Offer {
  readonly offerId: string;
  readonly kind: 'batch' | 'stream';
  readonly state: string;
  readonly full: boolean;
  readonly holder: Party | null;
  readonly batchId: string | null;
  readonly title: string;
  readonly grade: string;
  readonly composition: readonly FibreShare[];
  readonly ewcCode: string;
  readonly mass: MassView;
  readonly period: string | null;
  readonly location: LocationView;
  readonly availableFrom: string;
  readonly availableUntil: string | null;
  readonly terms: string | null;
  readonly visibility: Visibility | null;
  readonly reservedFor: string | null;
  readonly offeredAt: string;
  readonly position: number;
}

export interface Want {
  readonly wantId: string;
  readonly state: string;
  readonly full: boolean;
  readonly buyer: Party | null;
  readonly title: string;
  readonly fibres: readonly { readonly fibre: string; readonly minShare: number }[];
  readonly grades: readonly string[];
  readonly ewcCodes: readonly string[];
  readonly minGrams: number;
  readonly maxGrams: number | null;
  readonly location: LocationView;
  readonly region: string | null;
  readonly neededBy: string | null;
  readonly visibility: Visibility | null;
  readonly publishedAt: string;
  readonly position: number;
}

export interface Score {
  readonly total: number;
  readonly parts: { readonly fibre: number; readonly grade: number; readonly ewc: number; readonly mass: number; readonly distance: number };
  readonly distanceKm: number | null;
  readonly distanceBasis: 'coordinates' | 'same-kommune' | 'same-region' | 'none';
}

export interface Co2e {
  readonly route: 'reuse' | 'recycling';
  readonly grams: number;
  readonly basis: 'exact' | 'band-minimum';
  readonly factorSetId: string | null;
  /** Exact decimal tonnes; null when the factor is unknown (never 0). */
  readonly tCo2e: string | null;
}

export interface WantMatches {
  readonly wantId: string;
  readonly matches: readonly { readonly offer: Offer; readonly score: Score; readonly co2e: Co2e }[];
}

export interface OfferMatches {
  readonly offerId: string;
  readonly matches: readonly { readonly want: Want; readonly score: Score; readonly co2e: Co2e }[];
}

/** One `event: match` of GET /catalogue/events. */
export interface MatchEvent {
  readonly offer: Offer;
  readonly want: Want;
  readonly score: Score;
  readonly co2e: Co2e;
  /** Which of the two is the recipient's own. */
  readonly side: 'offer' | 'want';
}

export interface DealStep {
  readonly kind: string;
  readonly occurredAt: string;
  readonly actorOrgId: string;
  readonly transferId: string | null;
  readonly grams: number | null;
  readonly note: string | null;
  readonly position: number;
}

export interface Deal {
  readonly dealId: string;
  readonly offerId: string;
  readonly offerTitle: string | null;
  readonly batchId: string | null;
  readonly holder: Party | null;
  readonly buyer: Party;
  readonly status: string;
  readonly transferId: string | null;
  readonly dispatchedGrams: number | null;
  readonly receivedGrams: number | null;
  readonly message: string | null;
  readonly requestedAt: string;
  readonly updatedAt: string;
  readonly symbiosis: 'classic' | 'via-market' | null;
  readonly history: readonly DealStep[];
}

/** GET /batches: the holder's available batches, to offer one. */
export interface BatchChoice {
  readonly batchId: string;
  readonly ewcCode: string | null;
  readonly massGrams: number;
  readonly grade: string;
  readonly productType: string | null;
  readonly composition: readonly FibreShare[];
  readonly status: string;
  readonly custodianOrgId: string;
}

export interface SiteChoice {
  readonly siteId: string;
  readonly name: string;
  readonly kommuneCode: string;
  readonly open: boolean;
}

export interface ProgrammeChoice {
  readonly programmeId: string;
  readonly name: string;
  readonly valueChains: readonly { readonly valueChainId: string; readonly name: string }[];
}
