import { isKnownKommune, NotFoundError } from '#domain';
import { municipalFlows, type MunicipalFlows, type ReadDb } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { READ_DB } from '../ledger/tokens.js';
import { GetMunicipalFlowsQuery } from './municipal-flows.query.js';

@QueryHandler(GetMunicipalFlowsQuery)
export class GetMunicipalFlowsHandler implements IQueryHandler<GetMunicipalFlowsQuery, AsOfAware<MunicipalFlows>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ kommuneCode, year, quarter, asOf }: GetMunicipalFlowsQuery): Promise<AsOfAware<MunicipalFlows>> {
    // Checked before any replay, as the municipal report does: an unknown kommune is unknown at every moment.
    if (!isKnownKommune(kommuneCode)) {
      throw new NotFoundError('unknown-kommune', `kommune code ${kommuneCode} is not one of the 98 Danish municipalities`, { kommuneCode });
    }
    return this.readModels.at(asOf, this.db, async (db) => this.names.beside(await municipalFlows(db, kommuneCode, year, quarter)));
  }
}
