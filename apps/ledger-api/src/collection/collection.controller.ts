import { deterministicId, type OrganisationFacts } from '#domain';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { newUuidV7 } from '../common/new-uuid.js';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ProblemDetailsSchema, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { BatchCommandResult } from '../ledger/batch-command.runner.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { runBulk, type BulkItemResult } from '../common/bulk-results.js';
import { QUERY_COST, QueryCostBudget } from '../common/cost-budget.js';
import {
  CollectBatchBody,
  CollectBatchCommand,
  CollectBatchesBulkBody,
  RegisterResidualBatchBody,
  RegisterResidualBatchCommand,
} from './collection.commands.js';
import { Access } from '../access/access-rule.decorator.js';
import { BatchCommandResultSchema, bulkResultsSchema } from '../common/answers.js';

@ApiTags('collection')
@ApiBearerAuth()
@Controller('batches')
export class CollectionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: OrganisationDirectory,
    private readonly budget: QueryCostBudget,
  ) {}

  @Post('collections')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { status: 201, description: 'The batch was collected' })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Record a municipal collection of household textiles (BatchCollected)' })
  @ZodApiBody(CollectBatchBody, { example: { kommuneCode: '0657', collectionScheme: 'bring-bank', ewcCode: '20 01 11', massGrams: 412_500, occurredAt: '2025-03-10T09:30:00+01:00', collectorOrgId: '0195a3c2-7d41-7b8e-9f10-2c4d6e8fa011', programmeTags: ['tekstilsymbiose-herning'] } })
  collect(
    @Body(new ZodPipe(CollectBatchBody)) body: CollectBatchBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new CollectBatchCommand(body, actor, meta));
  }

  @Post('collections/bulk')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(bulkResultsSchema(BatchCommandResultSchema, ProblemDetailsSchema), { description: 'Each item’s own status: 201 with its result, or its problem' })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Record up to 1000 collections in one request (a weighbridge or municipal import). Each is its own command with its own result and status; under an Idempotency-Key each item derives its ids from the key and its index',
  })
  @ZodApiBody(CollectBatchesBulkBody, { example: { collections: [{ kommuneCode: '0657', collectionScheme: 'kerbside', ewcCode: '20 01 11', massGrams: 412_500, occurredAt: '2025-03-10T09:30:00+01:00' }, { kommuneCode: '0657', collectionScheme: 'recycling-centre', ewcCode: '20 01 10', massGrams: 96_200, occurredAt: '2025-03-10T14:05:00+01:00' }] } })
  async collectBulk(
    @Body(new ZodPipe(CollectBatchesBulkBody)) body: CollectBatchesBulkBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<{ succeeded: number; failed: number; results: BulkItemResult<BatchCommandResult>[] }> {
    // A bulk request is charged by its items to the organisation's budget of heavy work (decision 026):
    // refused while the organisation is in debt, charged once it ran.
    this.budget.admit(actor.organisationId, `a bulk request of ${body.collections.length} collections`);
    this.budget.charge(actor.organisationId, body.collections.length * QUERY_COST.bulkItem);
    // One read of the collector authorisations for every kommune of the import, not one per item.
    const authorisations = actor.roles.includes('collector') ? await this.directory.collectorAuthorisations(body.collections.map((c) => c.kommuneCode)) : undefined;
    return runBulk(body.collections, 201, (collection, index) => {
      const commandId = meta.idempotent ? deterministicId(`${meta.commandId}/item/${index}`) : newUuidV7();
      return this.commands.execute(new CollectBatchCommand(collection, actor, { ...meta, commandId, causationId: meta.commandId }, authorisations));
    });
  }

  @Post('residuals')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(BatchCommandResultSchema, { status: 201, description: 'The residual batch was registered' })
  @ApiProblems(400, 401, 403, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: "Register a business residual offered as another firm's raw material (ResidualBatchRegistered)" })
  @ZodApiBody(RegisterResidualBatchBody, { example: { originClass: 'pre-consumer', ewcCode: '04 02 22', massGrams: 1_250_000, composition: [{ fibre: 'cotton', share: 9_500 }, { fibre: 'elastane', share: 500 }], description: 'Cutting waste from denim production, baled', occurredAt: '2025-03-10T09:30:00+01:00' } })
  registerResidual(
    @Body(new ZodPipe(RegisterResidualBatchBody)) body: RegisterResidualBatchBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<BatchCommandResult> {
    return this.commands.execute(new RegisterResidualBatchCommand(body, actor, meta));
  }
}
