import {
  anomaliesOrganisationFor,
  assertMayImpersonate,
  assertMayIssue,
  assertOwnKommune,
  assertOwnOrganisation,
  assertPrivileged,
  batchNotVisible,
  circularityFilterFor,
  collectorAuthorisationsFilterFor,
  dealNotVisible,
  eventNotVisible,
  mayViewCatalogueEntry,
  mayViewDeal,
  offerNotVisible,
  requestNotVisible,
  wantNotVisible,
  MalformedRequestError,
  NotFoundError,
  processNotVisible,
  readScopeOf,
  subjectOfStream,
  Uuid,
  type OrganisationFacts,
} from '#domain';
import { currentMemberships, dealLocator, findSiteByPNumber, getCatalogueOffer, getCatalogueWant, getProcess, isBatchVisible, leafAtPosition, type ReadDb } from '#projections';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE, type AuthenticatedRequest } from '../common/actor.js';
import { requestHeader as header } from '../common/request-header.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { CLOCK, READ_DB, type Clock } from '../ledger/tokens.js';
import { ACCESS_RULE, type AccessRule } from './access-rule.decorator.js';

const IMPERSONATE = 'ledger-impersonate';
const IMPERSONATION_REASON = 'ledger-impersonation-reason';
const MAX_REASON_LENGTH = 500;

type Query = Record<string, unknown>;

const isUuid = (value: string): boolean => Uuid.safeParse(value).success;

