import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { UNHASHED, chainEvents, firstCheckpointAtLeast } from './append-support.js';
import type { EventToAppend, StoredEvent } from './event-store.port.js';
import { GENESIS_HASH, computeEventHash, verifyStreamChain } from './integrity/event-hash.js';

interface Entry {
  readonly revision: number;
  readonly treeSize: number;
}

/** A log readable only as "the first entry at this revision or after it", like a stream read. */
function logOf(entries: readonly Entry[]) {
  let probes = 0;
  return {
    get probes() {
      return probes;
    },
    last: entries[entries.length - 1],
    probe: async (revision: number): Promise<Entry | undefined> => {
      probes += 1;
      return entries.find((e) => e.revision >= revision);
    },
  };
}

describe('firstCheckpointAtLeast', () => {
  it('finds the first entry of at least each tree size, in about log2(n) reads', async () => {
    const entries = Array.from({ length: 100 }, (_, i) => ({ revision: i, treeSize: 5 + 7 * i }));
    for (let size = 0; size <= entries[99]!.treeSize + 1; size++) {
      const log = logOf(entries);
      expect(await firstCheckpointAtLeast(size, log.last, log.probe)).toEqual(entries.find((e) => e.treeSize >= size));
      expect(log.probes).toBeLessThanOrEqual(7);
    }
  });

  it('searches a log whose first revisions were truncated away', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ revision: 40 + i, treeSize: 100 + 10 * i }));
    for (const size of [0, 100, 101, 150, 155, 290, 291]) {
      const log = logOf(entries);
      expect(await firstCheckpointAtLeast(size, log.last, log.probe)).toEqual(entries.find((e) => e.treeSize >= size));
    }
  });

  it('answers undefined for an empty log or a tree size beyond the last entry, without reading', async () => {
    const empty = logOf([]);
    expect(await firstCheckpointAtLeast(0, empty.last, empty.probe)).toBeUndefined();
    const one = logOf([{ revision: 0, treeSize: 3 }]);
    expect(await firstCheckpointAtLeast(4, one.last, one.probe)).toBeUndefined();
    expect(await firstCheckpointAtLeast(3, one.last, one.probe)).toEqual({ revision: 0, treeSize: 3 });
    expect(empty.probes + one.probes).toBe(0);
  });
});

describe('chainEvents', () => {
  const events: EventToAppend[] = ['a', 'b', 'c'].map((id) => ({
    eventId: id,
    type: 'TestEvent',
    schemaVersion: 1,
    data: { id, at: new Date(0) },
    metadata: { actorOrgId: 'org', commandId: `c-${id}`, correlationId: 'corr', causationId: 'cause' },
  }));
  const recordedAt = '2026-01-01T00:00:00.000Z';
  const asStored = (chained: ReturnType<typeof chainEvents>): StoredEvent[] =>
    chained.map((c, i) => ({ ...c.event, data: JSON.parse(c.dataJson) as unknown, streamId: 's', revision: c.revision, position: i, recordedAt, prevHash: c.prevHash, hash: c.hash }));

  it('chains the events of an append by default, from the given head', () => {
    const chained = chainEvents('s', -1, GENESIS_HASH, events, recordedAt);
    expect(chained.map((c) => c.revision)).toEqual([0, 1, 2]);
    expect(chained[1]!.prevHash).toBe(chained[0]!.hash);
    expect(chained[0]!.data).toEqual({ id: 'a', at: new Date(0).toISOString() });
    expect(verifyStreamChain(asStored(chained))).toEqual({ ok: true });
  });

  it('with hashing off (benchmarks only) writes zeros for both hashes, which never verify', () => {
    const chained = chainEvents('s', -1, GENESIS_HASH, events, recordedAt, false);
    expect(chained.map((c) => [c.revision, c.prevHash, c.hash])).toEqual([0, 1, 2].map((r) => [r, UNHASHED, UNHASHED]));
    // The same values (a hashed store writes them in canonical key order, an unhashed one as given).
    expect(chained.map((c) => JSON.parse(c.dataJson) as unknown)).toEqual(chainEvents('s', -1, GENESIS_HASH, events, recordedAt).map((c) => JSON.parse(c.dataJson) as unknown));
    expect(verifyStreamChain(asStored(chained))).toMatchObject({ ok: false, firstBadRevision: 0 });
  });
});

describe('chainEvents hashes what a reader gets back', () => {
  class Grams {
    constructor(readonly value: number) {}
    toJSON(): string {
      return `${this.value} g`;
    }
  }
  /** JSON values, and what callers hand over besides: Dates, undefined members and items, toJSON, NaN. */
  const callerValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.jsonValue({ maxDepth: 2 }),
      fc.date({ noInvalidDate: true }),
      fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, new Grams(12)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('gives the hash of the JSON round trip of data and metadata, whatever the caller passes', () => {
    fc.assert(
      fc.property(callerValue, fc.option(callerValue, { nil: undefined }), (data, extra) => {
        const metadata = { actorOrgId: 'org', commandId: 'c', correlationId: 'corr', causationId: 'cause', ...(extra === undefined ? {} : { extra }) };
        const [chained] = chainEvents('s', 4, 'ab'.repeat(32), [{ eventId: 'e', type: 'T', schemaVersion: 1, data, metadata }], '2026-01-01T00:00:00.000Z');
        const asRead = { streamId: 's', revision: 5, eventId: 'e', type: 'T', schemaVersion: 1, recordedAt: '2026-01-01T00:00:00.000Z', data: JSON.parse(chained!.dataJson) as unknown, metadata: JSON.parse(chained!.metadataJson) as typeof metadata };
        expect(chained!.hash).toBe(computeEventHash('ab'.repeat(32), asRead));
        expect(chained!.data).toEqual(asRead.data);
      }),
      { numRuns: 500 },
    );
  });
});
