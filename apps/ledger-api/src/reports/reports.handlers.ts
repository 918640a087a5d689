import { isKnownKommune, NotFoundError } from '#domain';
import {
  circularity,
  getOrganisation,
  inventory,
  municipalReport,
  municipalReportCsvWithParties,
  nationalReport,
  nationalReportCsv,
  RATE_DEFINITIONS,
  type CircularityRow,
  type Inventory,
  type MunicipalReport,
  type NationalKommuneRow,
  type NationalReport,
  type ReadDb,
} from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { circularityRatesPercent } from '../common/percent.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetCircularityQuery, GetInventoryQuery, GetMunicipalReportQuery, GetNationalReportQuery } from './reports.queries.js';

function assertKnownKommune(code: string): void {
  if (!isKnownKommune(code)) throw new NotFoundError('unknown-kommune', `kommune code ${code} is not one of the 98 Danish municipalities`, { kommuneCode: code });
}

/** A circularity row with its rates also as exact percentages, two decimals (decision 034). */
export type CircularityRowAnswer = CircularityRow & { ratesPercent: Record<keyof CircularityRow['rates'], string | null> };

function withRatesPercent(row: CircularityRow): CircularityRowAnswer {
  return { ...row, ratesPercent: circularityRatesPercent(row.collectedGrams, row.buckets) };
}

type RatesPercent = Record<keyof MunicipalReport['circularity']['rates'], string | null>;

/**
 * The municipal report with its circularity rates also as exact percentages, two decimals (decision
 * 034), and the collectors and receivers named beside their ids (decisions 036, 040).
 */
export type MunicipalReportAnswer = Omit<MunicipalReport, 'circularity' | 'collectors' | 'receivers'> & {
  circularity: MunicipalReport['circularity'] & { ratesPercent: RatesPercent };
  collectors: Array<MunicipalReport['collectors'][number] & { collectorOrgName?: string | null }>;
  receivers: Array<MunicipalReport['receivers'][number] & { receiverOrgName?: string | null }>;
};

function ratesPercentOf(circ: MunicipalReport['circularity']): RatesPercent {
  const buckets = Object.fromEntries(Object.entries(circ.buckets).map(([bucket, figure]) => [bucket, figure.grams])) as Record<keyof MunicipalReport['circularity']['buckets'], number>;
  return circularityRatesPercent(circ.collected.grams, buckets);
}

async function municipalReportAnswer(db: ReadDb, names: OrganisationNames, kommuneCode: string, year: number, quarter: number | undefined): Promise<MunicipalReportAnswer> {
  const report = await names.beside<Omit<MunicipalReportAnswer, 'circularity'> & Pick<MunicipalReport, 'circularity'>>(await municipalReport(db, kommuneCode, year, quarter));
  return { ...report, circularity: { ...report.circularity, ratesPercent: ratesPercentOf(report.circularity) } };
}

function municipalCsv(answer: MunicipalReportAnswer): string {
  return municipalReportCsvWithParties(answer, {
    collectors: answer.collectors.map((c) => ({ organisationId: c.collectorOrgId, organisationName: c.collectorOrgName ?? null, grams: c.grams })),
    receivers: answer.receivers.map((r) => ({ organisationId: r.receiverOrgId, organisationName: r.receiverOrgName ?? null, grams: r.grams })),
    notSortedGrams: answer.notSorted.grams,
    definitions: RATE_DEFINITIONS,
  });
}

/** A national row (and the totals) with the rates also as exact percentages. */
export type NationalRowAnswer = NationalKommuneRow & { circularity: NationalKommuneRow['circularity'] & { ratesPercent: RatesPercent } };
export type NationalReportAnswer = Omit<NationalReport, 'kommuner' | 'total'> & {
  kommuner: NationalRowAnswer[];
  total: Omit<NationalRowAnswer, 'kommuneCode' | 'kommuneName'>;
  rateDefinitions: typeof RATE_DEFINITIONS;
};

function nationalAnswer(report: NationalReport): NationalReportAnswer {
  return {
    ...report,
    kommuner: report.kommuner.map((k) => ({ ...k, circularity: { ...k.circularity, ratesPercent: ratesPercentOf(k.circularity) } })),
    total: { ...report.total, circularity: { ...report.total.circularity, ratesPercent: ratesPercentOf(report.total.circularity) } },
    rateDefinitions: RATE_DEFINITIONS,
  };
}

@QueryHandler(GetNationalReportQuery)
export class GetNationalReportHandler implements IQueryHandler<GetNationalReportQuery, AsOfAware<NationalReportAnswer | string>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ year, format, asOf }: GetNationalReportQuery): Promise<AsOfAware<NationalReportAnswer | string>> {
    return this.readModels.at<NationalReportAnswer | string>(asOf, this.db, async (db) => {
      const report = await nationalReport(db, year);
      return format === 'csv' ? nationalReportCsv(report) : nationalAnswer(report);
    });
  }
}

@QueryHandler(GetCircularityQuery)
export class GetCircularityHandler implements IQueryHandler<GetCircularityQuery, AsOfAware<{ rows: CircularityRowAnswer[] }>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ query, asOf }: GetCircularityQuery): Promise<AsOfAware<{ rows: CircularityRowAnswer[] }>> {
    // Checked before any replay: an unknown kommune is unknown at every moment.
    if (query.kommuneCode !== undefined) assertKnownKommune(query.kommuneCode);
    return this.readModels.at(asOf, this.db, async (db) => ({ rows: (await circularity(db, query)).map(withRatesPercent) }));
  }
}

@QueryHandler(GetMunicipalReportQuery)
export class GetMunicipalReportHandler implements IQueryHandler<GetMunicipalReportQuery, AsOfAware<MunicipalReportAnswer | string>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ kommuneCode, year, quarter, format, asOf }: GetMunicipalReportQuery): Promise<AsOfAware<MunicipalReportAnswer | string>> {
    assertKnownKommune(kommuneCode);
    return this.readModels.at<MunicipalReportAnswer | string>(asOf, this.db, async (db) => {
      const answer = await municipalReportAnswer(db, this.names, kommuneCode, year, quarter);
      return format === 'csv' ? municipalCsv(answer) : answer;
    });
  }
}

@QueryHandler(GetInventoryQuery)
export class GetInventoryHandler implements IQueryHandler<GetInventoryQuery, AsOfAware<Inventory>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ organisationId, from, to, asOf }: GetInventoryQuery): Promise<AsOfAware<Inventory>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      if (!(await getOrganisation(db, organisationId))) {
        throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
      }
      return this.names.beside(await inventory(db, organisationId, { ...(from ? { from } : {}), ...(to ? { to } : {}) }));
    });
  }
}
