import { Instant, Uuid } from '#domain';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { RequestAuditLog, type RequestAuditEntry } from '../common/request-audit.log.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { Access } from '../access/access-rule.decorator.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const RequestAuditParams = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    organisationId: Uuid.optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || Date.parse(p.from) <= Date.parse(p.to), { message: 'from must not be after to', path: ['from'] });

export interface RequestAuditPage {
  readonly from: string;
  readonly to: string;
  /** Oldest first. */
  readonly entries: RequestAuditEntry[];
  /** More entries matched than `limit`: ask again from the time of the last one. */
  readonly truncated: boolean;
}

/** Who may read the request audit log: it names every organisation's activity. */

/** The request audit log (decision 016): who read or wrote what, and when, for auditors and the operator. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class RequestAuditController {
  constructor(private readonly log: RequestAuditLog) {}

  @Get('requests')
  @Access({ kind: 'privileged' })
  @ApiOperation({ summary: 'Requests as recorded in the request audit log, oldest first (operator and auditors only)' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601 instant with offset; default: 24 hours before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601 instant with offset; default: now' })
  @ApiQuery({ name: 'organisationId', required: false, description: 'only requests of this organisation' })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  async requests(@Query(new ZodPipe(RequestAuditParams)) params: z.infer<typeof RequestAuditParams>): Promise<RequestAuditPage> {
    const to = params.to ? new Date(params.to) : new Date();
    const from = params.from ? new Date(params.from) : new Date(to.getTime() - DAY_MS);
    const { entries, truncated } = await this.log.read({ from, to, organisationId: params.organisationId, limit: params.limit });
    return { from: from.toISOString(), to: to.toISOString(), entries, truncated };
  }
}
