import { BUCKETS } from '#projections';
import { z } from 'zod';
import { AsOfMember, grams, orgName, uuid } from '../common/answers.js';

/** Tonnes as an exact decimal string: grams / 1,000,000 written out in full ("0.7", "700", "0.000001"). */
const tonnes = () => z.string().regex(/^-?\d+(\.\d+)?$/).describe('Tonnes as an exact decimal string (grams / 1,000,000, no rounding)');
const day = () => z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('A calendar day, YYYY-MM-DD (Europe/Copenhagen)');

const ORIGIN_CLASSES = ['kommune', 'pre-consumer', 'post-consumer-business'] as const;
export const OriginClassSchema = z.enum(ORIGIN_CLASSES).describe('kommune: collected from households; pre-/post-consumer-business: a residual an organisation registered');

const FactorSetRef = z.object({ factorSetId: z.string(), validFrom: day() });

/** One route's CO2e under one factor set. */
const RouteUnderSet = z.object({
  route: z.string().describe('recycling (grams used as raw material) or reuse (the reuse bucket)'),
  grams: grams(),
  kgCo2ePerKg: z.string().nullable().describe('The factor as published (exact decimal); null when the set gives none or no set was in force'),
  source: z.string().nullable().describe('Where the factor comes from, as the set publishes it'),
  tonnesCo2e: tonnes().nullable().describe('grams × factor, exact; null when the factor is unknown (never zero)'),
  known: z.boolean(),
});

/** One way the material travelled: the deals of the catalogue that count for the scope in the period. */
const SymbiosisFigures = z.object({
  deals: z.number().int().describe('Deals matched or traded in the period (or both), each once'),
  matchedDeals: z.number().int().describe('Deals accepted (the batch reserved for the buyer) on a day of the period and still standing: not cancelled, not lapsed'),
  matchedGrams: grams().describe('Of those: the grams dispatched once dispatched, else the grams of the reserved offer'),
  matchedTonnes: tonnes(),
  tradedDeals: z.number().int().describe('Deals whose batch the buyer received on a day of the period'),
  tradedGrams: grams().describe('Of those: the grams received'),
  tradedTonnes: tonnes(),
});

export const ProgrammeImpactSchema = z.object({
  scope: z.object({
    programmeId: uuid(),
    programmeName: z.string(),
    programmeTag: z.string().nullable().describe('Material tagged with it at origin counts whoever handled it (programme scope only)'),
    valueChainId: uuid().nullable(),
    valueChainName: z.string().nullable(),
  }),
  period: z.object({ from: day(), to: day().describe('Included') }),
  wasteUsedAsRawMaterial: z
    .object({
      totalGrams: grams(),
      totalTonnes: tonnes(),
      memberGrams: grams().describe('Of the total: used by an organisation while it was a member of the scope'),
      taggedOnlyGrams: grams().describe('Of the total: used by a non-member, counted because the material was tagged with the programme at origin'),
      byOrigin: z.array(
        z.object({
          originKey: z.string().describe('kommune:<code>, pre-consumer:<organisationId> or post-consumer-business:<organisationId>'),
          originClass: OriginClassSchema,
          kommuneCode: z.string().nullable(),
          kommuneName: z.string().nullable().describe('For a kommune origin'),
          organisationId: uuid().nullable().describe('For a residual origin: the organisation whose residual it was'),
          organisationName: orgName(),
          grams: grams(),
          tonnes: tonnes(),
        }),
      ),
      byMember: z
        .array(z.object({ organisationId: uuid(), name: orgName(), member: z.boolean().describe('False for a non-member counted through tagged material'), grams: grams(), tonnes: tonnes() }))
        .describe('By the organisation that ran the reprocessing process'),
    })
    .describe('Waste-cohort grams of the inputs of completed reprocessing processes that were not yet reprocessed, at the masses consumed: each waste gram once, when it first becomes reprocessed'),
  reused: z.object({ grams: grams(), tonnes: tonnes() }).describe('The reuse bucket: sold for reuse, exported for reuse or placed on the market without having been reprocessed'),
  avoidedCo2e: z.object({
    basis: z.enum(['in-force-on-event-date', 'named-set']).describe('Each event under the set in force on its day (default), or every event under the one set named by factorSet='),
    factorSet: FactorSetRef.nullable().describe('The named set, or the one set in force on every event day of the answer; null when several applied (see parts)'),
    routes: z
      .array(RouteUnderSet)
      .describe('recycling and reuse, summed over parts; kgCo2ePerKg and source only when one set applied (see parts). A route with grams under an unknown factor is unknown (tonnesCo2e null)'),
    parts: z
      .array(z.object({ factorSet: FactorSetRef.nullable().describe('null: no set was in force on those days'), from: day(), to: day(), routes: z.array(RouteUnderSet) }))
      .describe('One part per factor set used, with the first and last event day it covers'),
    totalTonnes: tonnes().nullable().describe('Σ routes; null when any route with grams has an unknown factor'),
    knownTonnes: tonnes().describe('Σ of the routes whose factor is known'),
  }),
  organisations: z.object({
    count: z.number().int().describe('Organisations that were members on any day of the period, each once'),
    members: z.array(z.object({ organisationId: uuid(), name: orgName(), smeStatus: z.enum(['sme', 'not-sme', 'unknown']) })),
  }),
  smes: z.object({
    count: z.number().int().describe('Members that were SMEs (EU definition, as declared) on the last day of the period they were members'),
    organisations: z.array(z.object({ organisationId: uuid(), name: orgName() })),
    unknownSize: z.number().int().describe('Members with no size in force: never counted as SMEs'),
  }),
  circularity: z
    .object({ collectedGrams: grams(), buckets: z.object(Object.fromEntries(BUCKETS.map((b) => [b, grams()])) as Record<(typeof BUCKETS)[number], ReturnType<typeof grams>>) })
    .describe('Where the waste the scope brought in went: batches collected or registered in the period by a member (or tagged with the programme), every gram in one bucket; collected = Σ buckets'),
  symbiosis: z
    .object({
      classic: SymbiosisFigures.describe('Classic symbiosis: a residual the seller registered itself, offered before it ever changed hands'),
      viaMarket: SymbiosisFigures.describe('Via the market: material that reached the seller through collectors or processors (collected, produced or received)'),
      recurring: z
        .object({ matchedDeals: z.number().int().describe('Deals on a recurring stream accepted in the period and still standing') })
        .describe('Recurring streams: counted, not weighed, since their deliveries are ordinary transfers the deal does not name'),
    })
    .describe("The symbiosis catalogue's deals: a deal counts on a day when its seller or its buyer was a member of the scope that day (a programme tag does not make a deal count)"),
  asOf: AsOfMember,
});

