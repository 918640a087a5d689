import { describe, expect, it } from '@jest/globals';
import { identifiersOf, loadEpcisConfig } from './epcis.config.js';

describe('the EPCIS settings', () => {
  it('given nothing, then batches are named under urn:textile-ledger:', () => {
    expect(identifiersOf(loadEpcisConfig({})).batch('0195f000-0000-7000-8000-000000000001')).toBe('urn:textile-ledger:batch:0195f000-0000-7000-8000-000000000001');
  });

  it('given GLNs for an organisation and a site, then they are named by GS1 Digital Link', () => {
    const ids = identifiersOf(loadEpcisConfig({ LEDGER_EPCIS_ID_BASE: 'https://ledger.example.org/id/', LEDGER_EPCIS_GLNS: '0195f000-0000-7000-8000-000000000001=5790000000005, site:0195f000-0000-7000-8000-000000000002=4000001000005' }));
    expect(ids.organisation('0195f000-0000-7000-8000-000000000001')).toBe('https://id.gs1.org/417/5790000000005');
    expect(ids.site('0195f000-0000-7000-8000-000000000002')).toBe('https://id.gs1.org/414/4000001000005');
    expect(ids.batch('0195f000-0000-7000-8000-000000000003')).toBe('https://ledger.example.org/id/batch/0195f000-0000-7000-8000-000000000003');
  });

  it('given a GLN with a wrong check digit or a base that is neither urn: nor https:, then the ledger does not start', () => {
    expect(() => loadEpcisConfig({ LEDGER_EPCIS_GLNS: '0195f000-0000-7000-8000-000000000001=5790000000006' })).toThrow(/LEDGER_EPCIS_GLNS/);
    expect(() => loadEpcisConfig({ LEDGER_EPCIS_ID_BASE: 'http://ledger.example.org/' })).toThrow(/urn: or an https:/);
  });
});
