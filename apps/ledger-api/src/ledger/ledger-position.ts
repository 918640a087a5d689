import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The log position a request's writes reached, carried through the request's async work so the
 * answer can name it (`Ledger-Position`) without every handler threading it back (decision 024).
 */
interface PositionScope {
  position: number | undefined;
  /** Set when the write answered without its read models (they are failing): `Ledger-Read-Models: behind`. */
  readModelsBehind?: boolean;
}

const scopes = new AsyncLocalStorage<PositionScope>();

/** A fresh scope: what runs inside `run` notes its writes' position there, read back with `position`. */
export function openPositionScope(): { run<T>(work: () => T): T; position(): number | undefined; readModelsBehind(): boolean } {
  const scope: PositionScope = { position: undefined };
  return { run: (work) => scopes.run(scope, work), position: () => scope.position, readModelsBehind: () => scope.readModelsBehind === true };
}

/** Says in the answer that the read models do not include this request's write yet (decision 022). */
export function noteReadModelsBehind(): void {
  const scope = scopes.getStore();
  if (scope) scope.readModelsBehind = true;
}

export const LEDGER_READ_MODELS_HEADER = 'ledger-read-models';

/** Records that the current request's write is at `position` (a bulk request keeps the highest). */
export function noteWritePosition(position: number): void {
  const scope = scopes.getStore();
  if (scope && (scope.position === undefined || position > scope.position)) scope.position = position;
}

/** The read-your-writes request headers, parsed: a non-negative integer log position. */
export const LEDGER_POSITION_HEADER = 'ledger-position';
export const LEDGER_MIN_POSITION_HEADER = 'ledger-min-position';

/**
 * A read asked for a log position (`Ledger-Min-Position`) this instance's read models did not reach
 * within the configured wait: answered 503 with Retry-After, never with data older than asked for.
 */
export class ReadModelsBehindError extends Error {
  constructor(
    readonly minPosition: number,
    readonly readModelsPosition: number,
    readonly waitedMs: number,
  ) {
    super(`the read models of this instance are at log position ${readModelsPosition}, below the requested ${minPosition}, after waiting ${waitedMs} ms; retry`);
    this.name = 'ReadModelsBehindError';
  }
}

/** The position noted so far in the current request's scope, if any. */
export function currentWritePosition(): number | undefined {
  return scopes.getStore()?.position;
}
