import { castEvent, decidePublishEmissionFactorSet, emissionFactorSetStreamId, evolveEmissionFactorSet, NotFoundError, type EmissionFactorSetState } from '#domain';
import type { StoredEvent } from '#event-store';
import { emissionFactorSetInForce, getEmissionFactorSet, listEmissionFactorSets, type EmissionFactorSetView, type ReadDb } from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler, QueryHandler, type ICommandHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CommandExecutor } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { READ_DB } from '../ledger/tokens.js';
import type { OrganisationFacts, PublishEmissionFactorSet } from '#domain';
import {
  EmissionFactorSetInForceQuery,
  GetEmissionFactorSetQuery,
  ListEmissionFactorSetsQuery,
  PublishEmissionFactorSetCommand,
  type EmissionFactorSetCommandResult,
} from './emission-factors.commands.js';

function foldSet(events: readonly StoredEvent[]): EmissionFactorSetState | undefined {
  return events.reduce<EmissionFactorSetState | undefined>((state, e) => evolveEmissionFactorSet(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}

export interface EmissionFactorSetList {
  sets: EmissionFactorSetView[];
  inForceToday: string | null;
}

/** Today's date where the ledger's users are (format.ts shows dates in Europe/Copenhagen too). */
export function copenhagenDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** Decides on the set's own stream, and answers once the read models include the event. */
@Injectable()
export class EmissionFactorSetWriter {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  now(): Date {
    return this.contexts.now();
  }

  async publish(command: PublishEmissionFactorSet, actor: OrganisationFacts, meta: CommandMetadata): Promise<EmissionFactorSetCommandResult> {
    const ctx = await this.contexts.create(actor);
    const result = await this.executor.execute(emissionFactorSetStreamId(command.factorSetId), foldSet, (state) => decidePublishEmissionFactorSet(state, command, ctx), meta, {
      createsStream: true,
    });
    await this.readYourWrites.settle(result.position);
    return { factorSetId: command.factorSetId, eventId: result.eventIds[0] ?? '', position: result.position };
  }
}

@CommandHandler(PublishEmissionFactorSetCommand)
export class PublishEmissionFactorSetHandler implements ICommandHandler<PublishEmissionFactorSetCommand, EmissionFactorSetCommandResult> {
  constructor(private readonly writer: EmissionFactorSetWriter) {}

  execute({ body, actor, meta }: PublishEmissionFactorSetCommand): Promise<EmissionFactorSetCommandResult> {
    const command = { ...body, occurredAt: body.occurredAt ?? this.writer.now().toISOString() };
    return this.writer.publish(command, actor, meta);
  }
}

@QueryHandler(ListEmissionFactorSetsQuery)
export class ListEmissionFactorSetsHandler implements IQueryHandler<ListEmissionFactorSetsQuery, EmissionFactorSetList> {
  constructor(
    @Inject(READ_DB) private readonly db: ReadDb,
    private readonly writer: EmissionFactorSetWriter,
  ) {}

  async execute(): Promise<EmissionFactorSetList> {
    const sets = await listEmissionFactorSets(this.db);
    const inForce = await emissionFactorSetInForce(this.db, copenhagenDate(this.writer.now()));
    return { sets, inForceToday: inForce?.factorSetId ?? null };
  }
}

@QueryHandler(GetEmissionFactorSetQuery)
export class GetEmissionFactorSetHandler implements IQueryHandler<GetEmissionFactorSetQuery, EmissionFactorSetView> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ factorSetId }: GetEmissionFactorSetQuery): Promise<EmissionFactorSetView> {
    const set = await getEmissionFactorSet(this.db, factorSetId);
    if (!set) throw new NotFoundError('unknown-factor-set', `no emission factor set ${factorSetId} is published`, { factorSetId });
    return set;
  }
}

@QueryHandler(EmissionFactorSetInForceQuery)
export class EmissionFactorSetInForceHandler implements IQueryHandler<EmissionFactorSetInForceQuery, EmissionFactorSetView> {
  constructor(@Inject(READ_DB) private readonly db: ReadDb) {}

  async execute({ on }: EmissionFactorSetInForceQuery): Promise<EmissionFactorSetView> {
    const set = await emissionFactorSetInForce(this.db, on);
    if (!set) throw new NotFoundError('no-factor-set-in-force', `no emission factor set is in force on ${on}`, { on });
    return set;
  }
}
