import { describe, expect, it } from '@jest/globals';
import { HeavyQueryRefusedError } from '../common/cost-budget.js';
import { FairWorkQueue } from './fair-work-queue.js';

/** A job the test finishes by hand, noting when it started. */
function jobs(): { started: string[]; make: (name: string) => () => Promise<string>; finish: (name: string) => Promise<void> } {
  const started: string[] = [];
  const finishers = new Map<string, () => void>();
  return {
    started,
    make: (name) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        finishers.set(name, () => resolve(name));
      }),
    finish: async (name) => {
      finishers.get(name)!();
      // Let the queue start the next job.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FairWorkQueue', () => {
  it('given one organisation flooding the queue, when another asks, then its job runs next, after only the job already running', async () => {
    const queue = new FairWorkQueue({ concurrency: 1, perOrganisation: 10, what: 'as-of queries' });
    const { started, make, finish } = jobs();
    const flood = ['a1', 'a2', 'a3', 'a4', 'a5'].map((name) => queue.run('attacker', make(name)));
    await settle();
    const victim = queue.run('victim', make('v1'));
    await settle();
    expect(started).toEqual(['a1']);

    await finish('a1');
    expect(started).toEqual(['a1', 'v1']);
    await finish('v1');
    await expect(victim).resolves.toBe('v1');
    for (const name of ['a2', 'a3', 'a4', 'a5']) await finish(name);
    expect(started).toEqual(['a1', 'v1', 'a2', 'a3', 'a4', 'a5']);
    await expect(Promise.all(flood)).resolves.toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('given three organisations with queued work, then slots go round-robin, one job each in turn', async () => {
    const queue = new FairWorkQueue({ concurrency: 1, perOrganisation: 10, what: 'jobs' });
    const { started, make, finish } = jobs();
    for (const name of ['a1', 'a2', 'a3']) void queue.run('a', make(name));
    for (const name of ['b1', 'b2']) void queue.run('b', make(name));
    void queue.run('c', make('c1'));
    await settle();
    for (const name of ['a1', 'b1', 'c1', 'a2', 'b2', 'a3']) await finish(name);
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('given a full lane, when the organisation asks again, then it is refused at once with a Retry-After, and others are not', async () => {
    const queue = new FairWorkQueue({ concurrency: 1, perOrganisation: 2, what: 'as-of queries' });
    const { started, make, finish } = jobs();
    void queue.run('attacker', make('a1'));
    void queue.run('attacker', make('a2'));
    let ran = false;
    const refused = await queue
      .run('attacker', () => {
        ran = true;
        return Promise.resolve('a3');
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HeavyQueryRefusedError);
    expect(refused).toMatchObject({ code: 'heavy-queries-queued', details: { queuedForOrganisation: 2, maxPerOrganisation: 2 } });
    expect((refused as HeavyQueryRefusedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(ran).toBe(false);
    const victim = queue.run('victim', make('v1'));
    await settle();
    await finish('a1');
    await finish('v1');
    await expect(victim).resolves.toBe('v1');
    // A finished job frees its place in the lane.
    await finish('a2');
    expect(queue.heldBy('attacker')).toBe(0);
    await expect(queue.run('attacker', () => Promise.resolve('again'))).resolves.toBe('again');
    expect(started).toEqual(['a1', 'v1', 'a2']);
  });

  it('given a failing job, then its caller gets the error and the queue goes on', async () => {
    const queue = new FairWorkQueue({ concurrency: 1, perOrganisation: 1, what: 'jobs' });
    await expect(queue.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      queue.run('a', () => {
        throw new Error('thrown before any await');
      }),
    ).rejects.toThrow('thrown before any await');
    await expect(queue.run('a', () => Promise.resolve(1))).resolves.toBe(1);
    expect(queue.heldBy('a')).toBe(0);
  });

  it('given two slots, then jobs of different organisations run side by side', async () => {
    const queue = new FairWorkQueue({ concurrency: 2, perOrganisation: 5, what: 'jobs' });
    const { started, make } = jobs();
    for (const name of ['a1', 'a2', 'a3']) void queue.run('a', make(name));
    void queue.run('b', make('b1'));
    await settle();
    expect(started).toEqual(['a1', 'a2']);
    expect(queue.waiting).toBe(2);
  });
});
