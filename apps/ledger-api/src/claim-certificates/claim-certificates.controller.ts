import type { ClaimCertificate } from '#audit-evidence';
import { Uuid, type OrganisationFacts, type ReadScope } from '#domain';
import { canonicalJson } from '#event-store';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../access/access-rule.decorator.js';
import { Actor, ViewerScope } from '../common/actor.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { GetClaimCertificateQuery } from './claim-certificates.queries.js';
import { ClaimCertificateAnswerSchema } from './claim-certificates.responses.js';

/** Claim certificates (docs/decisions/045-claim-certificates.md). */
@ApiTags('claims')
@ApiBearerAuth()
@Controller('claims/:claimId/certificate')
export class ClaimCertificatesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Access({ kind: 'authenticated' })
  @ZodApiResponse(ClaimCertificateAnswerSchema, { description: 'The claim certificate: canonical JSON, signed as a whole; check it with `ledger audit verify <file>` or on the audit page' })
  @ApiProblems(400, 401, 404, 409, 429, 503)
  @ApiOperation({
    summary:
      'A signed, self-contained certificate of a recycled-content claim: the batch’s upstream events, the claim, and for mass balance the account’s stream and the processes behind its credits, each with an inclusion proof to a signed checkpoint (the claimant, auditors and the operator; its events are charged to the organisation’s query cost budget, 429 `query-cost-budget-exhausted` while it is spent)',
  })
  async certificate(@Param('claimId', new ZodPipe(Uuid)) claimId: string, @ViewerScope() scope: ReadScope, @Actor() actor: OrganisationFacts, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const certificate = await this.queries.execute<GetClaimCertificateQuery, ClaimCertificate>(new GetClaimCertificateQuery(claimId, scope, actor.organisationId));
    void reply.header('content-type', 'application/json; charset=utf-8').header('content-disposition', `attachment; filename="claim-certificate-${claimId}.json"`);
    // The exact bytes the verifier holds the file to: canonical JSON, no trailing newline.
    return canonicalJson(certificate);
  }
}
