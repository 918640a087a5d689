import {
  ConflictError,
  CURRENT_SCHEMA_VERSION,
  decideMassBalanceVoid,
  deterministicId,
  foldMassBalanceAccount,
  massBalanceAccountId,
  massBalanceAccountStreamId,
  massBalancePeriodOf,
  REPROCESSING_TYPES,
  type ProcessStarted,
  type ProcessVoidStarted,
} from '#domain';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventStore } from '#event-store';
import { Inject, Injectable } from '@nestjs/common';
import type { LedgerConfig } from '../config/ledger.config.js';
import { eventMetadataOf, type CommandMetadata } from './command-metadata.js';
import { toDomainEvent } from './stream-loader.js';
import { EVENT_STORE, LEDGER_CONFIG } from './tokens.js';

/** As for claims: each conflict means another movement on the account was recorded. */
const MAX_DECISIONS = 64;

/**
 * Takes a reprocessing process's mass-balance credit back before its void starts
 * (docs/decisions/044-recycled-content-claims.md): on the account's own stream, with the revision
 * read, so a claim cannot spend the credit meanwhile; refused when claims already have. Lives with
 * the ledger's infrastructure because the void (corrections) and the claims both depend on the
 * account, and neither feature imports the other.
 */
@Injectable()
export class MassBalanceVoidGuard {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async reverseCredit(intent: Pick<ProcessVoidStarted, 'processId' | 'attempt' | 'occurredAt'>, process: ProcessStarted, meta: CommandMetadata): Promise<void> {
    if (!REPROCESSING_TYPES.has(process.processType)) return;
    const periodId = massBalancePeriodOf(process.occurredAt, this.config.massBalancePeriod);
    const accountId = massBalanceAccountId(process.organisationId, periodId);
    const streamId = massBalanceAccountStreamId(process.organisationId, periodId);
    for (let decision = 0; decision < MAX_DECISIONS; decision += 1) {
      const events = await this.store.readStream(streamId);
      const decided = decideMassBalanceVoid(foldMassBalanceAccount(events.map(toDomainEvent)), {
        accountId,
        organisationId: process.organisationId,
        periodId,
        processId: intent.processId,
        voidAttempt: intent.attempt,
        occurredAt: intent.occurredAt,
      });
      if (decided.length === 0) return;
      const toAppend = decided.map((event) => ({
        eventId: deterministicId(`mass-balance/${accountId}/reversal/${intent.processId}/${intent.attempt}`),
        type: event.type,
        schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
        data: event.data,
        metadata: eventMetadataOf(meta),
      }));
      try {
        await this.store.append(streamId, toAppend, events.length === 0 ? 'no-stream' : events[events.length - 1]!.revision);
        return;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError || error instanceof DuplicateEventIdError) continue;
        throw error;
      }
    }
    throw new ConflictError('mass-balance-account-contended', `mass-balance account ${accountId} changed ${MAX_DECISIONS} times while the void was decided; retry it`, { accountId });
  }
}
