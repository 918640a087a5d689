import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one unit of query cost stands for (decision 026): about the work of reading one row. A
 * lineage walk costs the batches it collects, an as-of answer the events it replays, a request-audit
 * read a fixed amount per day of its range (a day file is opened and streamed until the page fills).
 */
export const QUERY_COST = {
  lineageNode: 1,
  asOfEvent: 1,
  auditDay: 100,
  // One command of a bulk request: decided, hashed, appended and projected, about ten rows' work. At
  // the default budget an organisation imports 30,000 items a minute, a tenth or so of what this
  // machine can append, so one importer cannot crowd out everyone else's commands.
  bulkItem: 10,
} as const;

/** A budget in cost units: refills `perMinute` a minute, holds at most `burst`; `perMinute` 0 turns it off. */
export interface QueryCostPolicy {
  readonly perMinute: number;
  readonly burst: number;
}

/**
 * An organisation spent its query budget, or filled its lane of the heavy-query queue: answered 429
 * with Retry-After (problem-details.filter.ts), before any work is done.
 */
export class HeavyQueryRefusedError extends Error {
  constructor(
    readonly code: 'query-cost-budget-exhausted' | 'heavy-queries-queued',
    message: string,
    readonly retryAfterSeconds: number,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'HeavyQueryRefusedError';
  }
}

interface Balance {
  units: number;
  at: number;
}

/**
 * Per-organisation budgets of query cost (decision 026). The cost of a heavy query is known only as
 * it runs (a lineage walk learns its size by walking), so an organisation is charged afterwards and
 * may end one query in debt; while in debt, its next heavy query is refused until the refill has
 * paid the debt off. Each single query's cost is bounded by its own cap (lineage nodes, as-of
 * replay, audit range), so the debt is too. A full balance is the same as no balance, which is what
 * lets the map be pruned without changing any answer.
 */
export class QueryCostBudget {
  private readonly balances = new Map<string, Balance>();
  private readonly perMs: number;

  constructor(
    readonly policy: QueryCostPolicy,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (policy.perMinute > 0 && policy.burst < 1) throw new RangeError('a query cost budget that is on holds at least 1 unit');
    this.perMs = policy.perMinute / 60_000;
  }

  get enabled(): boolean {
    return this.policy.perMinute > 0;
  }

  /** Units the organisation has left (negative: its debt). */
  balance(organisationId: string): number {
    return this.current(organisationId).units;
  }

  /** Refuses a heavy query of an organisation with less than one unit left (429 with the seconds until it has one). */
  admit(organisationId: string, what: string): void {
    if (!this.enabled) return;
    const { units } = this.current(organisationId);
    if (units >= 1) return;
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - units) / this.perMs / 1000));
    throw new HeavyQueryRefusedError(
      'query-cost-budget-exhausted',
      `organisation ${organisationId} has spent its budget for heavy queries (${this.policy.perMinute} cost units a minute, bursts of ${this.policy.burst}; LEDGER_QUERY_COST_PER_MINUTE); ${what} is refused, retry in ${retryAfterSeconds} s`,
      retryAfterSeconds,
      { budgetPerMinute: this.policy.perMinute, budgetBurst: this.policy.burst, balance: Math.floor(units) },
    );
  }

  /** Charges work done for the organisation; the balance may go negative. */
  charge(organisationId: string, units: number): void {
    if (!this.enabled || units <= 0) return;
    const balance = this.current(organisationId);
    balance.units -= units;
    this.balances.delete(organisationId);
    this.balances.set(organisationId, balance);
    if (this.balances.size > this.maxKeys) this.prune();
  }

  private current(organisationId: string): Balance {
    const now = this.now();
    const kept = this.balances.get(organisationId);
    if (!kept) return { units: this.policy.burst, at: now };
    kept.units = Math.min(this.policy.burst, kept.units + (now - kept.at) * this.perMs);
    kept.at = now;
    return kept;
  }

  /** Drops the balances that refilled completely (least recently charged first). */
  private prune(): void {
    for (const key of [...this.balances.keys()]) {
      if (this.balances.size <= this.maxKeys) return;
      if (this.current(key).units >= this.policy.burst) this.balances.delete(key);
    }
  }
}

/**
 * The organisation a heavy query runs for, where the query's code cannot be handed it: as-of reads
 * are reached from every query handler through `AsOfReadModels.at`, and the interceptor that
 * answers as-of requests runs them inside `asRequester` (as-of-answer.interceptor.ts).
 */
const requester = new AsyncLocalStorage<string>();

export function asRequester<T>(organisationId: string, work: () => T): T {
  return requester.run(organisationId, work);
}

/** The organisation the current heavy query runs for; undefined outside a request (tools, tests). */
export function currentRequester(): string | undefined {
  return requester.getStore();
}
