import { Uuid } from '#domain';
import type { ProcessListPage, ShipmentPage } from '#projections';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Access } from '../access/access-rule.decorator.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import { PROCESS_LIST_EXAMPLE, ProcessListSchema, SHIPMENT_LIST_EXAMPLE, ShipmentListSchema } from './organisation-activity.responses.js';
import { ListOrganisationProcessesQuery, ListOrganisationShipmentsQuery } from './organisation-activity.queries.js';

/** A period on business time, half-open, and a page of at most 500 rows. */
const ActivityParams = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'pass the `nextAfter` of the previous page').optional(),
  })
  .strict()
  .refine((params) => params.from === undefined || params.to === undefined || Date.parse(params.from) < Date.parse(params.to), {
    message: '`from` must be before `to`',
    path: ['to'],
  });
// A type named apart from the schema: Swagger reads a parameter's design type, and a zod value there breaks it.
type ActivityQuery = z.infer<typeof ActivityParams>;

const periodOf = ({ from, to }: ActivityQuery) => ({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });

/**
 * What an organisation did in a period: its processes and its shipments. Read by the organisation,
 * auditors and the operator, like its inventory.
 */
@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations/:organisationId')
export class OrganisationActivityController {
  constructor(private readonly queries: QueryBus) {}

  @Get('processes')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ApiOperation({ summary: "An organisation's processes in a period (business time, [from, to)), oldest first, with their input, output and loss grams; paged by `after`" })
  @ZodApiResponse(ProcessListSchema, { description: 'A page of the organisation’s processes', example: PROCESS_LIST_EXAMPLE })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  processes(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Query(new ZodPipe(ActivityParams)) params: ActivityQuery): Promise<ProcessListPage> {
    return this.queries.execute(new ListOrganisationProcessesQuery(organisationId, periodOf(params), params.limit, params.after));
  }

  @Get('shipments')
  @Access({ kind: 'organisation', param: 'organisationId' })
  @ApiOperation({ summary: "An organisation's shipments out and in, by dispatch time ([from, to)), oldest first, with the counterpart, weight and receipt; paged by `after`" })
  @ZodApiResponse(ShipmentListSchema, { description: 'A page of the organisation’s shipments', example: SHIPMENT_LIST_EXAMPLE })
  @ApiProblems(400, 401, 403, 404, 429, 503)
  shipments(@Param('organisationId', new ZodPipe(Uuid)) organisationId: string, @Query(new ZodPipe(ActivityParams)) params: ActivityQuery): Promise<ShipmentPage> {
    return this.queries.execute(new ListOrganisationShipmentsQuery(organisationId, periodOf(params), params.limit, params.after));
  }
}
