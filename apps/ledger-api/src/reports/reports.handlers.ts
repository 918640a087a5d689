import { isKnownKommune, NotFoundError } from '#domain';
import { circularity, getOrganisation, inventory, municipalReport, municipalReportCsv, type CircularityRow, type Inventory, type MunicipalReport, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { circularityRatesPercent } from '../common/percent.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetCircularityQuery, GetInventoryQuery, GetMunicipalReportQuery } from './reports.queries.js';

function assertKnownKommune(code: string): void {
  if (!isKnownKommune(code)) throw new NotFoundError('unknown-kommune', `kommune code ${code} is not one of the 98 Danish municipalities`, { kommuneCode: code });
}

/** A circularity row with its rates also as exact percentages, two decimals (decision 034). */
export type CircularityRowAnswer = CircularityRow & { ratesPercent: Record<keyof CircularityRow['rates'], string | null> };

function withRatesPercent(row: CircularityRow): CircularityRowAnswer {
  return { ...row, ratesPercent: circularityRatesPercent(row.collectedGrams, row.buckets) };
}

/** The municipal report with its circularity rates also as exact percentages, two decimals (decision 034). */
export type MunicipalReportAnswer = MunicipalReport & { circularity: MunicipalReport['circularity'] & { ratesPercent: Record<keyof MunicipalReport['circularity']['rates'], string | null> } };

function municipalReportWithPercents(report: MunicipalReport): MunicipalReportAnswer {
  const buckets = Object.fromEntries(Object.entries(report.circularity.buckets).map(([bucket, figure]) => [bucket, figure.grams])) as Record<keyof MunicipalReport['circularity']['buckets'], number>;
  return { ...report, circularity: { ...report.circularity, ratesPercent: circularityRatesPercent(report.circularity.collected.grams, buckets) } };
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
  ) {}

  execute({ kommuneCode, year, quarter, format, asOf }: GetMunicipalReportQuery): Promise<AsOfAware<MunicipalReportAnswer | string>> {
    assertKnownKommune(kommuneCode);
    return this.readModels.at<MunicipalReportAnswer | string>(asOf, this.db, async (db) => (format === 'csv' ? municipalReportCsv(db, kommuneCode, year, quarter) : municipalReportWithPercents(await municipalReport(db, kommuneCode, year, quarter))));
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
