import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthenticatedError } from '#domain';
import { OrganisationDirectory } from '../ledger/organisation-directory.js';
import { PUBLIC_ROUTE, type AuthenticatedRequest } from './actor.js';

/** `Authorization: Bearer <api key>` → the acting organisation. Everything but health and docs needs it. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly directory: OrganisationDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) throw new UnauthenticatedError('missing credentials: send Authorization: Bearer <api key>');
    const match = /^Bearer ([A-Za-z0-9_\-.]{16,200})$/.exec(header);
    if (!match) throw new UnauthenticatedError('malformed Authorization header: expected "Bearer <api key>"');
    const actor = await this.directory.byApiKey(match[1]!);
    if (!actor) throw new UnauthenticatedError('unknown or revoked API key');
    request.actor = actor;
    return true;
  }
}
