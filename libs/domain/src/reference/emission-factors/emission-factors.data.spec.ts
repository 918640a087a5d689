import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EmissionFactorSetPublished } from '../../emission-factors/emission-factors.events.js';
import { SEED_EMISSION_FACTOR_SETS } from './emission-factors.data.js';

/** A minimal RFC 4180 reader: enough for the quoted fields of the seed file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

describe('the seed emission factor sets', () => {
  it('given the CSV copied from the seed documents, then the typed data holds exactly its rows', () => {
    const [header, ...rows] = parseCsv(readFileSync(new URL('./emission-factors.csv', import.meta.url), 'utf8'));
    expect(header).toEqual(['factor_set', 'valid_from', 'route', 'kg_co2e_avoided_per_kg', 'baseline', 'source', 'note']);
    const fromData = SEED_EMISSION_FACTOR_SETS.flatMap((set) =>
      set.factors.map((f) => [set.factorSetId, set.validFrom, f.route, f.kgCo2eAvoidedPerKg ?? '', f.baseline, f.source, f.note]),
    );
    expect(fromData).toEqual(rows);
  });

  it('given each seed set, then it is a valid publication (decimal strings, unknown as null)', () => {
    for (const set of SEED_EMISSION_FACTOR_SETS) {
      const parsed = EmissionFactorSetPublished.safeParse({ ...set, publishedBy: '0190a000-0000-7000-8000-000000000001', occurredAt: '2026-01-01T00:00:00Z' });
      expect(parsed.success).toBe(true);
    }
  });
});
