import { validate, version } from 'uuid';
import { newUuidV7 } from './new-uuid.js';

describe('newUuidV7', () => {
  it('makes valid, distinct version-7 UUIDs across several refills of the random pool', () => {
    const ids = Array.from({ length: 2000 }, () => newUuidV7());
    for (const id of ids) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
      expect('89ab').toContain(id[19]);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('starts with the current Unix time in milliseconds, so ids sort roughly by creation', () => {
    const before = Date.now();
    const id = newUuidV7();
    const after = Date.now();
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(msecs).toBeGreaterThanOrEqual(before);
    expect(msecs).toBeLessThanOrEqual(after);
  });
});
