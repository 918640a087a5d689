import { FIBRES, GRADES, LOCATION_DISCLOSURES, MASS_DISCLOSURES, REGIONS, STREAM_PERIODS } from '#domain';
import { z } from 'zod';
import { CommandResultFields, grams, instant, orgName, position, uuid } from '../common/answers.js';

/**
 * The catalogue's answers (docs/decisions/046-symbiosis-catalogue.md). Stable: the web pages are
 * built against them. Every member a disclosure may withhold is present and null, never absent, so
 * a page need not tell "hidden" from "missing" by shape.
 */

const GradeSchema = z.enum([...GRADES, 'unsorted']);
const PartySchema = z.object({ organisationId: uuid(), name: orgName() }).nullable().describe('Null when the entry does not disclose its organisation');

export const MassViewSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('exact'), grams: grams() }),
    z.object({ kind: z.literal('band'), minGrams: grams().describe('Band from, included'), maxGrams: grams().nullable().describe('Band to, excluded; null: no upper bound') }),
  ])
  .describe('The exact grams, or only the fixed band they fall in (a batch: its current mass; a stream: per period)');

export const LocationViewSchema = z
  .object({
    precision: z.enum(LOCATION_DISCLOSURES).describe('What is disclosed: the site, or only the kommune, or only the region'),
    region: z.enum(REGIONS).nullable(),
    kommuneCode: z.string().nullable(),
    kommuneName: z.string().nullable(),
    siteId: uuid().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
  })
  .describe('Members finer than the disclosed precision are null');

export const AudienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('everyone') }),
  z.object({ kind: z.literal('programme'), programmeId: uuid(), valueChainId: uuid().optional() }),
  z.object({ kind: z.literal('organisations'), organisationIds: z.array(uuid()) }),
]);
export const VisibilitySchema = z
  .object({
    audience: AudienceSchema,
    disclosure: z.object({ name: z.boolean(), mass: z.enum(MASS_DISCLOSURES), location: z.enum(LOCATION_DISCLOSURES) }),
  })
  .nullable()
  .describe('Only for the entry’s own organisation, auditors and the operator');

export const OFFER_STATES = ['open', 'reserved', 'unavailable', 'expired', 'withdrawn', 'taken', 'ended'] as const;

export const OfferSchema = z.object({
  offerId: uuid(),
  kind: z.enum(['batch', 'stream']),
  state: z
    .enum(OFFER_STATES)
    .describe('open; reserved (a request accepted); unavailable (its batch is in transit or in a process); expired (past availableUntil); withdrawn; taken (the deal’s buyer received it); ended (the batch changed hands otherwise, or was closed)'),
  full: z.boolean().describe('True when the viewer sees everything (its own offer, auditors, the operator)'),
  holder: PartySchema,
  batchId: uuid().nullable().describe('Only for the holder, auditors and the operator (a buyer finds it on its deal once accepted)'),
  title: z.string(),
  grade: GradeSchema,
  composition: z.array(z.object({ fibre: z.enum(FIBRES), share: z.number().int().describe('Basis points') })),
  ewcCode: z.string(),
  mass: MassViewSchema,
  period: z.enum(STREAM_PERIODS).nullable().describe('A recurring stream: the mass is per this period'),
  location: LocationViewSchema,
  availableFrom: instant(),
  availableUntil: instant().nullable(),
  terms: z.string().nullable(),
  visibility: VisibilitySchema,
  reservedFor: uuid().nullable().describe('The deal holding the reservation; only for those who see the offer in full'),
  offeredAt: instant(),
  position: position(),
});
export type OfferAnswer = z.infer<typeof OfferSchema>;
export const OfferListSchema = z.object({ offers: z.array(OfferSchema) });

export const WANT_STATES = ['open', 'expired', 'withdrawn'] as const;

export const WantSchema = z.object({
  wantId: uuid(),
  state: z.enum(WANT_STATES),
  full: z.boolean(),
  buyer: PartySchema,
  title: z.string(),
  fibres: z.array(z.object({ fibre: z.enum(FIBRES), minShare: z.number().int().describe('Least share, basis points') })),
  grades: z.array(GradeSchema),
  ewcCodes: z.array(z.string()),
  minGrams: grams(),
  maxGrams: grams().nullable(),
  location: LocationViewSchema,
  region: z.enum(REGIONS).nullable().describe('Offers only from this region'),
  neededBy: instant().nullable(),
  visibility: VisibilitySchema,
  publishedAt: instant(),
  position: position(),
});
export type WantAnswer = z.infer<typeof WantSchema>;
export const WantListSchema = z.object({ wants: z.array(WantSchema) });

