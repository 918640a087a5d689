import { describe, expect, it } from '@jest/globals';
import { PUBLIC_STORE_PROBE_TTL_MS, StoreProbe } from './health.reporter.js';
import type { StoreHealth } from './health.report.js';

/** A store whose probe answers what the test sets, counting the probes. */
function probedStore(): { probe: () => Promise<StoreHealth>; probes: () => number; answer: (ok: boolean) => void } {
  let ok = true;
  let probes = 0;
  return {
    probe: () => {
      probes += 1;
      return Promise.resolve(ok ? { store: 'sqlite', ok: true, headPosition: probes } : { store: 'sqlite', ok: false, headPosition: -1, detail: 'disk I/O error' });
    },
    probes: () => probes,
    answer: (next) => {
      ok = next;
    },
  };
}

describe('StoreProbe', () => {
  it('given a probe that succeeded, when the public answers ask within the time it stands for, then the store is not asked again', async () => {
    let now = 0;
    const store = probedStore();
    const probe = new StoreProbe(store.probe, () => now);
    await probe.recent();
    now += PUBLIC_STORE_PROBE_TTL_MS - 1;
    expect(probe.cached()).toMatchObject({ ok: true, headPosition: 1 });
    await probe.recent();
    expect(store.probes()).toBe(1);

    // Once that time is over, the next public answer probes again
    now += 1;
    expect(probe.cached()).toBeUndefined();
    expect(await probe.recent()).toMatchObject({ ok: true, headPosition: 2 });
    expect(store.probes()).toBe(2);
  });

  it('given a store that stopped answering, when the public answers ask, then every ask probes until it answers again', async () => {
    let now = 0;
    const store = probedStore();
    const probe = new StoreProbe(store.probe, () => now);
    store.answer(false);
    expect(await probe.recent()).toMatchObject({ ok: false });
    expect(probe.cached()).toBeUndefined();
    expect(await probe.recent()).toMatchObject({ ok: false });
    expect(store.probes()).toBe(2);

    // And a fresh probe that fails forgets the last good one at once
    store.answer(true);
    await probe.recent();
    store.answer(false);
    now += 1;
    expect(await probe.fresh()).toMatchObject({ ok: false });
    expect(probe.cached()).toBeUndefined();
  });

  it('given many public answers at once and no recent probe, then they share one probe', async () => {
    const store = probedStore();
    const probe = new StoreProbe(store.probe, () => 0);
    const answers = await Promise.all(Array.from({ length: 10 }, () => probe.recent()));
    expect(store.probes()).toBe(1);
    expect(new Set(answers.map((a) => a.headPosition))).toEqual(new Set([1]));
  });
});
