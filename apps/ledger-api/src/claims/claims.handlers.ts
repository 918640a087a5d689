import {
  batchNotVisible,
  CHAIN_OF_CUSTODY_MODELS,
  CLAIM_STANDARDS,
  ConflictError,
  CURRENT_SCHEMA_VERSION,
  NotFoundError,
  PHYSICAL_MODELS,
  REPROCESSING_TYPES,
  commandEventId,
  decideRecycledContentClaim,
  deterministicId,
  foldMassBalanceAccount,
  massBalanceAccountId,
  massBalanceAccountStreamId,
  massBalancePeriodOf,
  massBalancePeriodRange,
  recycledContentClaimStreamId,
  toSafeNumber,
  type ClaimRecycledContent,
  type CreditCandidate,
  type DomainEvent,
  type MassBalanceAccount,
  type OrganisationFacts,
  type ProcessType,
} from '#domain';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventStore, type StoredEvent } from '#event-store';
import {
  claimsOfBatch,
  claimsOfOrganisation,
  getBatch,
  getClaim,
  getProcess,
  isBatchVisible,
  massBalanceAccount,
  massBalanceAccountsOf,
  processesOf,
  provenance,
  type AccountSummaryView,
  type AccountView,
  type ClaimView,
  type MovementView,
  type ReadDb,
} from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { basisPointsPercent } from '../common/percent.js';
import type { LedgerConfig } from '../config/ledger.config.js';
import { AsOfReadModels, type AsOfAware } from '../ledger/as-of-read-models.js';
import { eventMetadataOf, type CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { OrganisationNames } from '../ledger/organisation-names.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { loadBatch, toDomainEvent } from '../ledger/stream-loader.js';
import { EVENT_STORE, LEDGER_CONFIG, READ_DB } from '../ledger/tokens.js';
import {
  ClaimRecycledContentCommand,
  ClaimsOfBatchQuery,
  ClaimsOfOrganisationQuery,
  ClaimStandardsQuery,
  GetClaimQuery,
  MassBalanceAccountQuery,
  MassBalanceAccountsQuery,
  type ClaimCommandResult,
} from './claims.commands.js';

/**
 * How often a claim is decided again after another command got onto its stream first. Each conflict
 * means another claim (or credit, or void) on the same account was recorded, so the loop always
 * makes progress; the bound only stops a pathological pile-up, with a 409 the client may retry.
 */
const MAX_DECISIONS = 64;

/**
 * The claim's event id derives from its claim id, so one claim id is stored once in the whole log
 * (the store refuses the id on any other stream); the rest derive from the command.
 */
function eventIdOf(event: DomainEvent, meta: CommandMetadata, index: number): string {
  return event.type === 'RecycledContentClaimed' ? deterministicId(`recycled-content-claim/${event.data.claimId}`) : commandEventId(meta.commandId, index);
}

/**
 * Decides a claim and appends it with the revision of the stream it read: a physical claim on its
 * own stream (which must not exist yet), a mass-balance claim on the claimant's account for the
 * claim period, together with the credits it books and its debit. Two claims on one account
 * cannot both spend the same grams: the second append fails its revision check, and the claim is
 * decided again against the account as it now is.
 */
@Injectable()
export class ClaimWriter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  now(): Date {
    return this.contexts.now();
  }

  async claim(command: ClaimRecycledContent, actor: OrganisationFacts, meta: CommandMetadata): Promise<ClaimCommandResult> {
    const physical = PHYSICAL_MODELS.has(command.model);
    const periodId = massBalancePeriodOf(command.occurredAt, this.config.massBalancePeriod);
    const streamId = physical ? recycledContentClaimStreamId(command.claimId) : massBalanceAccountStreamId(actor.organisationId, periodId);
    let duplicate = false;
    for (let decision = 0; decision < MAX_DECISIONS; decision += 1) {
      const events = physical && decision === 0 ? [] : await this.store.readStream(streamId);
      const previous = events.filter((e) => e.metadata.commandId === meta.commandId);
      if (previous.length > 0) return this.answer(command.claimId, streamId, previous, true);
      if (duplicate || (physical && events.length > 0)) {
        throw new ConflictError('claim-exists', `claim ${command.claimId} is already recorded`, { claimId: command.claimId });
      }
      const ctx = await this.contexts.create(actor);
      const batch = await loadBatch(this.store, command.batchId);
      const view = await provenance(this.db, command.batchId);
      const figure = view && { massGrams: view.massGrams, recycledGrams: view.postConsumerGrams + view.preConsumerGrams, voided: view.state === 'voided' };
      let account: { accountId: string; periodId: string; state: MassBalanceAccount; candidates: CreditCandidate[] } | undefined;
      if (!physical) {
        const state = foldMassBalanceAccount(events.map(toDomainEvent));
        account = { accountId: massBalanceAccountId(actor.organisationId, periodId), periodId, state, candidates: [] };
        // Only a party that could claim at all costs the read models a look at its processes.
        if (batch.state && (batch.state.ownerOrgId === actor.organisationId || batch.state.custodianOrgId === actor.organisationId)) {
          account.candidates = await this.creditCandidates(actor.organisationId, periodId, state);
        }
      }
      const decided = decideRecycledContentClaim({ batch: batch.state, provenance: figure, ...(account ? { account } : {}) }, command, ctx);
      const toAppend = decided.map((event, index) => ({
        eventId: eventIdOf(event, meta, index),
        type: event.type,
        schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
        data: event.data,
        metadata: eventMetadataOf(meta),
      }));
      const expected = events.length === 0 ? 'no-stream' : events[events.length - 1]!.revision;
      try {
        const result = await this.store.append(streamId, toAppend, expected);
        // The store answers an append whose every event id it already holds there as a retry; for a
        // physical claim that may be another command's claim of the same id, which this one is not.
        const stored = await this.store.readStream(streamId, { fromRevision: result.nextExpectedRevision - toAppend.length + 1, maxCount: toAppend.length });
        if (stored.some((e) => e.metadata.commandId !== meta.commandId)) {
          throw new ConflictError('claim-exists', `claim ${command.claimId} is already recorded`, { claimId: command.claimId });
        }
        await this.readYourWrites.settle(result.position);
        return { claimId: command.claimId, streamId, eventIds: toAppend.map((e) => e.eventId), eventTypes: toAppend.map((e) => e.type), position: result.position, replayed: false };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) continue;
        // The claim's id is stored elsewhere: another claim has it, unless this very command got
        // there first meanwhile (read again to tell).
        if (error instanceof DuplicateEventIdError) {
          duplicate = true;
          continue;
        }
        throw error;
      }
    }
    throw new ConflictError('claim-contended', `the ${physical ? 'claim' : 'mass-balance account'} changed ${MAX_DECISIONS} times while the claim was decided; retry it`, { claimId: command.claimId });
  }

  private async answer(claimId: string, streamId: string, events: readonly StoredEvent[], replayed: boolean): Promise<ClaimCommandResult> {
    const position = events[events.length - 1]!.position;
    await this.readYourWrites.settle(position);
    return { claimId, streamId, eventIds: events.map((e) => e.eventId), eventTypes: events.map((e) => e.type), position, replayed };
  }

  /**
   * The period's reprocessing processes of the organisation that the read models show completed,
   * never voided, and with every input's provenance known, which the account has not booked. A read
   * model that lags shows fewer of them, never more: the account is credited late, not wrongly.
   * A void is barred by the reversal it writes on the account before it starts (see decideMassBalanceVoid).
   */
  private async creditCandidates(organisationId: string, periodId: string, account: MassBalanceAccount): Promise<CreditCandidate[]> {
    const { from, to } = massBalancePeriodRange(periodId);
    const candidates: CreditCandidate[] = [];
    let after: string | undefined;
    do {
      const page = await processesOf(this.db, organisationId, { from, to, limit: 500, ...(after !== undefined ? { after } : {}) });
      for (const item of page.processes) {
        if (item.status !== 'completed' || !REPROCESSING_TYPES.has(item.processType as ProcessType)) continue;
        if (account.creditedProcesses.has(item.processId) || account.reversedProcesses.has(item.processId)) continue;
        const process = await getProcess(this.db, item.processId);
        if (!process || process.status !== 'completed' || process.void !== null) continue;
        const inputs: CreditCandidate['inputs'] = [];
        for (const input of process.definition.inputs) {
          const view = await provenance(this.db, input.batchId);
          if (!view || view.massGrams !== input.massGrams) break;
          inputs.push({ batchId: input.batchId, recycledGrams: view.postConsumerGrams + view.preConsumerGrams });
        }
        if (inputs.length !== process.definition.inputs.length) continue;
        const creditedGrams = inputs.reduce((sum, input) => sum + input.recycledGrams, 0);
        if (creditedGrams > 0) {
          candidates.push({ processId: process.processId, processType: process.definition.processType, creditedGrams, inputs, occurredAt: process.occurredAt });
        }
      }
      after = page.nextAfter ?? undefined;
    } while (after !== undefined);
    return candidates;
  }
}

