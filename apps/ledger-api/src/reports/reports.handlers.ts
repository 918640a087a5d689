import { isKnownKommune, NotFoundError } from '#domain';
import { circularity, getOrganisation, inventory, municipalReport, municipalReportCsv, type CircularityRow, type Inventory, type MunicipalReport, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetCircularityQuery, GetInventoryQuery, GetMunicipalReportQuery } from './reports.queries.js';

function assertKnownKommune(code: string): void {
  if (!isKnownKommune(code)) throw new NotFoundError('unknown-kommune', `kommune code ${code} is not one of the 98 Danish municipalities`, { kommuneCode: code });
}

@QueryHandler(GetCircularityQuery)
export class GetCircularityHandler implements IQueryHandler<GetCircularityQuery, AsOfAware<{ rows: CircularityRow[] }>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ query, asOf }: GetCircularityQuery): Promise<AsOfAware<{ rows: CircularityRow[] }>> {
    // Checked before any replay: an unknown kommune is unknown at every moment.
    if (query.kommuneCode !== undefined) assertKnownKommune(query.kommuneCode);
    return this.readModels.at(asOf, this.db, async (db) => ({ rows: await circularity(db, query) }));
  }
}

@QueryHandler(GetMunicipalReportQuery)
export class GetMunicipalReportHandler implements IQueryHandler<GetMunicipalReportQuery, AsOfAware<MunicipalReport | string>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ kommuneCode, year, quarter, format, asOf }: GetMunicipalReportQuery): Promise<AsOfAware<MunicipalReport | string>> {
    assertKnownKommune(kommuneCode);
    return this.readModels.at<MunicipalReport | string>(asOf, this.db, (db) => (format === 'csv' ? municipalReportCsv(db, kommuneCode, year, quarter) : municipalReport(db, kommuneCode, year, quarter)));
  }
}

@QueryHandler(GetInventoryQuery)
export class GetInventoryHandler implements IQueryHandler<GetInventoryQuery, AsOfAware<Inventory>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
  ) {}

  execute({ organisationId, from, to, asOf }: GetInventoryQuery): Promise<AsOfAware<Inventory>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      if (!(await getOrganisation(db, organisationId))) {
        throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
      }
      return inventory(db, organisationId, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
    });
  }
}
