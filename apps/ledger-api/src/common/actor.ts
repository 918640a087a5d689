import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { OrganisationFacts, ReadScope } from '#domain';
import type { FastifyRequest } from 'fastify';

export const PUBLIC_ROUTE = 'ledger:public-route';
/** Marks a route reachable without credentials (health and API docs only). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/**
 * `commandId` is set by CommandMeta on command routes, for the request audit log. `actor` is whom the
 * request acts as; under impersonation (set by the AuthorizationGuard) `impersonation` names the
 * operator behind it. `readScope` is what the actor may read, set by the AuthorizationGuard.
 */
export type AuthenticatedRequest = FastifyRequest & {
  actor?: OrganisationFacts;
  commandId?: string;
  impersonation?: { readonly operatorOrgId: string; readonly reason: string };
  readScope?: ReadScope;
};

/** The authenticated organisation issuing the request. */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): OrganisationFacts => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new Error('Actor used on a route without authentication');
  return request.actor;
});

/**
 * What the acting organisation may read (the permission matrix, docs/security.md): queries that
 * answer lists or graphs narrow their answer to it.
 */
export const ViewerScope = createParamDecorator((_: unknown, ctx: ExecutionContext): ReadScope => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.readScope) throw new Error('ViewerScope used on a route the AuthorizationGuard did not scope');
  return request.readScope;
});
