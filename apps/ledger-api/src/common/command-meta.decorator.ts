import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { newUuidV7 } from './new-uuid.js';
import { deterministicId } from '#domain';
import type { CommandMetadata } from '../ledger/command-metadata.js';
import type { AuthenticatedRequest } from './actor.js';
import { correlationIdOf, requestHeader as header } from './request-header.js';

/**
 * Command metadata from the request. With an Idempotency-Key the command id derives from the actor
 * and the key, so a retry — even one that reaches the ledger after a crash lost its first answer —
 * is recognised by the events it already wrote.
 */
export const CommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  const actorOrgId = request.actor?.organisationId;
  if (!actorOrgId) throw new Error('CommandMeta used on a route without authentication');
  const key = header(request, 'idempotency-key');
  const commandId = key ? deterministicId(`idempotency/${actorOrgId}/${key}`) : newUuidV7();
  // Stored in the metadata of every event the command appends, so only a short token (decision 027);
  // the request hooks refuse a malformed one before the body is read, this is the last line.
  const correlationId = correlationIdOf(request) ?? commandId;
  request.commandId = commandId;
  return {
    actorOrgId,
    commandId,
    correlationId,
    causationId: commandId,
    idempotent: key !== undefined,
    ...(request.impersonation ? { impersonation: request.impersonation } : {}),
  };
});

/**
 * An id for something new the command creates: the client's, if it sent one; otherwise UUID v7, or,
 * under an Idempotency-Key, one derived from the command so that the retry names the same thing.
 */
export function newIdFor(meta: CommandMetadata, role: string, clientId: string | undefined): string {
  if (clientId) return clientId;
  return meta.idempotent ? deterministicId(`${meta.commandId}/${role}`) : newUuidV7();
}
