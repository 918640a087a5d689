import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { CLAIM_STANDARD_IDS, CLAIM_STANDARDS } from './claim-standards.data.js';

/** Enough of RFC 4180 for the quoted fields of the file. */
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

describe('the claim standards', () => {
  it('given the CSV, then the typed data holds exactly its rows', () => {
    const [header, ...rows] = parseCsv(readFileSync(new URL('./claim-standards.csv', import.meta.url), 'utf8'));
    expect(header).toEqual(['standard', 'name', 'minimum_recycled_basis_points', 'source']);
    expect(CLAIM_STANDARDS.map((s) => [s.standard, s.name, String(s.minimumRecycledBasisPoints), s.source])).toEqual(rows);
  });

  it('given the thresholds, then RCS is 5 %, RCS 100 is 95 %, GRS 20 % and the GRS label 50 %, each standard once', () => {
    expect(Object.fromEntries(CLAIM_STANDARDS.map((s) => [s.standard, s.minimumRecycledBasisPoints]))).toEqual({ rcs: 500, 'rcs-100': 9500, grs: 2000, 'grs-label': 5000 });
    expect(CLAIM_STANDARDS.map((s) => s.standard)).toEqual([...CLAIM_STANDARD_IDS]);
  });
});
