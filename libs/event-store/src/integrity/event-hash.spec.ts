import { createHash } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import type { StoredEvent } from '../event-store.port.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH, computeEventHash, verifyStreamChain, type HashedEventFields } from './event-hash.js';

const fields: HashedEventFields = {
  streamId: 'batch-1',
  revision: 0,
  eventId: 'e-1',
  type: 'BatchCollected',
  schemaVersion: 1,
  data: { kommune: '0101', grams: 1200 },
  metadata: { correlationId: 'corr', actorOrgId: 'org-1', commandId: 'cmd', causationId: 'c' },
  recordedAt: '2025-01-02T03:04:05.678Z',
};

/** Builds a valid chain the slow, obvious way. */
function chain(streamId: string, count: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let revision = 0; revision < count; revision++) {
    const base = { ...fields, streamId, revision, eventId: `${streamId}-${revision}`, data: { revision } };
    const hash = computeEventHash(prevHash, base);
    out.push({ ...base, position: 100 + revision, prevHash, hash });
    prevHash = hash;
  }
  return out;
}

describe('computeEventHash', () => {
  it('is SHA-256 over the canonical JSON of the event fields and prevHash', () => {
    // Written out by hand so the test does not reuse the implementation's serialisation.
    const canonical =
      '{"data":{"grams":1200,"kommune":"0101"},"eventId":"e-1",' +
      '"metadata":{"actorOrgId":"org-1","causationId":"c","commandId":"cmd","correlationId":"corr"},' +
      `"prevHash":"${GENESIS_HASH}","recordedAt":"2025-01-02T03:04:05.678Z","revision":0,` +
      '"schemaVersion":1,"streamId":"batch-1","type":"BatchCollected"}';
    const expected = createHash('sha256').update(canonical, 'utf8').digest('hex');
    expect(computeEventHash(GENESIS_HASH, fields)).toBe(expected);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('equals SHA-256 of canonicalJson over the whole envelope, for nested and non-ASCII data', () => {
    const event = { ...fields, streamId: 'batch-ø', eventId: 'e-"2"', data: { z: [1, { b: 'Ærø', a: null }], a: 'x\u2028y' } };
    const envelope = { ...event, prevHash: 'f'.repeat(64) };
    const expected = createHash('sha256').update(canonicalJson(envelope), 'utf8').digest('hex');
    expect(computeEventHash('f'.repeat(64), event)).toBe(expected);
  });

  it('ignores fields outside the hashed set, such as position and hash', () => {
    const stored = { ...fields, position: 42, prevHash: 'x', hash: 'y' };
    expect(computeEventHash(GENESIS_HASH, stored)).toBe(computeEventHash(GENESIS_HASH, fields));
  });

  it('changes when any hashed field or the previous hash changes', () => {
    const base = computeEventHash(GENESIS_HASH, fields);
    const variants: HashedEventFields[] = [
      { ...fields, streamId: 'batch-2' },
      { ...fields, revision: 1 },
      { ...fields, eventId: 'e-2' },
      { ...fields, type: 'BatchWeighed' },
      { ...fields, schemaVersion: 2 },
      { ...fields, data: { kommune: '0101', grams: 1201 } },
      { ...fields, metadata: { ...fields.metadata, actorOrgId: 'org-2' } },
      { ...fields, recordedAt: '2025-01-02T03:04:05.679Z' },
    ];
    const hashes = variants.map((v) => computeEventHash(GENESIS_HASH, v));
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
    expect(computeEventHash('1'.repeat(64), fields)).not.toBe(base);
  });

  it('does not depend on the key order of data', () => {
    expect(computeEventHash(GENESIS_HASH, { ...fields, data: { grams: 1200, kommune: '0101' } })).toBe(
      computeEventHash(GENESIS_HASH, fields),
    );
  });
});

describe('verifyStreamChain', () => {
  it('accepts an empty stream, a whole valid stream and a valid slice', () => {
    const events = chain('s', 5);
    expect(verifyStreamChain([])).toEqual({ ok: true });
    expect(verifyStreamChain(events)).toEqual({ ok: true });
    expect(verifyStreamChain(events.slice(2))).toEqual({ ok: true });
  });

  it('reports the first revision whose content was changed', () => {
    const events = chain('s', 5);
    events[2] = { ...events[2]!, data: { revision: 99 } };
    expect(verifyStreamChain(events)).toMatchObject({ ok: false, firstBadRevision: 2 });
  });

  it('reports a broken link even when the event hashes itself consistently', () => {
    const events = chain('s', 4);
    const forgedPrev = '1'.repeat(64);
    events[3] = { ...events[3]!, prevHash: forgedPrev, hash: computeEventHash(forgedPrev, events[3]!) };
    expect(verifyStreamChain(events)).toMatchObject({ ok: false, firstBadRevision: 3 });
  });

  it('requires the genesis hash at revision 0, consecutive revisions and one stream', () => {
    const events = chain('s', 3);
    const badGenesisPrev = 'f'.repeat(64);
    const badGenesis = { ...events[0]!, prevHash: badGenesisPrev, hash: computeEventHash(badGenesisPrev, events[0]!) };
    expect(verifyStreamChain([badGenesis])).toMatchObject({ ok: false, firstBadRevision: 0 });
    expect(verifyStreamChain([events[0]!, events[2]!])).toMatchObject({ ok: false, firstBadRevision: 2 });
    const other = chain('t', 2);
    expect(verifyStreamChain([events[0]!, other[1]!])).toMatchObject({ ok: false, firstBadRevision: 1 });
  });
});
