import { Uuid, type OrganisationFacts } from '#domain';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { Access } from '../access/access-rule.decorator.js';
import { Actor } from '../common/actor.js';
import { CommandMeta } from '../common/command-meta.decorator.js';
import { ApiProblems, ZodApiBody, ZodApiResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod-body.pipe.js';
import type { CommandResult } from '../ledger/command-executor.js';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import {
  AcceptRequestBody,
  CancelDealBody,
  DeclineRequestBody,
  EventStreamParams,
  OfferBatchBody,
  OfferFilterParams,
  OfferStreamBody,
  PublishWantBody,
  RequestOfferBody,
  WantFilterParams,
  WithdrawOfferBody,
  WithdrawWantBody,
  type EventStreamQuery,
  type OfferFilter,
  type WantFilter,
} from './catalogue.bodies.js';
import { CatalogueFeed } from './catalogue.feed.js';
import { CatalogueReader } from './catalogue.reader.js';
import {
  DealCommandResultSchema,
  DealListSchema,
  DealSchema,
  OfferCommandResultSchema,
  OfferListSchema,
  OfferMatchesSchema,
  OfferSchema,
  WantCommandResultSchema,
  WantListSchema,
  WantMatchesSchema,
  WantSchema,
  type DealAnswer,
  type OfferAnswer,
  type WantAnswer,
} from './catalogue.responses.js';
import { CatalogueWriter } from './catalogue.writer.js';

const EXAMPLE_BATCH = '01a24cc6-7bab-77fb-8744-65d2da3ab901';
const EXAMPLE_SITE = '01a24cc6-7bab-77fb-8744-65d2da3ab902';
const EXAMPLE_PROGRAMME = '01a24cc6-7bab-77fb-8744-65d2da3ab903';
const MAX_DEALS_LISTED = 200;

type OfferResult = CommandResult & { offerId: string };
type WantResult = CommandResult & { wantId: string };
type DealResult = CommandResult & { dealId: string };

/**
 * The symbiosis catalogue (docs/decisions/046-symbiosis-catalogue.md): residuals offered and wanted,
 * matched, requested, and reserved when the holder accepts; the ordinary dispatch and receipt then
 * carry the deal out. Who sees an offer or want, and how much of it, is the access policy's to say
 * (the AuthorizationGuard for routes naming one, the reader for lists): a hidden entry answers 404.
 */
@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('catalogue')
export class CatalogueController {
  constructor(
    private readonly writer: CatalogueWriter,
    private readonly reader: CatalogueReader,
    private readonly feed: CatalogueFeed,
  ) {}

  @Post('offers')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(OfferCommandResultSchema, { status: 201, description: 'The batch is on offer' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Offer an available batch you hold, to everyone, a programme or value chain, or named organisations, disclosing as much as you choose' })
  @ZodApiBody(OfferBatchBody, {
    example: {
      batchId: EXAMPLE_BATCH,
      title: 'Hospital linen, cotton-rich, washed',
      ewcCode: '20 01 11',
      place: { siteId: EXAMPLE_SITE },
      availableUntil: '2026-06-30T00:00:00Z',
      terms: 'Collected from our site; sorted by colour',
      visibility: { audience: { kind: 'programme', programmeId: EXAMPLE_PROGRAMME }, disclosure: { name: true, mass: 'band', location: 'kommune' } },
    },
  })
  offerBatch(@Body(new ZodPipe(OfferBatchBody)) body: OfferBatchBody, @Actor() actor: OrganisationFacts, @CommandMeta() meta: CommandMetadata): Promise<OfferResult> {
    return this.writer.offerBatch(body, actor, meta);
  }

  @Post('stream-offers')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(OfferCommandResultSchema, { status: 201, description: 'The recurring stream is on offer' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Offer a recurring stream, e.g. about 2 t a month of cotton-rich linen' })
  @ZodApiBody(OfferStreamBody, {
    example: {
      title: 'Hospital linen, about 2 t a month',
      grade: 'recycling',
      composition: [{ fibre: 'cotton', share: 8_000 }, { fibre: 'polyester', share: 2_000 }],
      ewcCode: '20 01 11',
      period: 'month',
      massGramsPerPeriod: 2_000_000,
      place: { kommuneCode: '0657' },
      visibility: { audience: { kind: 'everyone' }, disclosure: { name: false, mass: 'band', location: 'region' } },
    },
  })
  offerStream(@Body(new ZodPipe(OfferStreamBody)) body: OfferStreamBody, @Actor() actor: OrganisationFacts, @CommandMeta() meta: CommandMetadata): Promise<OfferResult> {
    return this.writer.offerStream(body, actor, meta);
  }

  @Get('offers')
  @Access({ kind: 'scoped', scope: 'catalogue' })
  @ApiQuery({ name: 'fibre', required: false })
  @ApiQuery({ name: 'minShare', required: false, description: 'Least share of `fibre`, basis points' })
  @ApiQuery({ name: 'grade', required: false })
  @ApiQuery({ name: 'ewcCode', required: false, description: 'e.g. 20 01 11' })
  @ApiQuery({ name: 'kommuneCode', required: false, description: 'Offers showing this kommune (not those showing only a region)' })
  @ApiQuery({ name: 'region', required: false })
  @ApiQuery({ name: 'minGrams', required: false, description: 'Offers whose shown mass (or band) reaches this' })
  @ApiQuery({ name: 'maxGrams', required: false })
  @ApiQuery({ name: 'kind', required: false, description: 'batch or stream' })
  @ApiQuery({ name: 'mine', required: false, description: 'true: your own offers only, in every state' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  @ZodApiResponse(OfferListSchema, { description: 'Open offers you may see, newest first, as disclosed to you' })
  @ApiProblems(400, 401, 429, 503)
  @ApiOperation({ summary: 'The catalogue: open offers you may see, filtered by fibre, grade, EWC code, kommune or region, and mass' })
  offers(@Query(new ZodPipe(OfferFilterParams)) filter: OfferFilter, @Actor() actor: OrganisationFacts): Promise<{ offers: OfferAnswer[] }> {
    return this.reader.offers(actor, filter);
  }

  @Get('offers/:offerId')
  @Access({ kind: 'catalogue-offer', param: 'offerId' })
  @ZodApiResponse(OfferSchema, { description: 'The offer, as disclosed to you' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One offer (404 when it does not exist or is not for you)' })
  offer(@Param('offerId', new ZodPipe(Uuid)) offerId: string, @Actor() actor: OrganisationFacts): Promise<OfferAnswer> {
    return this.reader.offer(actor, offerId);
  }

  @Get('offers/:offerId/matches')
  @Access({ kind: 'catalogue-offer', param: 'offerId' })
  @ZodApiResponse(OfferMatchesSchema, { description: 'Open wants you may see that the offer fits, best first, with the score’s parts and the t CO2e a trade would save' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'The wants an offer fits, ranked' })
  offerMatches(@Param('offerId', new ZodPipe(Uuid)) offerId: string, @Actor() actor: OrganisationFacts): Promise<z.infer<typeof OfferMatchesSchema>> {
    return this.reader.offerMatches(actor, offerId);
  }

  @Post('offers/:offerId/withdraw')
  @Access({ kind: 'catalogue-offer', param: 'offerId', acts: 'material' })
  @HttpCode(200)
  @ZodApiResponse(OfferCommandResultSchema, { description: 'The offer is withdrawn' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Withdraw your offer (not while reserved: cancel the deal first)' })
  @ZodApiBody(WithdrawOfferBody, { example: { reason: 'Used in our own production after all' } })
  withdrawOffer(
    @Param('offerId', new ZodPipe(Uuid)) offerId: string,
    @Body(new ZodPipe(WithdrawOfferBody)) body: WithdrawOfferBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<OfferResult> {
    return this.writer.withdrawOffer(offerId, body, actor, meta);
  }

  @Post('offers/:offerId/requests')
  @Access({ kind: 'catalogue-offer', param: 'offerId', acts: 'material' })
  @ZodApiResponse(DealCommandResultSchema, { status: 201, description: 'The request is made; its id is the deal’s' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Ask the holder for an offer you may see' })
  @ZodApiBody(RequestOfferBody, { example: { message: 'We can collect in week 12' } })
  requestOffer(
    @Param('offerId', new ZodPipe(Uuid)) offerId: string,
    @Body(new ZodPipe(RequestOfferBody)) body: RequestOfferBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<DealResult> {
    return this.writer.requestOffer(offerId, body, actor, meta);
  }

  @Post('requests/:requestId/accept')
  @Access({ kind: 'catalogue-deal', param: 'requestId', acts: 'material' })
  @HttpCode(200)
  @ZodApiResponse(DealCommandResultSchema, { description: 'Accepted: for a batch, it is now reserved for the buyer' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Accept a request for your offer; for a batch this reserves it (once, whatever the concurrency)' })
  @ZodApiBody(AcceptRequestBody, { example: {} })
  accept(
    @Param('requestId', new ZodPipe(Uuid)) requestId: string,
    @Body(new ZodPipe(AcceptRequestBody)) body: AcceptRequestBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<DealResult> {
    return this.writer.acceptRequest(requestId, body, actor, meta);
  }

  @Post('requests/:requestId/decline')
  @Access({ kind: 'catalogue-deal', param: 'requestId', acts: 'material' })
  @HttpCode(200)
  @ZodApiResponse(DealCommandResultSchema, { description: 'Declined' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Decline a request for your offer' })
  @ZodApiBody(DeclineRequestBody, { example: { reason: 'Promised to another buyer' } })
  decline(
    @Param('requestId', new ZodPipe(Uuid)) requestId: string,
    @Body(new ZodPipe(DeclineRequestBody)) body: DeclineRequestBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<DealResult> {
    return this.writer.declineRequest(requestId, body, actor, meta);
  }

  @Get('deals')
  @Access({ kind: 'scoped', scope: 'catalogue' })
  @ZodApiResponse(DealListSchema, { description: `The deals you are party to (auditors and the operator: all), oldest first, at most ${MAX_DEALS_LISTED}` })
  @ApiProblems(401, 429, 503)
  @ApiOperation({ summary: 'Your requests and deals' })
  deals(@Actor() actor: OrganisationFacts): Promise<{ deals: DealAnswer[] }> {
    return this.reader.deals(actor, MAX_DEALS_LISTED);
  }

  @Get('deals/:dealId')
  @Access({ kind: 'catalogue-deal', param: 'dealId' })
  @ZodApiResponse(DealSchema, { description: 'The deal and its history: requested, accepted (reserved), dispatched, received, cancelled…' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One deal, with its history and the transfer carrying it out (its two parties, auditors and the operator)' })
  deal(@Param('dealId', new ZodPipe(Uuid)) dealId: string, @Actor() actor: OrganisationFacts): Promise<DealAnswer> {
    return this.reader.deal(actor, dealId);
  }

  @Post('deals/:dealId/cancel')
  @Access({ kind: 'catalogue-deal', param: 'dealId', acts: 'material' })
  @HttpCode(200)
  @ZodApiResponse(DealCommandResultSchema, { description: 'The deal is cancelled; the reservation ends' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Cancel an accepted deal (either party), before the batch is on its way' })
  @ZodApiBody(CancelDealBody, { example: { reason: 'Our line is down for a month' } })
  cancel(
    @Param('dealId', new ZodPipe(Uuid)) dealId: string,
    @Body(new ZodPipe(CancelDealBody)) body: CancelDealBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<DealResult> {
    return this.writer.cancelDeal(dealId, body, actor, meta);
  }

  @Post('wants')
  @Access({ kind: 'write', acts: 'material' })
  @ZodApiResponse(WantCommandResultSchema, { status: 201, description: 'The want is published' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Say what you are looking for: fibres and least shares, grades, EWC codes, a mass range, a region, by when' })
  @ZodApiBody(PublishWantBody, {
    example: {
      title: 'Cotton-rich post-consumer textile for spinning',
      fibres: [{ fibre: 'cotton', minShare: 7_000 }],
      grades: ['recycling', 'unsorted'],
      ewcCodes: ['20 01 11', '04 02 22'],
      minGrams: 500_000,
      maxGrams: 5_000_000,
      place: { kommuneCode: '0661' },
      region: 'Midtjylland',
      neededBy: '2026-09-30T00:00:00Z',
    },
  })
  publishWant(@Body(new ZodPipe(PublishWantBody)) body: PublishWantBody, @Actor() actor: OrganisationFacts, @CommandMeta() meta: CommandMetadata): Promise<WantResult> {
    return this.writer.publishWant(body, actor, meta);
  }

  @Get('wants')
  @Access({ kind: 'scoped', scope: 'catalogue' })
  @ApiQuery({ name: 'mine', required: false, description: 'true: your own wants only, in every state' })
  @ApiQuery({ name: 'limit', required: false, description: '1–500, default 100' })
  @ZodApiResponse(WantListSchema, { description: 'Open wants you may see, newest first, as disclosed to you' })
  @ApiProblems(400, 401, 429, 503)
  @ApiOperation({ summary: 'What organisations are looking for' })
  wants(@Query(new ZodPipe(WantFilterParams)) filter: WantFilter, @Actor() actor: OrganisationFacts): Promise<{ wants: WantAnswer[] }> {
    return this.reader.wants(actor, filter);
  }

  @Get('wants/:wantId')
  @Access({ kind: 'catalogue-want', param: 'wantId' })
  @ZodApiResponse(WantSchema, { description: 'The want, as disclosed to you' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'One want (404 when it does not exist or is not for you)' })
  want(@Param('wantId', new ZodPipe(Uuid)) wantId: string, @Actor() actor: OrganisationFacts): Promise<WantAnswer> {
    return this.reader.want(actor, wantId);
  }

  @Get('wants/:wantId/matches')
  @Access({ kind: 'catalogue-want', param: 'wantId' })
  @ZodApiResponse(WantMatchesSchema, { description: 'Open offers you may see that fit the want, best first, with the score’s parts and the t CO2e a trade would save' })
  @ApiProblems(400, 401, 404, 429, 503)
  @ApiOperation({ summary: 'The offers that fit a want, ranked' })
  wantMatches(@Param('wantId', new ZodPipe(Uuid)) wantId: string, @Actor() actor: OrganisationFacts): Promise<z.infer<typeof WantMatchesSchema>> {
    return this.reader.wantMatches(actor, wantId);
  }

  @Post('wants/:wantId/withdraw')
  @Access({ kind: 'catalogue-want', param: 'wantId', acts: 'material' })
  @HttpCode(200)
  @ZodApiResponse(WantCommandResultSchema, { description: 'The want is withdrawn' })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
  @ApiOperation({ summary: 'Withdraw your want' })
  @ZodApiBody(WithdrawWantBody, { example: {} })
  withdrawWant(
    @Param('wantId', new ZodPipe(Uuid)) wantId: string,
    @Body(new ZodPipe(WithdrawWantBody)) body: WithdrawWantBody,
    @Actor() actor: OrganisationFacts,
    @CommandMeta() meta: CommandMetadata,
  ): Promise<WantResult> {
    return this.writer.withdrawWant(wantId, body, actor, meta);
  }

  @Get('events')
  @Access({ kind: 'scoped', scope: 'catalogue' })
  @ApiQuery({ name: 'maxSeconds', required: false, description: 'How long the stream stays open, 0–3600 s (default 900); EventSource reconnects by itself' })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'Server-sent events: `event: match` with a JSON match (offer, want, score, co2e, side) whenever a new offer or want matches one of yours; `event: keep-alive` every 15 s',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: `event: match\ndata: ${JSON.stringify({ side: 'want' })}\n\n` } },
  })
  @ApiProblems(400, 401, 429, 503)
  @ApiOperation({ summary: 'New matches for your organisation, pushed as they appear (only what you may see)' })
  async events(@Query(new ZodPipe(EventStreamParams)) params: EventStreamQuery, @Actor() actor: OrganisationFacts, @Res() reply: FastifyReply): Promise<void> {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    raw.write(': catalogue matches\n\n');
    if (params.maxSeconds === 0) {
      raw.end();
      return;
    }
    const stop = await this.feed.listen(
      actor,
      (event, data) => void raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      // At shutdown: the connection goes, whether or not the client still reads (a stalled reader would hold the server's close).
      () => raw.destroy(),
    );
    const timer = setTimeout(() => raw.end(), params.maxSeconds * 1_000);
    timer.unref();
    raw.on('close', () => {
      clearTimeout(timer);
      stop();
    });
  }
}
