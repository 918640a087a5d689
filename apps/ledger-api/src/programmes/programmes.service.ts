import {
  castEvent,
  decideAddProgrammeMember,
  decideDeclareOrganisationSize,
  decideRegisterProgramme,
  decideRegisterValueChain,
  decideRemoveProgrammeMember,
  evolveOrganisation,
  evolveProgramme,
  NotFoundError,
  streamIds,
  type DecisionContext,
  type DomainEvent,
  type OrganisationFacts,
  type OrganisationState,
  type ProgrammeState,
} from '#domain';
import type { StoredEvent } from '#event-store';
import { getOrganisation, getProgramme, organisationSizes, programmeMembers, type ProgrammeView, type ReadDb } from '#projections';
import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { newIdFor } from '../common/command-meta.decorator.js';
import { CommandExecutor } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { DecisionContextFactory } from '../ledger/decision-context.factory.js';
import { ReadYourWrites } from '../ledger/read-your-writes.js';
import { READ_DB } from '../ledger/tokens.js';
import type { AddProgrammeMemberBody, DeclareOrganisationSizeBody, MembersParams, RegisterProgrammeBody, RegisterValueChainBody, RemoveProgrammeMemberBody } from './programmes.bodies.js';
import type { MembersReportSchema, OrganisationSizesSchema } from './programmes.responses.js';

function fold<S>(evolve: (state: S | undefined, event: DomainEvent) => S | undefined) {
  return (events: readonly StoredEvent[]): S | undefined => events.reduce<S | undefined>((state, e) => evolve(state, castEvent(e.type, e.schemaVersion, e.data)), undefined);
}
const foldProgramme = fold<ProgrammeState>(evolveProgramme);
const foldOrganisation = fold<OrganisationState>(evolveOrganisation);

export interface ProgrammeCommandResult {
  programmeId: string;
  valueChainId?: string;
  eventId: string;
  position: number;
}

export interface SizeCommandResult {
  organisationId: string;
  eventId: string;
  position: number;
}

/**
 * Programmes and organisation sizes (docs/decisions/041-programmes-and-sme-status.md): decided on
 * the programme's (or organisation's) own stream; answers once the read models include the event.
 */
@Injectable()
export class ProgrammesService {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly contexts: DecisionContextFactory,
    private readonly readYourWrites: ReadYourWrites,
    @Inject(READ_DB) private readonly db: ReadDb,
  ) {}

  private async write<S>(
    streamId: string,
    foldState: (events: readonly StoredEvent[]) => S | undefined,
    actor: OrganisationFacts,
    meta: CommandMetadata,
    decide: (state: S | undefined, ctx: DecisionContext) => DomainEvent[],
    referencedOrgIds: ReadonlyArray<string | undefined> = [],
  ): Promise<{ eventId: string; position: number }> {
    const ctx = await this.contexts.create(actor, referencedOrgIds);
    const result = await this.executor.execute(streamId, foldState, (state) => decide(state, ctx), meta);
    await this.readYourWrites.settle(result.position);
    return { eventId: result.eventIds[0] ?? '', position: result.position };
  }

  private now(): string {
    return this.contexts.now().toISOString();
  }

  async registerProgramme(body: RegisterProgrammeBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<ProgrammeCommandResult> {
    const programmeId = newIdFor(meta, 'programme', body.programmeId);
    const command = { ...body, programmeId, occurredAt: body.occurredAt ?? this.now() };
    const written = await this.write(streamIds.programme(programmeId), foldProgramme, actor, meta, (state, ctx) => decideRegisterProgramme(state, command, ctx), [command.managerOrganisationId]);
    return { programmeId, ...written };
  }

  async registerValueChain(programmeId: string, body: RegisterValueChainBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<ProgrammeCommandResult> {
    const valueChainId = newIdFor(meta, 'value-chain', body.valueChainId);
    const command = { ...body, programmeId, valueChainId, occurredAt: body.occurredAt ?? this.now() };
    const written = await this.write(streamIds.programme(programmeId), foldProgramme, actor, meta, (state, ctx) => decideRegisterValueChain(state, command, ctx));
    return { programmeId, valueChainId, ...written };
  }

  async addMember(programmeId: string, body: AddProgrammeMemberBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<ProgrammeCommandResult> {
    const command = { ...body, programmeId, occurredAt: body.occurredAt ?? this.now() };
    const written = await this.write(streamIds.programme(programmeId), foldProgramme, actor, meta, (state, ctx) => decideAddProgrammeMember(state, command, ctx), [command.organisationId]);
    return { programmeId, ...(body.valueChainId !== undefined ? { valueChainId: body.valueChainId } : {}), ...written };
  }

  async removeMember(programmeId: string, body: RemoveProgrammeMemberBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<ProgrammeCommandResult> {
    const command = { ...body, programmeId, occurredAt: body.occurredAt ?? this.now() };
    const written = await this.write(streamIds.programme(programmeId), foldProgramme, actor, meta, (state, ctx) => decideRemoveProgrammeMember(state, command, ctx));
    return { programmeId, ...(body.valueChainId !== undefined ? { valueChainId: body.valueChainId } : {}), ...written };
  }

  async declareSize(organisationId: string, body: DeclareOrganisationSizeBody, actor: OrganisationFacts, meta: CommandMetadata): Promise<SizeCommandResult> {
    const command = { ...body, organisationId, occurredAt: body.occurredAt ?? this.now() };
    const written = await this.write(streamIds.organisation(organisationId), foldOrganisation, actor, meta, (state, ctx) => decideDeclareOrganisationSize(state, command, ctx));
    return { organisationId, ...written };
  }

  async programme(programmeId: string): Promise<ProgrammeView> {
    const programme = await getProgramme(this.db, programmeId);
    if (!programme) throw new NotFoundError('unknown-programme', `programme ${programmeId} is not registered`, { programmeId });
    return programme;
  }

  /** Members and SME status only: the size figures themselves are the organisation's, its auditors' and the operator's (GET …/size). */
  async members(programmeId: string, params: MembersParams): Promise<z.infer<typeof MembersReportSchema>> {
    const programme = await this.programme(programmeId);
    if (params.valueChainId !== undefined && !programme.valueChains.some((c) => c.valueChainId === params.valueChainId)) {
      throw new NotFoundError('unknown-value-chain', `programme ${programmeId} has no value chain ${params.valueChainId}`, { valueChainId: params.valueChainId });
    }
    const report = await programmeMembers(this.db, {
      programmeId,
      from: params.from,
      to: params.to ?? params.from,
      ...(params.valueChainId !== undefined ? { valueChainId: params.valueChainId } : {}),
    });
    return {
      ...report,
      members: report.members.map(({ size, ...member }) => ({ ...member, sizeAppliesFrom: size?.appliesFrom ?? null })),
    };
  }

  async sizes(organisationId: string): Promise<z.infer<typeof OrganisationSizesSchema>> {
    if (!(await getOrganisation(this.db, organisationId))) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
    const declarations = (await organisationSizes(this.db, [organisationId])).get(organisationId) ?? [];
    return { organisationId, declarations };
  }
}
