import { describe, expect, it } from '@jest/globals';
import { asRequester, currentRequester, HeavyQueryRefusedError, QueryCostBudget } from './cost-budget.js';

describe('QueryCostBudget', () => {
  it('given a fresh organisation, then it may spend its burst, ending in debt, and is refused until the refill pays it off', () => {
    let now = 0;
    const budget = new QueryCostBudget({ perMinute: 60_000, burst: 10_000 }, () => now);
    budget.admit('org-a', 'this lineage walk');
    budget.charge('org-a', 8_000);
    budget.admit('org-a', 'this lineage walk');
    budget.charge('org-a', 7_000);
    expect(budget.balance('org-a')).toBe(-5_000);

    const refused = (() => {
      try {
        budget.admit('org-a', 'this lineage walk');
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(HeavyQueryRefusedError);
    // 60,000 a minute is 1,000 a second: 5,001 units take 6 s (rounded up).
    expect(refused).toMatchObject({ code: 'query-cost-budget-exhausted', retryAfterSeconds: 6, details: { budgetPerMinute: 60_000, budgetBurst: 10_000, balance: -5_000 } });
    expect((refused as Error).message).toContain('this lineage walk is refused');

    // Another organisation's budget is its own.
    expect(() => budget.admit('org-b', 'an as-of query')).not.toThrow();

    now += 5_000;
    expect(() => budget.admit('org-a', 'x')).toThrow(HeavyQueryRefusedError);
    now += 1_001;
    expect(() => budget.admit('org-a', 'x')).not.toThrow();
  });

  it('given a long pause, then the balance refills to the burst and no further', () => {
    let now = 0;
    const budget = new QueryCostBudget({ perMinute: 600, burst: 100 }, () => now);
    budget.charge('org', 50);
    now += 60_000 * 10;
    expect(budget.balance('org')).toBe(100);
  });

  it('given a budget that is off, then nothing is refused', () => {
    const budget = new QueryCostBudget({ perMinute: 0, burst: 0 });
    budget.charge('org', 1e9);
    expect(() => budget.admit('org', 'x')).not.toThrow();
  });

  it('given many organisations, then only full balances are forgotten, so no debt is', () => {
    let now = 0;
    const budget = new QueryCostBudget({ perMinute: 60, burst: 10 }, () => now, 2);
    budget.charge('in-debt', 100);
    for (const org of ['a', 'b', 'c']) budget.charge(org, 1);
    now += 60_000;
    budget.charge('d', 1);
    expect(budget.balance('in-debt')).toBeLessThan(0);
  });

  it('names the requester of the work running inside asRequester, and nobody outside it', async () => {
    expect(currentRequester()).toBeUndefined();
    const seen = await asRequester('org-a', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentRequester();
    });
    expect(seen).toBe('org-a');
  });
});
