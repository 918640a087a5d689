import { BUCKETS, circularityRates, type Bucket } from '#projections';
import { z } from 'zod';
import { AsOfMember, grams, orgName, percent, uuid } from '../common/answers.js';
import { circularityRatesPercent } from '../common/percent.js';

const RATE_NAMES = [...BUCKETS, 'circularity', 'fibreToFibre', 'resolved'] as const;
const record = <T extends z.ZodType>(keys: readonly string[], value: T) => z.object(Object.fromEntries(keys.map((k) => [k, value])) as Record<string, T>);
const Rates = record(RATE_NAMES, z.number().nullable()).describe('Each bucket ÷ collected and the three headline rates, as fractions; null when nothing was collected');
const RatesPercent = record(RATE_NAMES, percent().nullable()).describe('The same rates as exact percentages with two decimals (rounded half to even); null when nothing was collected');

export const CircularitySchema = z.object({
  rows: z.array(
    z.object({
      originKey: z.string(),
      period: z.string(),
      collectedGrams: grams(),
      buckets: record(BUCKETS, grams()),
      rates: Rates,
      ratesPercent: RatesPercent,
    }),
  ),
  asOf: AsOfMember,
});

const MassFigure = z.object({ grams: grams(), kg: z.string().regex(/^-?\d+\.\d{3}$/).describe('kg with three decimals') });

const RateDefinitions = record(RATE_NAMES, z.string()).describe('Each rate’s definition in words, under the key `rates` and `ratesPercent` use (stable text; docs/decisions/040-municipal-and-national-reports.md)');
const ReportCircularity = z.object({ collected: MassFigure, buckets: record(BUCKETS, MassFigure), rates: Rates, ratesPercent: RatesPercent });

export const MunicipalReportSchema = z.object({
  kommuneCode: z.string(),
  kommuneName: z.string().nullable(),
  year: z.number().int(),
  quarter: z.number().int().nullable(),
  period: z.string(),
  collected: MassFigure.extend({ batches: z.number().int() }),
  byEwcAndScheme: z
    .array(MassFigure.extend({ ewcCode: z.string(), ewcDescription: z.string().nullable(), collectionScheme: z.string(), batches: z.number().int() }))
    .describe('Collected grams and batches per EWC code × scheme, exact. No buckets here: the ledger follows a kommune’s grams by collection month, not by EWC code or scheme, once a process pools them'),
  circularity: ReportCircularity,
  collectors: z.array(MassFigure.extend({ collectorOrgId: uuid(), collectorOrgName: orgName() })).describe('The collectors the period’s collections name, with their exact grams; Σ = collected'),
  receivers: z
    .array(MassFigure.extend({ receiverOrgId: uuid(), receiverOrgName: orgName() }))
    .describe('The organisations that first sorted the kommune’s grams (decision 036), exact grams; with notSorted, Σ = collected'),
  notSorted: MassFigure.describe('Grams no sorting has taken in yet (or ever: sold, burnt or recycled as collected)'),
  rateDefinitions: RateDefinitions,
  asOf: AsOfMember,
});

const NationalRow = z.object({
  collected: MassFigure.extend({ batches: z.number().int() }).describe('Separately collected textiles: the municipal report’s collected'),
  preparedForReuse: MassFigure.describe('Prepared for re-use: the reuse bucket'),
  recycled: MassFigure.describe('Recycled: recycledTextile + recycledOther'),
  circularity: ReportCircularity,
});

export const NationalReportSchema = z.object({
  year: z.number().int(),
  period: z.string(),
  kommuner: z.array(NationalRow.extend({ kommuneCode: z.string(), kommuneName: z.string() })).describe('All 98 kommuner in code order, each equal to its municipal report for the year; zeros where nothing was collected'),
  total: NationalRow.describe('The country: Σ of the rows, exact; rates over the totals'),
  rateDefinitions: RateDefinitions,
  asOf: AsOfMember,
});

const Stock = {
  availableGrams: grams(),
  availableBatches: z.number().int(),
  inTransitGrams: grams(),
  inTransitBatches: z.number().int(),
};

export const InventorySchema = z.object({
  organisationId: uuid(),
  organisationName: orgName(),
  period: z.object({ axis: z.literal('occurredAt'), from: z.string().nullable(), to: z.string().nullable() }),
  openingGrams: grams(),
  collectedGrams: grams(),
  registeredGrams: grams(),
  receivedGrams: grams(),
  producedGrams: grams(),
  adjustmentGrams: grams(),
  dispatchedGrams: grams(),
  consumedGrams: grams(),
  outcomeGrams: grams(),
  closingGrams: grams(),
  processLossGrams: grams(),
  externalInputGrams: grams(),
  transitDifferenceGrams: grams(),
  balanced: z.boolean(),
  stock: z.object({ ...Stock, byGrade: z.array(z.object({ grade: z.string(), ...Stock })) }),
  asOf: AsOfMember,
});

/** Kommune 0657's first quarter; the rates are computed by the ledger's own functions from the grams. */
const EXAMPLE_BUCKETS: Record<Bucket, number> = {
  inStock: 120_000,
  recycledOther: 95_900,
  recycledTextile: 210_000,
  reuse: 478_200,
  energyRecovery: 50_000,
  incineration: 30_400,
  landfill: 15_500,
  exportRecycling: 0,
  exportUnknown: 0,
  processLoss: 0,
  weighingDifference: 0,
};
export const CIRCULARITY_EXAMPLE: z.infer<typeof CircularitySchema> = {
  rows: [
    {
      originKey: 'kommune:0657',
      period: '2026-Q1',
      collectedGrams: 1_000_000,
      buckets: EXAMPLE_BUCKETS,
      rates: circularityRates(1_000_000n, Object.fromEntries(Object.entries(EXAMPLE_BUCKETS).map(([b, g]) => [b, BigInt(g)])) as Record<Bucket, bigint>),
      ratesPercent: circularityRatesPercent(1_000_000, EXAMPLE_BUCKETS),
    },
  ],
};
