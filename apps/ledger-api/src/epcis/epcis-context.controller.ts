import { ledgerContextDocument } from '#epcis';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/actor.js';
import { ZodApiResponse } from '../common/openapi.js';
import { LEDGER_CONTEXT_EXAMPLE, LedgerContextSchema } from './epcis.responses.js';

/**
 * The ledger's JSON-LD context, public like GS1's: a JSON-LD processor dereferences it without
 * credentials. A controller of its own, so the OpenAPI document shows it needs none.
 */
@ApiTags('epcis')
@Controller('epcis/context')
export class EpcisContextController {
  @Get('v1.jsonld')
  @Public()
  @Header('content-type', 'application/ld+json; charset=utf-8')
  @Header('cache-control', 'public, max-age=86400')
  @ApiOperation({ summary: 'The ledger’s JSON-LD context (version 1) for its EPCIS user extensions (tl:fibreComposition, tl:kommune, tl:ewcCode, …)' })
  @ZodApiResponse(LedgerContextSchema, { description: 'The context document', example: LEDGER_CONTEXT_EXAMPLE })
  context(): Record<string, unknown> {
    return ledgerContextDocument();
  }
}