@CommandHandler(ClaimRecycledContentCommand)
export class ClaimRecycledContentHandler implements ICommandHandler<ClaimRecycledContentCommand, ClaimCommandResult> {
  constructor(private readonly writer: ClaimWriter) {}

  execute({ body, actor, meta }: ClaimRecycledContentCommand): Promise<ClaimCommandResult> {
    return this.writer.claim({ ...body, occurredAt: body.occurredAt ?? this.writer.now().toISOString() }, actor, meta);
  }
}

// ---- answers ----

export type ClaimAnswer = ClaimView & { recycledContentPercent: string };
export interface ClaimListAnswer {
  batchId: string;
  claims: ClaimAnswer[];
}
export interface OrganisationClaimListAnswer {
  organisationId: string;
  claims: ClaimAnswer[];
}

type Figures<T> = { [K in keyof T]: T[K] extends bigint ? number : T[K] };
export type MovementAnswer = Figures<MovementView>;
export type AccountSummaryAnswer = Figures<AccountSummaryView>;
export type AccountAnswer = AccountSummaryAnswer & { movements: MovementAnswer[] };
export interface AccountListAnswer {
  accounts: AccountSummaryAnswer[];
}

function claimAnswer(claim: ClaimView): ClaimAnswer {
  return { ...claim, recycledContentPercent: basisPointsPercent(claim.recycledContentBasisPoints) };
}