export type ProgrammeImpactAnswer = z.infer<typeof ProgrammeImpactSchema>;

const EXAMPLE_PROGRAMME = '01a24cc6-7bab-77fb-8744-65d2da3ab890';
const EXAMPLE_CHAIN = '01a24cc6-7bab-77fb-8744-65d2da3ab870';
const EXAMPLE_RECYCLER = '01a24cc6-7bab-77fb-8744-65d2da3ab863';
const EXAMPLE_SORTER = '01a24cc6-7bab-77fb-8744-65d2da3ab864';

export const PROGRAMME_IMPACT_EXAMPLE: ProgrammeImpactAnswer = {
  scope: { programmeId: EXAMPLE_PROGRAMME, programmeName: 'Closing Loops', programmeTag: 'closing-loops', valueChainId: EXAMPLE_CHAIN, valueChainName: 'CØ59' },
  period: { from: '2024-01-01', to: '2024-12-31' },
  wasteUsedAsRawMaterial: {
    totalGrams: 700_000_000,
    totalTonnes: '700',
    memberGrams: 700_000_000,
    taggedOnlyGrams: 0,
    byOrigin: [
      { originKey: 'kommune:0657', originClass: 'kommune', kommuneCode: '0657', kommuneName: 'Herning', organisationId: null, organisationName: null, grams: 650_000_000, tonnes: '650' },
      { originKey: `pre-consumer:${EXAMPLE_SORTER}`, originClass: 'pre-consumer', kommuneCode: null, kommuneName: null, organisationId: EXAMPLE_SORTER, organisationName: 'Vestjysk Sortering ApS', grams: 50_000_000, tonnes: '50' },
    ],
    byMember: [{ organisationId: EXAMPLE_RECYCLER, name: 'Fiberværket A/S', member: true, grams: 700_000_000, tonnes: '700' }],
  },
  reused: { grams: 120_500_000, tonnes: '120.5' },
  avoidedCo2e: {
    basis: 'in-force-on-event-date',
    factorSet: { factorSetId: 'herning-2022', validFrom: '2022-01-01' },
    routes: [
      { route: 'recycling', grams: 700_000_000, kgCo2ePerKg: '20.4', source: 'Tekstilsymbiose Herning brochure', tonnesCo2e: '14280', known: true },
      { route: 'reuse', grams: 120_500_000, kgCo2ePerKg: null, source: 'not given in the seed documents', tonnesCo2e: null, known: false },
    ],
    parts: [
      {
        factorSet: { factorSetId: 'herning-2022', validFrom: '2022-01-01' },
        from: '2024-01-08',
        to: '2024-12-19',
        routes: [
          { route: 'recycling', grams: 700_000_000, kgCo2ePerKg: '20.4', source: 'Tekstilsymbiose Herning brochure', tonnesCo2e: '14280', known: true },
          { route: 'reuse', grams: 120_500_000, kgCo2ePerKg: null, source: 'not given in the seed documents', tonnesCo2e: null, known: false },
        ],
      },
    ],
    totalTonnes: null,
    knownTonnes: '14280',
  },
  organisations: {
    count: 2,
    members: [
      { organisationId: EXAMPLE_RECYCLER, name: 'Fiberværket A/S', smeStatus: 'sme' },
      { organisationId: EXAMPLE_SORTER, name: 'Vestjysk Sortering ApS', smeStatus: 'unknown' },
    ],
  },
  smes: { count: 1, organisations: [{ organisationId: EXAMPLE_RECYCLER, name: 'Fiberværket A/S' }], unknownSize: 1 },
  circularity: {
    collectedGrams: 900_000_000,
    buckets: {
      inStock: 80_000_000,
      recycledOther: 500_000_000,
      recycledTextile: 150_000_000,
      reuse: 120_500_000,
      energyRecovery: 30_000_000,
      incineration: 0,
      landfill: 0,
      exportRecycling: 0,
      exportUnknown: 0,
      processLoss: 19_000_000,
      weighingDifference: 500_000,
    },
  },
  symbiosis: {
    classic: { deals: 2, matchedDeals: 2, matchedGrams: 3_500_000, matchedTonnes: '3.5', tradedDeals: 1, tradedGrams: 1_990_000, tradedTonnes: '1.99' },
    viaMarket: { deals: 1, matchedDeals: 1, matchedGrams: 80_000_000, matchedTonnes: '80', tradedDeals: 1, tradedGrams: 80_000_000, tradedTonnes: '80' },
    recurring: { matchedDeals: 1 },
  },
};
