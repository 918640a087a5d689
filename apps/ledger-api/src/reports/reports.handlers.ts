import { isKnownKommune, NotFoundError } from '#domain';
import { circularity, getOrganisation, inventory, municipalReport, municipalReportCsv, type CircularityRow, type Inventory, type MunicipalReport, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_DB } from '../ledger/tokens.js';
import { GetCircularityQuery, GetInventoryQuery, GetMunicipalReportQuery } from './reports.queries.js';

function assertKnownKommune(code: string): void {
  if (!isKnownKommune(code)) throw new NotFoundError('unknown-kommune', `kommune code ${code} is not one of the 98 Danish municipalities`, { kommuneCode: code });
}

@QueryHandler(GetCircularityQuery)
export class GetCircularityHandler implements IQueryHandler<GetCircularityQuery, { rows: CircularityRow[] }> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ query }: GetCircularityQuery): Promise<{ rows: CircularityRow[] }> {
    if (query.kommuneCode !== undefined) assertKnownKommune(query.kommuneCode);
    return { rows: await circularity(this.db, query) };
  }
}

@QueryHandler(GetMunicipalReportQuery)
export class GetMunicipalReportHandler implements IQueryHandler<GetMunicipalReportQuery, MunicipalReport | string> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  execute({ kommuneCode, year, quarter, format }: GetMunicipalReportQuery): Promise<MunicipalReport | string> {
    assertKnownKommune(kommuneCode);
    return format === 'csv' ? municipalReportCsv(this.db, kommuneCode, year, quarter) : municipalReport(this.db, kommuneCode, year, quarter);
  }
}

@QueryHandler(GetInventoryQuery)
export class GetInventoryHandler implements IQueryHandler<GetInventoryQuery, Inventory> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ organisationId, from, to }: GetInventoryQuery): Promise<Inventory> {
    if (!(await getOrganisation(this.db, organisationId))) {
      throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
    }
    return inventory(this.db, organisationId, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
}
