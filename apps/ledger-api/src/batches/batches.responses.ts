import { Application, Composition, Grade, ResidualOriginClass } from '#domain';
import { z } from 'zod';
import { AsOfMember, grams, instant, orgName, percent, position, uuid } from '../common/answers.js';

const STATUSES = ['available', 'in-transit', 'consumed', 'closed', 'voided'] as const;
const OUTCOMES = ['sold-for-reuse', 'incinerated', 'landfilled', 'exported', 'placed-on-market'] as const;

const Stamp = z.object({ position: position(), occurredAt: instant().describe('Business time, UTC'), recordedAt: instant() });

/** A fibre share in basis points, and the same share as a percentage beside it (decision 034). */
const CompositionAnswer = z.array(z.object({ fibre: z.string(), share: z.number().int().describe('Basis points of 10,000'), sharePercent: percent() }));

export const BatchSummarySchema = z.object({
  batchId: uuid(),
  origin: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('collected'), kommuneCode: z.string(), collectionScheme: z.string(), collectorOrgId: uuid(), collectorOrgName: orgName() }),
    z.object({ kind: z.literal('residual'), originClass: ResidualOriginClass, organisationId: uuid(), organisationName: orgName() }),
    z.object({ kind: z.literal('produced'), processId: uuid(), processType: z.string(), organisationId: uuid(), organisationName: orgName() }),
  ]),
  ewcCode: z.string().nullable(),
  massGrams: grams(),
  grade: z.union([Grade, z.literal('unsorted')]),
  composition: CompositionAnswer,
  application: Application.nullable(),
  productType: z.string().nullable(),
  custodianOrgId: uuid(),
  custodianOrgName: orgName(),
  ownerOrgId: uuid(),
  ownerOrgName: orgName(),
  status: z.enum(STATUSES),
  outcome: z.enum(OUTCOMES).nullable(),
  anomalies: z.number().int(),
  pendingTransfer: z
    .object({ transferId: uuid(), fromOrgId: uuid(), fromOrgName: orgName(), toOrgId: uuid(), toOrgName: orgName(), massGrams: grams(), ownershipTransferred: z.boolean() })
    .nullable(),
  consumedByProcessId: uuid().nullable(),
  programmeTags: z.array(z.string()),
  massEventId: uuid(),
  created: Stamp,
  updated: Stamp,
});

export const BatchResponseSchema = BatchSummarySchema.extend({ asOf: AsOfMember });
export const BatchPageSchema = z.object({ items: z.array(BatchSummarySchema), nextCursor: uuid().nullable(), asOf: AsOfMember });

export const LineageSchema = z.object({
  root: uuid(),
  direction: z.enum(['upstream', 'downstream']),
  maxDepth: z.number().int().nullable(),
  nodes: z.array(z.object({ batchId: uuid(), depth: z.number().int() })),
  edges: z.array(
    z.object({
      parentBatchId: uuid(),
      childBatchId: uuid(),
      grams: grams(),
      processId: uuid(),
      processType: z.string(),
      organisationId: uuid(),
      organisationName: orgName(),
      occurredAt: instant(),
    }),
  ),
  withheld: z.object({ batches: z.number().int(), edges: z.number().int() }).describe('What the viewer may not see: only counted'),
  asOf: AsOfMember,
});

export const ProvenanceSchema = z.object({
  batchId: uuid(),
  state: z.enum(['open', 'consumed', 'closed', 'voided']),
  massGrams: grams(),
  cohorts: z.array(z.object({ cohort: z.string(), originKey: z.string(), month: z.string(), grams: grams() })),
  byKommune: z.array(z.object({ kommuneCode: z.string(), grams: grams() })),
  postConsumerGrams: grams(),
  preConsumerGrams: grams(),
  virginGrams: grams(),
  untrackedGrams: grams(),
  recycledContentBasisPoints: z.number().int().describe('Waste grams ÷ mass in basis points, rounded down'),
  recycledContentPercent: percent().describe('recycledContentBasisPoints as a percentage: exact, so never more than the basis points claim'),
  asOf: AsOfMember,
});

const BATCH_ID = '01938f7d-1b2c-7a3d-8e4f-5a6b7c8d9e01';
const SORTER = '01938f7c-6b3f-7d52-8e3b-4a7c9f2d5b21';
export const BATCH_EXAMPLE: z.infer<typeof BatchResponseSchema> = {
  batchId: BATCH_ID,
  origin: { kind: 'collected', kommuneCode: '0657', collectionScheme: 'kerbside', collectorOrgId: '01938f7c-7c40-7e63-9f4c-5b8d0a3e6c32', collectorOrgName: 'Genbrug Herning ApS' },
  ewcCode: '200110',
  massGrams: 412_500,
  grade: 'reuse',
  composition: [
    { fibre: 'cotton', share: 6_000, sharePercent: '60.00' },
    { fibre: 'polyester', share: 4_000, sharePercent: '40.00' },
  ],
  application: null,
  productType: null,
  custodianOrgId: SORTER,
  custodianOrgName: 'Sortering Midtjylland A/S',
  ownerOrgId: SORTER,
  ownerOrgName: 'Sortering Midtjylland A/S',
  status: 'available',
  outcome: null,
  anomalies: 0,
  pendingTransfer: null,
  consumedByProcessId: null,
  programmeTags: [],
  massEventId: '01938f7d-2c3d-7b4e-9f50-6b7c8d9e0f12',
  created: { position: 1_204, occurredAt: '2026-03-02T08:15:00.000Z', recordedAt: '2026-03-02T08:15:01.412Z' },
  updated: { position: 1_377, occurredAt: '2026-03-04T13:40:00.000Z', recordedAt: '2026-03-04T13:40:00.877Z' },
};
