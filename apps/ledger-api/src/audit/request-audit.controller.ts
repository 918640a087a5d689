import { Instant, InvalidCommandError, Uuid, type OrganisationFacts } from '#domain';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor } from '../common/actor.js';
import { QUERY_COST, QueryCostBudget } from '../common/cost-budget.js';
import { RequestAuditLog, type RequestAuditEntry } from '../common/request-audit.log.js';
import type { LedgerConfig } from '../config/ledger.config.js';
import { LEDGER_CONFIG } from '../ledger/tokens.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { Access } from '../access/access-rule.decorator.js';
import { RequestAuditPageSchema } from './audit.responses.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';

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
  private readonly maxRangeDays: number;

  constructor(
    private readonly log: RequestAuditLog,
    private readonly budget: QueryCostBudget,
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
  ) {
    this.maxRangeDays = config.heavyQueries.auditMaxRangeDays;
  }

  @Get('requests')
  @Access({ kind: 'privileged' })
  @ZodApiResponse(RequestAuditPageSchema, { description: 'Request audit entries, oldest first' })
  @ApiProblems(400, 401, 403, 422, 429, 503)
  @ApiOperation({ summary: 'Requests as recorded in the request audit log, oldest first (operator and auditors only)' })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'ISO-8601 instant with offset; default: 24 hours before `to`. At most LEDGER_REQUEST_AUDIT_MAX_RANGE_DAYS (366) days before `to`, else a 422 `audit-range-too-long` problem',
  })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601 instant with offset; default: now' })
  @ApiQuery({ name: 'organisationId', required: false, description: 'only requests of this organisation' })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  async requests(@Query(new ZodPipe(RequestAuditParams)) params: z.infer<typeof RequestAuditParams>, @Actor() actor: OrganisationFacts): Promise<RequestAuditPage> {
    const to = params.to ? new Date(params.to) : new Date();
    const from = params.from ? new Date(params.from) : new Date(to.getTime() - DAY_MS);
    // A range is read a day file at a time: bounded, so that one request's cost is (decision 026).
    const days = Math.ceil((to.getTime() - from.getTime()) / DAY_MS);
    if (days > this.maxRangeDays) {
      throw new InvalidCommandError(
        'audit-range-too-long',
        `from ${from.toISOString()} to ${to.toISOString()} spans ${days} days, more than the ${this.maxRangeDays} one request may read (LEDGER_REQUEST_AUDIT_MAX_RANGE_DAYS); ask for the range in parts`,
        { days, maxRangeDays: this.maxRangeDays },
      );
    }
    this.budget.admit(actor.organisationId, 'this request-audit read');
    this.budget.charge(actor.organisationId, Math.max(1, days) * QUERY_COST.auditDay);
    const { entries, truncated } = await this.log.read({ from, to, organisationId: params.organisationId, limit: params.limit });
    return { from: from.toISOString(), to: to.toISOString(), entries, truncated };
  }
}
