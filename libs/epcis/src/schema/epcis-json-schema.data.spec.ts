import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { EPCIS_JSON_SCHEMA } from './epcis-json-schema.data.js';

describe('the EPCIS JSON schema module', () => {
  it('is GS1’s JSON file, unchanged', () => {
    expect(EPCIS_JSON_SCHEMA).toEqual(JSON.parse(readFileSync(new URL('./EPCIS-JSON-Schema.json', import.meta.url), 'utf8')));
  });
});
