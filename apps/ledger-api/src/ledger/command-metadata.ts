import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for the ledger's name-based (v5) ids. Never change it: stored ids depend on it. */
const LEDGER_NAMESPACE = '6f1c9a3e-2b7d-4c1e-9a55-3d2f0e8b7c41';

export interface CommandMetadata {
  readonly actorOrgId: string;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** Set when the client sent an Idempotency-Key; ids the server generates then derive from it. */
  readonly idempotent: boolean;
}

/** A deterministic id: the same name always gives the same UUID, so a resumed step is a no-op. */
export function deterministicId(name: string): string {
  return uuidv5(name, LEDGER_NAMESPACE);
}

export function eventIdFor(commandId: string, index: number): string {
  return deterministicId(`${commandId}/event/${index}`);
}

export function processEventId(processId: string, step: 'started' | 'consumed' | 'produced' | 'reverted' | 'completed' | 'rejected', index: number): string {
  return deterministicId(`process/${processId}/${step}/${index}`);
}
