import { Uuid, type OrganisationFacts } from '#domain';
import { listProgrammes, type ProgrammeView, type ReadDb } from '#projections';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { READ_DB } from '../ledger/tokens.js';
import {
  AddProgrammeMemberBody,
  DeclareOrganisationSizeBody,
  MembersParams,
  RegisterProgrammeBody,
  RegisterValueChainBody,
  RemoveProgrammeMemberBody,
} from './programmes.bodies.js';
import { MembersReportSchema, OrganisationSizesSchema, ProgrammeCommandResultSchema, ProgrammeListSchema, ProgrammeSchema, SizeCommandResultSchema } from './programmes.responses.js';
import { ProgrammesService, type ProgrammeCommandResult, type SizeCommandResult } from './programmes.service.js';

const EXAMPLE_ORG = '01a24cc6-7bab-77fb-8744-65d2da3ab863';
const EXAMPLE_CHAIN = '01a24cc6-7bab-77fb-8744-65d2da3ab870';

/**
 * Programmes, value chains and their members over time (docs/decisions/041-programmes-and-sme-status.md).
 * The operator registers a programme; the operator and the programme's manager run it. Anyone signed
 * in reads programmes and members with their SME status (a programme reports them to its funders).
 */
@ApiTags('programmes')
@ApiBearerAuth()
@Controller('programmes')
export class ProgrammesController {
  constructor(
    private readonly programmes: ProgrammesService,
    @Inject(READ_DB) private readonly db: ReadDb,
  ) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(ProgrammeCommandResultSchema, { status: 201, description: 'The programme is registered' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Register a programme, optionally naming the organisation that manages it (the operator)' })
  @ZodApiBody(RegisterProgrammeBody, { example: { name: 'Closing Loops', tag: 'closing-loops', managerOrganisationId: EXAMPLE_ORG } })
  register(@Body(new ZodPipe(RegisterProgrammeBody)) body: RegisterProgrammeBody, @Actor() actor: OrganisationFacts, @CommandMeta() meta: CommandMetadata): Promise<ProgrammeCommandResult> {
    return this.programmes.registerProgramme(body, actor, meta);
  }

  @Get()
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ProgrammeListSchema, { description: 'Every programme with its value chains' })
  @ApiProblems(401, 429, 503)
  @ApiOperation({ summary: 'Programmes and their value chains' })
  async list(): Promise<{ programmes: ProgrammeView[] }> {
    return { programmes: await listProgrammes(this.db) };
  }

  @Get(':programmeId')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ProgrammeSchema, { description: 'The programme with its value chains' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One programme and its value chains' })
  get(@Param('programmeId', new ZodPipe(Uuid)) programmeId: string): Promise<ProgrammeView> {
    return this.programmes.programme(programmeId);
  }

  @Post(':programmeId/value-chains')
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(ProgrammeCommandResultSchema, { status: 201, description: 'The value chain is registered' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: "Register a value chain of the programme (the operator or the programme's manager)" })
  @ZodApiBody(RegisterValueChainBody, { example: { name: 'CØ59' } })
  registerValueChain(
    @Param('programmeId', new ZodPipe(Uuid)) programmeId: string,
    @Body(new ZodPipe(RegisterValueChainBody)) body: RegisterValueChainBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<ProgrammeCommandResult> {
    return this.programmes.registerValueChain(programmeId, body, actor, meta);
  }

  @Post(':programmeId/members')
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(ProgrammeCommandResultSchema, { status: 201, description: 'The organisation is a member from that day' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: "Add a member to the programme, or to one of its value chains, from a day (the operator or the programme's manager)" })
  @ZodApiBody(AddProgrammeMemberBody, { example: { organisationId: EXAMPLE_ORG, valueChainId: EXAMPLE_CHAIN, from: '2023-08-15' } })
  addMember(
    @Param('programmeId', new ZodPipe(Uuid)) programmeId: string,
    @Body(new ZodPipe(AddProgrammeMemberBody)) body: AddProgrammeMemberBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<ProgrammeCommandResult> {
    return this.programmes.addMember(programmeId, body, actor, meta);
  }

  @Post(':programmeId/members/remove')
  @Access({ kind: 'write', acts: 'administration' })
  @HttpCode(200)
  @ZodApiResponse(ProgrammeCommandResultSchema, { description: 'The organisation is no longer a member from that day' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: "Remove a member from the programme or a value chain, from a day (the first day it is no longer a member)" })
  @ZodApiBody(RemoveProgrammeMemberBody, { example: { organisationId: EXAMPLE_ORG, valueChainId: EXAMPLE_CHAIN, from: '2024-09-01', reason: 'Left the value chain' } })
  removeMember(
    @Param('programmeId', new ZodPipe(Uuid)) programmeId: string,
    @Body(new ZodPipe(RemoveProgrammeMemberBody)) body: RemoveProgrammeMemberBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<ProgrammeCommandResult> {
    return this.programmes.removeMember(programmeId, body, actor, meta);
  }

  @Get(':programmeId/members')
  @Access({ kind: 'authenticated' })
  @ApiQuery({ name: 'from', required: true, description: 'First day, YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: false, description: 'Last day, YYYY-MM-DD, included; the one day `from` without it' })
  @ApiQuery({ name: 'valueChainId', required: false, description: 'One value chain; the whole programme without it' })
  @ZodApiResponse(MembersReportSchema, { description: 'The members during the period, each once, with SME status, and the organisation and SME counts' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'Members of the programme (or a value chain) on a day or during a period, with the number of organisations and of SMEs' })
  members(@Param('programmeId', new ZodPipe(Uuid)) programmeId: string, @Query(new ZodPipe(MembersParams)) params: z.infer<typeof MembersParams>): Promise<z.infer<typeof MembersReportSchema>> {
    return this.programmes.members(programmeId, params);
  }
}

/** An organisation's size over time: declared by itself or the operator; read by itself, its auditors and the operator. */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:organisationId/size')
export class OrganisationSizeController {
  constructor(private readonly programmes: ProgrammesService) {}

  @Post()
  @Access({ kind: 'write', acts: 'administration' })
  @ZodApiResponse(SizeCommandResultSchema, { status: 201, description: 'The size is declared from that day' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Declare the organisation’s size (employees, annual turnover and balance sheet total in EUR) from a day (the organisation itself, or the operator)' })
  @ZodApiBody(DeclareOrganisationSizeBody, { example: { employees: 42, annualTurnoverEur: 6_500_000, balanceSheetTotalEur: 3_200_000, appliesFrom: '2023-01-01' } })
  declare(
    @Param('organisationId', new ZodPipe(Uuid)) organisationId: string,
    @Body(new ZodPipe(DeclareOrganisationSizeBody)) body: DeclareOrganisationSizeBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<SizeCommandResult> {
    return this.programmes.declareSize(organisationId, body, actor, meta);
  }

  @Get()
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ZodApiResponse(OrganisationSizesSchema, { description: 'Every size the organisation declared, in the order declared, each with its SME status' })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  @ApiOperation({ summary: 'The organisation’s declared sizes over time and SME status (the organisation itself, auditors and the operator)' })
  list(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string): Promise<z.infer<typeof OrganisationSizesSchema>> {
    return this.programmes.sizes(organisationId);
  }
}
