import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

/**
 * Name-based (UUID v5) ids. They are part of the ledger's protocol (docs/domain.md: every append
 * uses a deterministic event id, so a resumed step is a no-op), so they live in the domain, where the
 * API, the scenario generator and recovery all derive the same ids. Pure: the same name always gives
 * the same id. Never change the namespace: stored ids depend on it.
 */
const LEDGER_NAMESPACE = '6f1c9a3e-2b7d-4c1e-9a55-3d2f0e8b7c41';
/** Parsed once: uuid's v5 would otherwise re-parse the namespace string for every id. */
const LEDGER_NAMESPACE_BYTES = parseUuid(LEDGER_NAMESPACE);

export type ProcessStep = 'started' | 'consumed' | 'produced' | 'reverted' | 'completed' | 'rejected';

export function deterministicId(name: string): string {
  return uuidv5(name, LEDGER_NAMESPACE_BYTES);
}

/** The id of the n-th event a single-stream command appends. */
export function commandEventId(commandId: string, index: number): string {
  return deterministicId(`${commandId}/event/${index}`);
}

/** The id of a process manager step's event (process id + step + index). */
export function processStepEventId(processId: string, step: ProcessStep, index: number): string {
  return deterministicId(`process/${processId}/${step}/${index}`);
}

export type VoidStep = 'started' | 'voided-output' | 'reverted-output' | 'voided' | 'rejected' | 'restored';

/**
 * The id of a void step's event (process id + void attempt + step + index). A process can be voided
 * again after a rejected attempt, so the attempt is part of the name.
 */
export function processVoidStepEventId(processId: string, attempt: number, step: VoidStep, index: number): string {
  return deterministicId(`process/${processId}/void/${attempt}/${step}/${index}`);
}
