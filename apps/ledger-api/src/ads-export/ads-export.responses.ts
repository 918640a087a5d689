import { ADS_TREATMENT_CODES } from '#domain';
import { z } from 'zod';
import { grams, instant } from '../common/answers.js';
import { SiteSchema } from '../sites/sites.responses.js';

const Tonnes = z.string().regex(/^-?\d+\.\d{3}$/).describe('Tonnes with three decimals (whole kilograms, rounded half up)');

const SiteBalanceSchema = z.object({
  siteId: z.string(),
  period: z.object({ from: instant(), to: instant() }),
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
  balanced: z.boolean(),
});

export const AdsExportSchema = z.object({
  pNumber: z.string(),
  year: z.number().int(),
  site: SiteSchema,
  period: z.object({ from: instant(), to: instant() }).describe('The calendar year in Copenhagen, half-open, as UTC instants'),
  rows: z.array(
    z.object({
      originKommuneCode: z.string().nullable(),
      originKommuneName: z.string().nullable(),
      eakCode: z.string().nullable(),
      fractionCode: z.string(),
      fraction: z.string(),
      treatmentCode: z.string().describe(`R or D code; the mapping: ${[...new Set(Object.values(ADS_TREATMENT_CODES))].join(', ')}`),
      measurement: z.enum(['weighed', 'estimated']),
      grams: grams(),
      tonnes: Tonnes,
      batches: z.number().int(),
    }),
  ),
  totals: z.object({ grams: grams(), tonnes: Tonnes, batches: z.number().int() }),
  reconciliation: z.object({
    balanced: z.boolean().describe('The rows hold exactly what the site took in over the year, and the site’s mass balance closes'),
    rowsGrams: grams(),
    intakeGrams: grams(),
    differenceGrams: grams(),
    balance: SiteBalanceSchema,
  }),
});
