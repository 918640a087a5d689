import { NotFoundError } from '#domain';
import { getOrganisation, processesOf, shipmentsOf, type ProcessListPage, type ReadDb, type ShipmentPage } from '#projections';
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { READ_DB } from '../ledger/tokens.js';
import { ListOrganisationProcessesQuery, ListOrganisationShipmentsQuery } from './organisation-activity.queries.js';

async function assertRegistered(db: ReadDb, organisationId: string): Promise<void> {
  if (!(await getOrganisation(db, organisationId))) {
    throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
  }
}

@QueryHandler(ListOrganisationProcessesQuery)
export class ListOrganisationProcessesHandler implements IQueryHandler<ListOrganisationProcessesQuery, ProcessListPage> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ organisationId, period, limit, after }: ListOrganisationProcessesQuery): Promise<ProcessListPage> {
    await assertRegistered(this.db, organisationId);
    return processesOf(this.db, organisationId, { ...period, limit, ...(after !== undefined ? { after } : {}) });
  }
}

@QueryHandler(ListOrganisationShipmentsQuery)
export class ListOrganisationShipmentsHandler implements IQueryHandler<ListOrganisationShipmentsQuery, ShipmentPage> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly names: OrganisationNames,
  ) {}

  async execute({ organisationId, period, limit, after }: ListOrganisationShipmentsQuery): Promise<ShipmentPage> {
    await assertRegistered(this.db, organisationId);
    return this.names.beside(await shipmentsOf(this.db, organisationId, { ...period, limit, ...(after !== undefined ? { after } : {}) }));
  }
}
