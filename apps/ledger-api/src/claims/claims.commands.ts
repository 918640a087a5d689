import type { OrganisationFacts, ReadScope } from '#domain';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import type { AsOf } from '../ledger/as-of-replay.js';
import type { ClaimRecycledContentBody } from './claims.bodies.js';

export class ClaimRecycledContentCommand {
  constructor(
    readonly body: ClaimRecycledContentBody,
    readonly actor: OrganisationFacts,
    readonly meta: CommandMetadata,
  ) {}
}

export interface ClaimCommandResult {
  claimId: string;
  streamId: string;
  eventIds: string[];
  eventTypes: string[];
  position: number;
  replayed: boolean;
}

export class GetClaimQuery {
  constructor(
    readonly claimId: string,
    readonly scope: ReadScope,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class ClaimsOfBatchQuery {
  constructor(
    readonly batchId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class ClaimsOfOrganisationQuery {
  constructor(
    readonly organisationId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class MassBalanceAccountsQuery {
  constructor(
    readonly organisationId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class MassBalanceAccountQuery {
  constructor(
    readonly organisationId: string,
    readonly periodId: string,
    readonly asOf: AsOf | undefined,
  ) {}
}

export class ClaimStandardsQuery {}
