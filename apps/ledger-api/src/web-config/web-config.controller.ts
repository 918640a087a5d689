import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/actor.js';
import type { LedgerConfig } from '../config/ledger.config.js';
import { LEDGER_CONFIG } from '../ledger/tokens.js';
import { webConfigAnswer, webConfigAnswerSchema, type WebConfigAnswer } from './web-config.answer.js';

/**
 * Public, like the health probes: the sign-in page reads it before it holds any credential
 * (decision 035). It answers from the configuration only, so it tells an outsider nothing the
 * identity provider's own discovery document does not.
 */
@ApiTags('web')
@Controller('web/config')
export class WebConfigController {
  private readonly answer: WebConfigAnswer;

  constructor(@Inject(LEDGER_CONFIG) config: LedgerConfig) {
    this.answer = webConfigAnswer(config.oidc);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'What the web application needs before sign-in: the OIDC provider and public client to sign in with, or null (API keys only)' })
  @ApiOkResponse({ description: 'the sign-in options', schema: webConfigAnswerSchema() })
  config(): WebConfigAnswer {
    return this.answer;
  }
}