function summaryAnswer(account: AccountSummaryView): AccountSummaryAnswer {
  return {
    accountId: account.accountId,
    organisationId: account.organisationId,
    periodId: account.periodId,
    from: account.from,
    to: account.to,
    creditedGrams: toSafeNumber(account.creditedGrams),
    reversedGrams: toSafeNumber(account.reversedGrams),
    debitedGrams: toSafeNumber(account.debitedGrams),
    balanceGrams: toSafeNumber(account.balanceGrams),
  };
}

function accountAnswer(account: AccountView): AccountAnswer {
  return {
    ...summaryAnswer(account),
    movements: account.movements.map((m) => ({ ...m, grams: toSafeNumber(m.grams), balanceAfterGrams: toSafeNumber(m.balanceAfterGrams) })),
  };
}

export function unknownClaim(claimId: string): NotFoundError {
  return new NotFoundError('unknown-claim', `claim ${claimId} does not exist, or is not visible to your organisation`, { claimId });
}

/** A claim is as visible as its batch: one the viewer may not see answers like one that does not exist. */
@QueryHandler(GetClaimQuery)
export class GetClaimHandler implements IQueryHandler<GetClaimQuery, AsOfAware<ClaimAnswer>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ claimId, scope, asOf }: GetClaimQuery): Promise<AsOfAware<ClaimAnswer>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      const claim = await getClaim(db, claimId);
      if (!claim || !(await isBatchVisible(this.db, scope, claim.batchId))) throw unknownClaim(claimId);
      return this.names.beside(claimAnswer(claim));
    });
  }
}

@QueryHandler(ClaimsOfBatchQuery)
export class ClaimsOfBatchHandler implements IQueryHandler<ClaimsOfBatchQuery, AsOfAware<ClaimListAnswer>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ batchId, asOf }: ClaimsOfBatchQuery): Promise<AsOfAware<ClaimListAnswer>> {
    return this.readModels.at(asOf, this.db, async (db) => {
      // The guard let a privileged viewer through; a batch that does not exist is still not there.
      if (!(await getBatch(db, batchId))) throw batchNotVisible(batchId);
      return this.names.beside({ batchId, claims: (await claimsOfBatch(db, batchId)).map(claimAnswer) });
    });
  }
}

/** The claims an organisation made: the organisation itself, auditors and the operator (the route's rule). */
@QueryHandler(ClaimsOfOrganisationQuery)
export class ClaimsOfOrganisationHandler implements IQueryHandler<ClaimsOfOrganisationQuery, AsOfAware<OrganisationClaimListAnswer>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ organisationId, asOf }: ClaimsOfOrganisationQuery): Promise<AsOfAware<OrganisationClaimListAnswer>> {
    return this.readModels.at(asOf, this.db, async (db) => this.names.beside({ organisationId, claims: (await claimsOfOrganisation(db, organisationId)).map(claimAnswer) }));
  }
}

@QueryHandler(MassBalanceAccountsQuery)
export class MassBalanceAccountsHandler implements IQueryHandler<MassBalanceAccountsQuery, AsOfAware<AccountListAnswer>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ organisationId, asOf }: MassBalanceAccountsQuery): Promise<AsOfAware<AccountListAnswer>> {
    return this.readModels.at(asOf, this.db, async (db) => this.names.beside({ accounts: (await massBalanceAccountsOf(db, organisationId)).map(summaryAnswer) }));
  }
}

@QueryHandler(MassBalanceAccountQuery)
export class MassBalanceAccountHandler implements IQueryHandler<MassBalanceAccountQuery, AsOfAware<AccountAnswer>> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly readModels: AsOfReadModels,
    private readonly names: OrganisationNames,
  ) {}

  execute({ organisationId, periodId, asOf }: MassBalanceAccountQuery): Promise<AsOfAware<AccountAnswer>> {
    return this.readModels.at(asOf, this.db, async (db) => this.names.beside(accountAnswer(await massBalanceAccount(db, organisationId, periodId))));
  }
}

export interface ClaimStandardsAnswer {
  standards: Array<(typeof CLAIM_STANDARDS)[number] & { minimumRecycledPercent: string }>;
  models: Array<(typeof CHAIN_OF_CUSTODY_MODELS)[number]>;
  period: { length: LedgerConfig['massBalancePeriod']; carryOver: 'none' };
}

@QueryHandler(ClaimStandardsQuery)
export class ClaimStandardsHandler implements IQueryHandler<ClaimStandardsQuery, ClaimStandardsAnswer> {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  execute(): Promise<ClaimStandardsAnswer> {
    return Promise.resolve({
      standards: CLAIM_STANDARDS.map((s) => ({ ...s, minimumRecycledPercent: basisPointsPercent(s.minimumRecycledBasisPoints) })),
      models: [...CHAIN_OF_CUSTODY_MODELS],
      period: { length: this.config.massBalancePeriod, carryOver: 'none' },
    });
  }
}
