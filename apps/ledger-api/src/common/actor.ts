import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { OrganisationFacts } from '#domain';
import type { FastifyRequest } from 'fastify';

export const PUBLIC_ROUTE = 'ledger:public-route';
/** Marks a route reachable without credentials (health and API docs only). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** `commandId` is set by CommandMeta on command routes, for the request audit log. */
export type AuthenticatedRequest = FastifyRequest & { actor?: OrganisationFacts; commandId?: string };

/** The authenticated organisation issuing the request. */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): OrganisationFacts => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new Error('Actor used on a route without authentication');
  return request.actor;
});
