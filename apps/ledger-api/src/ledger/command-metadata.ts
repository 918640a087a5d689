import type { EventMetadata, StoredEvent } from '#event-store';

export interface CommandMetadata {
  readonly actorOrgId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** Set when the client sent an Idempotency-Key; ids the server generates then derive from it. */
  readonly idempotent: boolean;
  /** Set when the operator acts on the actor's behalf (docs/security.md, "Impersonation"). */
  readonly impersonation?: { readonly operatorOrgId: string; readonly reason: string };
  /**
   * Set on each row of a command that runs many (an import): the row does not wait for the read
   * models; the whole settles once, after its last row, so the client still reads its own writes.
   */
  readonly settlesLater?: boolean;
}

/** What every event a command appends records of it. */
export function eventMetadataOf(meta: CommandMetadata): EventMetadata {
  return {
    actorOrgId: meta.actorOrgId,
    commandId: meta.commandId,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    ...(meta.impersonation ? { impersonatedBy: meta.impersonation.operatorOrgId, impersonationReason: meta.impersonation.reason } : {}),
  };
}

/**
 * The metadata under which recovery finishes a command it finds started: the command's own, caused
 * by its intent event, and still naming the operator if it acted on the actor's behalf.
 */
export function resumedMetadata(intent: StoredEvent): CommandMetadata {
  const { actorOrgId, commandId, correlationId, impersonatedBy, impersonationReason } = intent.metadata;
  return {
    actorOrgId,
    commandId,
    correlationId,
    causationId: intent.eventId,
    idempotent: true,
    ...(impersonatedBy !== undefined ? { impersonation: { operatorOrgId: impersonatedBy, reason: impersonationReason ?? '' } } : {}),
  };
}
