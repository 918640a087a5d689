import { BUCKETS } from '#projections';
import { z } from 'zod';

const uuid = z.string().describe('UUID');
const grams = z.number().int().describe('Exact integer grams');
const name = z.string().nullable().describe('The organisation’s registered name; null if the directory does not know the id');
const grade = z.string().describe('A grade of the first sorting (reuse, recycling, fibre, product, residual), `not-sorted`, or `sorting-loss` for what that sorting lost');

/** The answer of GET /reports/municipal/:kommuneCode/:year/flows (docs/decisions/036-municipal-flows.md). */
export const MunicipalFlowsAnswerSchema = z.object({
  kommuneCode: z.string(),
  kommuneName: z.string().nullable(),
  year: z.number().int(),
  quarter: z.number().int().min(1).max(4).nullable(),
  period: z.string().describe('`YYYY` or `YYYY-Qn` of the collection month, Europe/Copenhagen'),
  collectedGrams: grams.describe('What the kommune collected in the period; every level below sums to it exactly'),
  collectors: z.array(z.object({ collectorOrgId: uuid, collectorOrgName: name, grams })).describe('kommune → collector'),
  sorters: z
    .array(z.object({ collectorOrgId: uuid, collectorOrgName: name, sorterOrgId: uuid.nullable().describe('null: not sorted'), sorterOrgName: name.optional(), grams }))
    .describe('collector → the organisation that first sorted the grams'),
  grades: z.array(z.object({ sorterOrgId: uuid.nullable(), sorterOrgName: name.optional(), grade, grams })).describe('first sorter → grade'),
  fates: z
    .array(z.object({ grade, bucket: z.enum(BUCKETS), grams: grams.describe('Negative only for a weighing gain (weighingDifference)') }))
    .describe('grade → fate: the circularity buckets'),
  buckets: z.record(z.enum(BUCKETS), grams).describe('Σ fates by bucket: the municipal report’s circularity buckets, to the gram'),
});

const HERNING_COLLECTOR = '01938f7c-5a2e-7c41-9d2a-3f6b8e1c4a11';
const SORTER = '01938f7c-5a2e-7c41-9d2a-3f6b8e1c4a12';

export const MUNICIPAL_FLOWS_EXAMPLE: z.infer<typeof MunicipalFlowsAnswerSchema> = {
  kommuneCode: '0657',
  kommuneName: 'Herning',
  year: 2026,
  quarter: null,
  period: '2026',
  collectedGrams: 100_000,
  collectors: [{ collectorOrgId: HERNING_COLLECTOR, collectorOrgName: 'Herning Indsamling', grams: 100_000 }],
  sorters: [
    { collectorOrgId: HERNING_COLLECTOR, collectorOrgName: 'Herning Indsamling', sorterOrgId: SORTER, sorterOrgName: 'Midtjysk Sortering', grams: 90_000 },
    { collectorOrgId: HERNING_COLLECTOR, collectorOrgName: 'Herning Indsamling', sorterOrgId: null, grams: 10_000 },
  ],
  grades: [
    { sorterOrgId: SORTER, sorterOrgName: 'Midtjysk Sortering', grade: 'reuse', grams: 60_000 },
    { sorterOrgId: SORTER, sorterOrgName: 'Midtjysk Sortering', grade: 'residual', grams: 29_000 },
    { sorterOrgId: SORTER, sorterOrgName: 'Midtjysk Sortering', grade: 'sorting-loss', grams: 1_000 },
    { sorterOrgId: null, grade: 'not-sorted', grams: 10_000 },
  ],
  fates: [
    { grade: 'not-sorted', bucket: 'inStock', grams: 10_000 },
    { grade: 'residual', bucket: 'energyRecovery', grams: 29_000 },
    { grade: 'reuse', bucket: 'reuse', grams: 60_000 },
    { grade: 'sorting-loss', bucket: 'processLoss', grams: 1_000 },
  ],
  buckets: {
    inStock: 10_000,
    recycledOther: 0,
    recycledTextile: 0,
    reuse: 60_000,
    energyRecovery: 29_000,
    incineration: 0,
    landfill: 0,
    exportRecycling: 0,
    exportUnknown: 0,
    processLoss: 1_000,
    weighingDifference: 0,
  },
};
