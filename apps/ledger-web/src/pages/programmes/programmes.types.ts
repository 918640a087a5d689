/** The API's answers the programmes pages read (GET /programmes, /programmes/:id, /programmes/:id/members, /programmes/:id/impact). */
export interface ValueChain {
  readonly valueChainId: string;
  readonly name: string;
  readonly registeredAt: string;
}

export interface Programme {
  readonly programmeId: string;
  readonly name: string;
  readonly tag: string | null;
  readonly managerOrganisationId: string | null;
  readonly registeredAt: string;
  readonly valueChains: readonly ValueChain[];
}

export interface ProgrammeList {
  readonly programmes: readonly Programme[];
}

export type SmeStatus = 'sme' | 'not-sme' | 'unknown';

export interface Membership {
  readonly valueChainId: string | null;
  readonly from: string;
  /** The first day no longer a member; null while still one. */
  readonly until: string | null;
}

export interface Member {
  readonly organisationId: string;
  readonly name: string | null;
  readonly memberships: readonly Membership[];
  readonly lastMemberDay: string;
  readonly sizeAppliesFrom: string | null;
  readonly smeStatus: SmeStatus;
}

export interface MembersReport {
  readonly programmeId: string;
  readonly valueChainId: string | null;
  readonly from: string;
  readonly to: string;
  readonly members: readonly Member[];
  readonly counts: { readonly organisations: number; readonly smes: number; readonly notSmes: number; readonly unknown: number };
}

export interface ProgrammeCommandResult {
  readonly programmeId: string;
  readonly valueChainId?: string;
  readonly eventId: string;
  readonly position: number;
}

/** A factor set as GET /emission-factors lists it: the page offers the named sets to reproduce a report under. */
export interface FactorSetSummary {
  readonly factorSetId: string;
  readonly validFrom: string;
}

export interface FactorSetChoices {
  readonly sets: readonly FactorSetSummary[];
  readonly inForceToday: string | null;
}

export interface FactorSetRef {
  readonly factorSetId: string;
  readonly validFrom: string;
}

export interface RouteUnderSet {
  readonly route: string;
  readonly grams: number;
  readonly kgCo2ePerKg: string | null;
  readonly source: string | null;
  /** Exact decimal; null when the factor is unknown (never zero). */
  readonly tonnesCo2e: string | null;
  readonly known: boolean;
}

/** One way the material travelled: the catalogue's deals that count for the scope in the period. */
export interface SymbiosisFigures {
  readonly deals: number;
  readonly matchedDeals: number;
  readonly matchedGrams: number;
  readonly matchedTonnes: string;
  readonly tradedDeals: number;
  readonly tradedGrams: number;
  readonly tradedTonnes: string;
}

export type ImpactOriginClass = 'kommune' | 'pre-consumer' | 'post-consumer-business';

/** GET /programmes/:id/impact: every tonnes figure is an exact decimal string. */
export interface ProgrammeImpact {
  readonly scope: { readonly programmeId: string; readonly programmeName: string; readonly programmeTag: string | null; readonly valueChainId: string | null; readonly valueChainName: string | null };
  readonly period: { readonly from: string; readonly to: string };
  readonly wasteUsedAsRawMaterial: {
    readonly totalGrams: number;
    readonly totalTonnes: string;
    readonly memberGrams: number;
    readonly taggedOnlyGrams: number;
    readonly byOrigin: readonly {
      readonly originKey: string;
      readonly originClass: ImpactOriginClass;
      readonly kommuneCode: string | null;
      readonly kommuneName: string | null;
      readonly organisationId: string | null;
      readonly organisationName: string | null;
      readonly grams: number;
      readonly tonnes: string;
    }[];
    readonly byMember: readonly { readonly organisationId: string; readonly name: string | null; readonly member: boolean; readonly grams: number; readonly tonnes: string }[];
  };
  readonly reused: { readonly grams: number; readonly tonnes: string };
  readonly avoidedCo2e: {
    readonly basis: 'in-force-on-event-date' | 'named-set';
    readonly factorSet: FactorSetRef | null;
    readonly routes: readonly RouteUnderSet[];
    readonly parts: readonly { readonly factorSet: FactorSetRef | null; readonly from: string; readonly to: string; readonly routes: readonly RouteUnderSet[] }[];
    readonly totalTonnes: string | null;
    readonly knownTonnes: string;
  };
  readonly organisations: { readonly count: number; readonly members: readonly { readonly organisationId: string; readonly name: string | null; readonly smeStatus: SmeStatus }[] };
  readonly smes: { readonly count: number; readonly organisations: readonly { readonly organisationId: string; readonly name: string | null }[]; readonly unknownSize: number };
  readonly circularity: { readonly collectedGrams: number; readonly buckets: Readonly<Record<string, number>> };
  readonly symbiosis: { readonly classic: SymbiosisFigures; readonly viaMarket: SymbiosisFigures; readonly recurring: { readonly matchedDeals: number } };
  readonly asOf?: { readonly axis: 'position'; readonly position: number } | { readonly axis: 'recordedAt'; readonly recordedAt: string; readonly position: number };
}
