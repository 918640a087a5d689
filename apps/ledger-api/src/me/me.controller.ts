import { kommuneName, readScopeOf, type OrganisationFacts } from '#domain';
import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access-rule.decorator.js';
import type { CredentialRequest } from '../common/api-key.guard.js';
import { ApiProblems, ZodApiResponse } from '../common/openapi.js';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { ME_EXAMPLE, MeAnswerSchema, type MeAnswer, type WebPage } from './me.responses.js';

/**
 * Who the request acts as (decision 034). `/me` rather than `/session`: the ledger keeps no session
 * (every request carries its API key or token, docs/decisions/015-authentication.md), so the answer
 * describes the principal of this very request, and a client may call it with any credential.
 */
@ApiTags('me')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(private readonly directory: OrganisationDirectory) {}

  @Get()
  @Access({ kind: 'authenticated' })
  @ApiOperation({
    summary:
      'The signed-in principal: organisation, roles, kommune, how it authenticated, whether it is the operator or an auditor, and the web application’s pages it may use. Under impersonation: the impersonated organisation, naming the operator behind it',
  })
  @ZodApiResponse(MeAnswerSchema, { description: 'The principal of this request', example: ME_EXAMPLE })
  @ApiProblems(401, 429, 503)
  async me(@Req() request: CredentialRequest): Promise<MeAnswer> {
    // The AuthorizationGuard ran: `actor` is whom the request acts as, impersonation resolved.
    const actor = request.actor as OrganisationFacts;
    const credential = request.credential;
    const impersonation = request.impersonation;
    const operatorOrgName = impersonation ? ((await this.directory.get(impersonation.operatorOrgId))?.name ?? null) : null;
    const kommuneCode = actor.kommuneCode ?? null;
    return {
      organisationId: actor.organisationId,
      name: actor.name,
      roles: [...actor.roles],
      kommuneCode,
      kommuneName: kommuneCode === null ? null : (kommuneName(kommuneCode) ?? null),
      operator: actor.roles.includes('operator'),
      auditor: actor.roles.includes('auditor'),
      readScope: readScopeOf(actor).kind,
      authentication: credential?.kind === 'oidc' ? { method: 'oidc', subject: credential.subject ?? null } : { method: 'api-key', keyId: credential?.keyId ?? '' },
      impersonation: impersonation ? { operatorOrgId: impersonation.operatorOrgId, operatorOrgName, reason: impersonation.reason } : null,
      pages: pagesFor(actor),
    };
  }
}

/**
 * The web application's pages whose API calls the permission matrix lets this principal make
 * (docs/decisions/018-permission-matrix.md): everyone has the home page, the batch list, its own
 * organisation page and the audit page (public audit material, anomalies narrowed to its own); the
 * municipal report is its own kommune's for a municipality and any kommune's for auditors and the
 * operator; the operator page (other organisations' keys and authorisations) is theirs only.
 */
export function pagesFor(actor: OrganisationFacts): MeAnswer['pages'] {
  const privileged = readScopeOf(actor).kind === 'all';
  const pages: Array<{ page: WebPage; href: string }> = [
    { page: 'home', href: '#/' },
    { page: 'batches', href: '#/batches' },
    { page: 'organisation', href: `#/organisations/${encodeURIComponent(actor.organisationId)}` },
  ];
  if (privileged) pages.push({ page: 'municipality', href: '#/municipality' });
  else if (actor.roles.includes('municipality') && actor.kommuneCode !== undefined) pages.push({ page: 'municipality', href: `#/municipality/${encodeURIComponent(actor.kommuneCode)}` });
  pages.push({ page: 'audit', href: '#/audit' });
  if (privileged) pages.push({ page: 'operator', href: '#/operator' });
  return pages;
}