/**
 * The one place the permission matrix (docs/security.md) is enforced. Runs after authentication
 * and before any pipe or handler: it resolves impersonation, then checks the route's AccessRule.
 * A route without a rule is refused, so an endpoint added without one fails closed (and fails the
 * matrix test, which enumerates the OpenAPI document).
 *
 * Relationships are read from the live read models: a command answers only once they include it
 * (ReadYourWrites), and a relationship, once gained, is never lost (custody history stays).
 */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly directory: OrganisationDirectory,
    @Inject(READ_DB) private readonly db: ReadDb,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.actor) throw new Error('AuthorizationGuard ran before authentication');
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, targets);
    if (!rule) throw new Error(`route ${request.method} ${request.routeOptions.url ?? request.url} has no access rule`);

    const actor = await this.impersonate(request, request.actor);
    const scope = readScopeOf(actor);
    request.readScope = scope;
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const param = (name: string): string => params[name] ?? '';

    switch (rule.kind) {
      case 'authenticated':
        return true;
      case 'privileged':
        assertPrivileged(actor);
        return true;
      case 'organisation':
        assertOwnOrganisation(actor, param(rule.param));
        return true;
      case 'kommune':
        assertOwnKommune(actor, param(rule.param));
        return true;
      case 'write':
        assertMayIssue(actor, rule.acts, request.impersonation !== undefined);
        return true;
      case 'batch': {
        const batchId = param(rule.param);
        // A malformed id is left to the route's validation, which answers 400; it names no batch.
        if (!isUuid(batchId)) return true;
        if (!(await isBatchVisible(this.db, scope, batchId))) throw batchNotVisible(batchId);
        return true;
      }
      case 'process': {
        const processId = param(rule.param);
        if (!isUuid(processId)) return true;
        if (!(await this.mayReadProcess(actor, processId))) throw processNotVisible(processId);
        return true;
      }
      case 'event': {
        const position = logPosition(single((request.query ?? {}) as Query, rule.query));
        // Not a position: the route's validation answers 400, naming no event.
        if (position === undefined) return true;
        if (!(await this.mayReadEventAt(actor, position))) throw eventNotVisible(position);
        return true;
      }
      case 'collector-authorisations': {
        const query = (request.query ?? {}) as Query;
        const collectorOrgId = collectorAuthorisationsFilterFor(actor, param(rule.param), single(query, 'collectorOrgId'));
        if (collectorOrgId !== undefined) query['collectorOrgId'] = collectorOrgId;
        return true;
      }
      case 'site': {
        const pNumber = param(rule.param);
        // A malformed P-number is left to the route's validation (400); a privileged viewer learns from the handler whether it exists.
        if (!/^\d{10}$/.test(pNumber) || scope.kind === 'all') return true;
        // P-numbers are public (the sites list shows them), so saying which exist tells nothing new.
        const site = await findSiteByPNumber(this.db, pNumber);
        if (!site) throw new NotFoundError('unknown-p-number', `no site with P-number ${pNumber} is declared in the ledger`, { pNumber });
        assertOwnOrganisation(actor, site.organisationId);
        return true;
      }
      case 'scoped':
        this.narrowQuery(rule.scope, actor, (request.query ?? {}) as Query);
        return true;
      case 'catalogue-offer':
      case 'catalogue-want':
      case 'catalogue-deal': {
        const id = param(rule.param);
        // A malformed id is left to the route's validation (400), naming nothing.
        if (!isUuid(id)) return true;
        if (!(await this.mayReadCatalogue(rule.kind, actor, id))) {
          if (rule.kind === 'catalogue-offer') throw offerNotVisible(id);
          if (rule.kind === 'catalogue-want') throw wantNotVisible(id);
          throw rule.param === 'requestId' ? requestNotVisible(id) : dealNotVisible(id);
        }
        if (rule.acts !== undefined) assertMayIssue(actor, rule.acts, request.impersonation !== undefined);
        return true;
      }
    }
  }

  /**
   * The catalogue's policy (docs/decisions/046-symbiosis-catalogue.md): an offer or want is seen by
   * its organisation, auditors, the operator and its audience (programme membership is read on
   * today's date in Copenhagen); a deal by its two parties, auditors and the operator.
   */
  private async mayReadCatalogue(kind: 'catalogue-offer' | 'catalogue-want' | 'catalogue-deal', actor: OrganisationFacts, id: string): Promise<boolean> {
    if (kind === 'catalogue-deal') {
      const deal = await dealLocator(this.db, id);
      return deal !== undefined && mayViewDeal(actor, deal);
    }
    const entry =
      kind === 'catalogue-offer'
        ? await getCatalogueOffer(this.db, id).then((r) => r && { ownerOrgId: r.offer.holderOrgId, audience: r.offer.visibility.audience })
        : await getCatalogueWant(this.db, id).then((r) => r && { ownerOrgId: r.want.buyerOrgId, audience: r.want.visibility.audience });
    if (!entry) return false;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.clock.now());
    return mayViewCatalogueEntry(actor, entry, entry.audience.kind === 'programme' ? await currentMemberships(this.db, actor.organisationId, today) : []);
  }

  /**
   * An event is as visible as its stream: its batch's, its process's, its organisation's. The
   * stream is read from the audit log's leaves; a position they do not hold yet (the read models'
   * lag) answers like one that holds no event, for anyone but auditors and the operator, who may
   * wait for it (decision 025).
   */
  private async mayReadEventAt(actor: OrganisationFacts, position: number): Promise<boolean> {
    const scope = readScopeOf(actor);
    if (scope.kind === 'all') return true;
    const leaf = await leafAtPosition(this.db, position);
    const subject = leaf === undefined ? undefined : subjectOfStream(leaf.streamId);
    switch (subject?.kind) {
      case 'batch':
        return isBatchVisible(this.db, scope, subject.id);
      case 'process':
        return this.mayReadProcess(actor, subject.id);
      case 'organisation':
        return subject.id === actor.organisationId;
      case undefined:
        return false;
    }
  }

  /**
   * The operator may act as another organisation, explicitly: the request names it and why, the
   * events it appends record both (metadata impersonatedBy, impersonationReason), and so does the
   * request audit log. From here on the request has that organisation's rights, no more.
   */
  private async impersonate(request: AuthenticatedRequest, authenticated: OrganisationFacts): Promise<OrganisationFacts> {
    const targetId = header(request, IMPERSONATE);
    if (targetId === undefined) return authenticated;
    const reason = header(request, IMPERSONATION_REASON)?.trim();
    if (reason !== undefined && reason.length > MAX_REASON_LENGTH) {
      throw new MalformedRequestError('impersonation-reason-too-long', `Ledger-Impersonation-Reason is limited to ${MAX_REASON_LENGTH} characters`);
    }
    if (!isUuid(targetId)) throw new MalformedRequestError('invalid-impersonation', 'Ledger-Impersonate must be an organisation id (a UUID)');
    const target = assertMayImpersonate(authenticated, await this.directory.get(targetId), targetId, reason);
    request.impersonation = { operatorOrgId: authenticated.organisationId, reason: reason! };
    request.actor = target;
    return target;
  }

  /**
   * The process's own organisation, auditors and the operator. A process names all its inputs,
   * outputs and losses: the whole of a firm's run, which no one else may see (those it supplied or
   * received see their part of it through lineage).
   */
  private async mayReadProcess(actor: OrganisationFacts, processId: string): Promise<boolean> {
    if (readScopeOf(actor).kind === 'all') return true;
    const process = await getProcess(this.db, processId);
    return process?.organisationId === actor.organisationId;
  }

  /**
   * Lists and reports whose answer is narrowed rather than refused: the guard rewrites their query
   * to the actor's scope before validation runs (the batches list is narrowed by its query, through
   * ViewerScope).
   */
  private narrowQuery(scope: 'batches' | 'circularity' | 'anomalies' | 'catalogue', actor: OrganisationFacts, query: Query): void {
    switch (scope) {
      case 'batches':
      case 'catalogue':
        return;
      case 'circularity': {
        const narrowed = circularityFilterFor(actor, { kommuneCode: single(query, 'kommuneCode'), originKey: single(query, 'originKey') });
        delete query['kommuneCode'];
        delete query['originKey'];
        Object.assign(query, narrowed);
        return;
      }
      case 'anomalies': {
        const organisationId = anomaliesOrganisationFor(actor, single(query, 'organisationId'));
        if (organisationId !== undefined) query['organisationId'] = organisationId;
        return;
      }
    }
  }
}

/**
 * The position the route's validation will read: it coerces with Number() as zod's coerce does, so
 * that the guard checks exactly the event the handler then proves ("0x10" and "16" alike).
 */
function logPosition(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const position = Number(value);
  return Number.isSafeInteger(position) && position >= 0 ? position : undefined;
}

/** A query parameter given once; repeating a scoping parameter is refused rather than guessed at. */
function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new MalformedRequestError('invalid-query', `query parameter ${name} may be given once`, { parameter: name });
  return value;
}
