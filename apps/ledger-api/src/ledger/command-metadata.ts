export interface CommandMetadata {
  readonly actorOrgId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** Set when the client sent an Idempotency-Key; ids the server generates then derive from it. */
  readonly idempotent: boolean;
}
