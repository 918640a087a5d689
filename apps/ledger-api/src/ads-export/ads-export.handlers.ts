import { NotFoundError } from '#domain';
import { adsExport, findSiteByPNumber, type AdsExport, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { READ_DB } from '../ledger/tokens.js';
import { GetAdsExportQuery } from './ads-export.queries.js';

@QueryHandler(GetAdsExportQuery)
export class GetAdsExportHandler implements IQueryHandler<GetAdsExportQuery, AdsExport> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ pNumber, year }: GetAdsExportQuery): Promise<AdsExport> {
    const site = await findSiteByPNumber(this.db, pNumber);
    if (!site) throw new NotFoundError('unknown-p-number', `no site with P-number ${pNumber} is declared in the ledger`, { pNumber });
    return adsExport(this.db, site, year);
  }
}