export const ScoreSchema = z
  .object({
    total: z.number().int(),
    parts: z.object({
      fibre: z.number().int().describe('The offer’s share of the wanted fibres, whole per cent (0–100)'),
      grade: z.number().int().describe('20 when the want names grades (the offer’s is one), else 0'),
      ewc: z.number().int().describe('10 when the want names EWC codes (the offer’s is one), else 0'),
      mass: z.number().int().describe('50 when the offer’s mass lies inside the want’s range, 25 when they only overlap'),
      distance: z.number().int().describe('Both positions known: 50 − ⌊km/5⌋; else 30 same kommune, 15 same region, 0'),
    }),
    distanceKm: z.number().int().nullable(),
    distanceBasis: z.enum(['coordinates', 'same-kommune', 'same-region', 'none']),
  })
  .describe('Why the match ranks where it does');

export const Co2eSchema = z
  .object({
    route: z.enum(['reuse', 'recycling']),
    grams: grams().describe('What the trade could move: the want’s most, the offer’s (least visible) mass'),
    basis: z.enum(['exact', 'band-minimum']).describe('band-minimum: the offer shows a band, so the saving is at least this'),
    factorSetId: z.string().nullable().describe('The emission factor set in force today'),
    tCo2e: z.string().nullable().describe('Tonnes CO2e avoided, exact decimal; null when the factor is unknown (not zero)'),
  })
  .describe('What the trade would save under the factor set in force');

export const OfferMatchesSchema = z.object({ offerId: uuid(), matches: z.array(z.object({ want: WantSchema, score: ScoreSchema, co2e: Co2eSchema })) });
export const WantMatchesSchema = z.object({ wantId: uuid(), matches: z.array(z.object({ offer: OfferSchema, score: ScoreSchema, co2e: Co2eSchema })) });

export const DEAL_STATUSES = ['requested', 'accepted', 'declined', 'cancelled', 'dispatched', 'received', 'lapsed'] as const;
export const DealSchema = z.object({
  dealId: uuid().describe('The id of the request it began as'),
  offerId: uuid(),
  offerTitle: z.string().nullable(),
  batchId: uuid().nullable().describe('Shown to the buyer once the holder accepted'),
  holder: PartySchema.describe('Null for the buyer until accepted, when the offer does not disclose its organisation'),
  buyer: z.object({ organisationId: uuid(), name: orgName() }),
  status: z.enum(DEAL_STATUSES).describe('lapsed: the batch went to someone else or left the ledger while reserved'),
  transferId: uuid().nullable().describe('The custody transfer carrying the deal out'),
  dispatchedGrams: grams().nullable(),
  receivedGrams: grams().nullable(),
  message: z.string().nullable(),
  requestedAt: instant(),
  updatedAt: instant(),
  symbiosis: z.enum(['classic', 'via-market']).nullable().describe('classic: straight from the organisation whose residual it is; via-market: through collectors or processors; null for a stream'),
  history: z.array(
    z.object({
      kind: z.enum(['requested', 'accepted', 'reserved', 'declined', 'cancelled', 'dispatched', 'dispatch-cancelled', 'received', 'lapsed']),
      occurredAt: instant(),
      actorOrgId: uuid(),
      transferId: uuid().nullable(),
      grams: grams().nullable(),
      note: z.string().nullable(),
      position: position(),
    }),
  ),
});
export type DealAnswer = z.infer<typeof DealSchema>;
export const DealListSchema = z.object({ deals: z.array(DealSchema) });

export const OfferCommandResultSchema = z.object({ offerId: uuid(), ...CommandResultFields });
export const WantCommandResultSchema = z.object({ wantId: uuid(), ...CommandResultFields });
export const DealCommandResultSchema = z.object({ dealId: uuid(), ...CommandResultFields });

/** One server-sent event on GET /catalogue/events (`event: match`). */
export const MatchEventSchema = z.object({
  offer: OfferSchema,
  want: WantSchema,
  score: ScoreSchema,
  co2e: Co2eSchema,
  side: z.enum(['offer', 'want']).describe('Which of the two is the recipient’s own (or, for neither, the one it saw appear)'),
});
