import { Uuid, type ReadScope } from '#domain';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ViewerScope } from '../common/actor.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { AsOfParams, asOfFrom, type AsOfQuery } from '../ledger/as-of.params.js';
import type { AuditedBatchHistory, AuditKeyView, CheckpointList, ConsistencyProofAnswer, InclusionProofAnswer } from './audit.handlers.js';
import { GetAuditedBatchHistoryQuery, GetConsistencyProofQuery, GetInclusionProofQuery, ListCheckpointsQuery } from './audit.queries.js';
import { CheckpointSigner } from './checkpoint-signer.js';
import { Access } from '../access/access-rule.decorator.js';
import { AuditKeySchema, CheckpointListSchema, InclusionProofSchema, ConsistencyProofSchema, AuditedBatchHistorySchema } from './audit.responses.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';

const count = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const CheckpointParams = z.object({ fromTreeSize: count.optional(), limit: z.coerce.number().int().min(1).max(1_000).default(100) }).strict();
const InclusionParams = z.object({ position: count, treeSize: count.optional() }).strict();
const ConsistencyParams = z.object({ from: count, to: count }).strict();

/**
 * The tamper-evidence of the log (decision 010): signed checkpoints of the Merkle tree over every
 * event, inclusion and consistency proofs, and batch histories that carry their own proofs, so an
 * auditor can check what they are shown without trusting the server that shows it.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditLogController {
  constructor(
    private readonly queries: QueryBus,
    private readonly signer: CheckpointSigner,
  ) {}

  @Get('public-key')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(AuditKeySchema, { description: 'The key that signs the checkpoints' })
  @ApiProblems(401, 429, 503)
  @ApiOperation({ summary: 'The Ed25519 public key that signs checkpoints (SPKI PEM) and its key id' })
  publicKey(): AuditKeyView {
    return { algorithm: 'Ed25519', keyId: this.signer.signingKey.keyId, publicKey: this.signer.signingKey.publicKeyPem };
  }

  @Get('checkpoints')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(CheckpointListSchema, { description: 'Signed checkpoints, oldest first' })
  @ApiProblems(400, 401, 429, 503)
  @ApiOperation({ summary: 'Signed checkpoints (tree size, RFC 9162 root, signature over `body`), oldest first' })
  @ApiQuery({ name: 'fromTreeSize', required: false })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  checkpoints(@Query(new ZodPipe(CheckpointParams)) params: z.infer<typeof CheckpointParams>): Promise<CheckpointList> {
    return this.queries.execute(new ListCheckpointsQuery(params.fromTreeSize, params.limit));
  }

  @Get('proofs/inclusion')
  @Access({ kind: 'event', query: 'position' })
  @ZodApiResponse(InclusionProofSchema, { description: 'The event’s leaf and its audit path to a signed checkpoint' })
  @ApiProblems(400, 401, 404, 422, 429, 503)
  @ApiOperation({ summary: 'RFC 9162 inclusion proof of the event at a log position, against a signed checkpoint (or a given tree size); only for an event the viewer may see' })
  @ApiQuery({ name: 'position', required: true })
  @ApiQuery({ name: 'treeSize', required: false, description: 'default: the oldest signed checkpoint holding the event' })
  inclusion(@Query(new ZodPipe(InclusionParams)) params: z.infer<typeof InclusionParams>): Promise<InclusionProofAnswer> {
    return this.queries.execute(new GetInclusionProofQuery(params.position, params.treeSize));
  }

  @Get('proofs/consistency')
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ConsistencyProofSchema, { description: 'The consistency proof between two tree sizes' })
  @ApiProblems(400, 401, 422, 429, 503)
  @ApiOperation({ summary: 'RFC 9162 consistency proof that the tree of `from` leaves is a prefix of the tree of `to` leaves' })
  @ApiQuery({ name: 'from', required: true })
  @ApiQuery({ name: 'to', required: true })
  consistency(@Query(new ZodPipe(ConsistencyParams)) params: z.infer<typeof ConsistencyParams>): Promise<ConsistencyProofAnswer> {
    return this.queries.execute(new GetConsistencyProofQuery(params.from, params.to));
  }

  @Get('batches/:batchId/history')
  @Access({ kind: 'batch', param: 'batchId' })
  @ZodApiResponse(AuditedBatchHistorySchema, { description: 'The batch’s events with inclusion proofs in one signed checkpoint' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: "A batch's events as of a recorded time or log position, each with its hash, leaf and inclusion proof against a signed checkpoint" })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant, compared with each event’s recordedAt' })
  @ApiQuery({ name: 'asOfPosition', required: false, description: 'global log position, inclusive' })
  history(
    @Param('batchId', new ZodPipe(Uuid)) batchId: string,
    @Query(new ZodPipe(AsOfParams)) params: AsOfQuery,
    @ViewerScope() scope: ReadScope,
  ): Promise<AuditedBatchHistory> {
    return this.queries.execute(new GetAuditedBatchHistoryQuery(batchId, asOfFrom(params), scope));
  }
}
