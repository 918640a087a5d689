import { describe, expect, it } from '@jest/globals';
import type { StoredEvent } from '../event-store.port.js';
import { GENESIS_HASH, computeEventHash } from './event-hash.js';
import { LogChainChecker, LogImportVerifier } from './log-import-verifier.js';

const metadata = { actorOrgId: 'org-1', commandId: 'c', correlationId: 'c', causationId: 'c' };

/** A valid log of two interleaved streams, built the obvious way. */
function log(eventIdAt: (position: number) => string = (p) => `e-${p}`): StoredEvent[] {
  const heads = new Map<string, { revision: number; hash: string }>();
  return ['a', 'b', 'a', 'a', 'b'].map((streamId, position) => {
    const head = heads.get(streamId);
    const revision = head ? head.revision + 1 : 0;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const base = { streamId, revision, position, eventId: eventIdAt(position), type: 'TestEvent', schemaVersion: 1, data: { n: position }, metadata, recordedAt: '2026-01-01T00:00:00.000Z' };
    const hash = computeEventHash(prevHash, base);
    heads.set(streamId, { revision, hash });
    return { ...base, prevHash, hash };
  });
}

function verify(events: readonly StoredEvent[]): LogImportVerifier {
  const verifier = new LogImportVerifier(0);
  for (const event of events) verifier.check(event);
  return verifier;
}

describe('LogImportVerifier', () => {
  it('accepts a valid log and counts its events and streams', () => {
    const verifier = verify(log());
    expect([verifier.events, verifier.streams]).toEqual([5, 2]);
  });

  it.each([
    ['a gap in positions', (e: StoredEvent[]) => e.filter((x) => x.position !== 2), /position 3: expected position 2/],
    ['a revision out of order', (e: StoredEvent[]) => e.map((x) => (x.position === 3 ? { ...x, revision: 5 } : x)), /position 3: .*expected revision 2/],
    ['a broken link', (e: StoredEvent[]) => e.map((x) => (x.position === 2 ? { ...x, prevHash: 'f'.repeat(64) } : x)), /position 2: .*prevHash/],
    ['changed content', (e: StoredEvent[]) => e.map((x) => (x.position === 4 ? { ...x, data: { n: 99 } } : x)), /position 4: .*hash does not match/],
  ])('names the first bad event on %s', (_name, tamper, message) => {
    expect(() => verify(tamper(log()))).toThrow(message);
  });

  it('refuses an event id used twice, even with valid hashes', () => {
    expect(() => verify(log((p) => (p === 4 ? 'e-0' : `e-${p}`)))).toThrow(/position 4: event id e-0 appears twice/);
  });
});

describe('LogChainChecker', () => {
  const kinds = (checker: LogChainChecker, events: readonly StoredEvent[]): string[][] => events.map((e) => checker.check(e).map((p) => p.kind));

  it('carries on after a bad event from the event as stored, so a changed event is reported once', () => {
    const tampered = log().map((x) => (x.position === 0 ? { ...x, data: { n: 99 } } : x));
    expect(kinds(new LogChainChecker(), tampered)).toEqual([['hash'], [], [], [], []]);
  });

  it('reports every problem of one event, and the first missing position of a gap', () => {
    const checker = new LogChainChecker();
    const events = log().filter((x) => x.position !== 2);
    const problems = events.map((e) => checker.check(e));
    expect(problems[2]!.map((p) => [p.kind, p.missingPosition ?? p.expectedRevision])).toEqual([['position-gap', 2], ['revision', 1], ['prev-hash', undefined]]);
  });

  it('without gap-free positions accepts gaps, but never a position that does not increase', () => {
    const sparse = log().map((x) => ({ ...x, position: x.position * 7 }));
    expect(kinds(new LogChainChecker({ gapFreePositions: false }), sparse).flat()).toEqual([]);
    expect(kinds(new LogChainChecker(), sparse).flat()).toEqual(['position-gap', 'position-gap', 'position-gap', 'position-gap']);
    const backwards = sparse.map((x) => (x.position === 14 ? { ...x, position: 3 } : x));
    expect(kinds(new LogChainChecker({ gapFreePositions: false }), backwards)[2]).toEqual(['position-order']);
  });
});
