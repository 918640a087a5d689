import type { DemoClient } from './demo-client.js';
import type { DemoFirm, DemoYear } from './seed-demo-year.js';

const tonnes = (grams: number) => `${(grams / 1_000_000).toFixed(1)} t`;
const percent = (fraction: number | null | undefined) => (fraction === null || fraction === undefined ? '—' : `${(fraction * 100).toFixed(1)} %`);

/** The web pages worth opening for each user of the demo year, as links into the web application. */
export function demoLinks(year: DemoYear): { who: string; key: string; url: string }[] {
  const at = (fragment: string) => `${year.baseUrl}/#/${fragment}`;
  const firm = (name: DemoFirm) => year.firms[name];
  return [
    ...year.kommuner.map((k) => ({ who: k.municipality.name, key: k.municipality.key, url: at(`municipality/${k.code}/${year.year}`) })),
    { who: `${firm('herningSorter').name} (sorter)`, key: firm('herningSorter').key, url: at(`organisations/${firm('herningSorter').id}/${year.year}`) },
    {
      who: `${year.sites.herningSorter.name} (ADS export, P ${year.sites.herningSorter.pNumber})`,
      key: firm('herningSorter').key,
      url: at(`organisations/${firm('herningSorter').id}/sites/${year.sites.herningSorter.id}/ads/${year.year}`),
    },
    { who: `${firm('fibreWorks').name} (recycler)`, key: firm('fibreWorks').key, url: at(`organisations/${firm('fibreWorks').id}/${year.year}`) },
    { who: `${firm('pillowMaker').name} (CØ59 pillows)`, key: firm('pillowMaker').key, url: at(`batches/${year.notable.pillowBatchId}`) },
    { who: `${firm('auditor').name} (auditor)`, key: firm('auditor').key, url: at('audit') },
    { who: 'Operator', key: year.operatorKey, url: at('operator') },
  ];
}

/**
 * What `npm run demo` prints after seeding: every organisation with its key, a link per user, the
 * recycled content of the CØ59 pillow batch and each kommune's circularity, as the API answers.
 */
export async function describeDemoYear(year: DemoYear, api: DemoClient): Promise<string> {
  const lines: string[] = ['', 'Organisations and their API keys:'];
  for (const k of year.kommuner) lines.push(`  ${k.municipality.name.padEnd(36)} ${k.municipality.key}`);
  for (const firm of Object.values(year.firms)) lines.push(`  ${firm.name.padEnd(36)} ${firm.key}`);
  lines.push(`  ${'Operator'.padEnd(36)} ${year.operatorKey}`, '', 'Pages (sign in with the key shown):');
  for (const link of demoLinks(year)) lines.push(`  ${link.who.padEnd(44)} ${link.url}`);

  const pillowMaker = year.firms.pillowMaker;
  const provenance = await api.get<{ massGrams: number; recycledContentBasisPoints: number; postConsumerGrams: number; preConsumerGrams: number; virginGrams: number; byKommune: { kommuneCode: string; grams: number }[] }>(
    `/batches/${year.notable.pillowBatchId}/provenance`,
    pillowMaker.key,
  );
  // Kilograms with three decimals, as `ledger audit verify` prints them, so the two can be compared.
  const kg = (grams: number) => `${(grams / 1000).toFixed(3)} kg`;
  lines.push('', `Provenance of pillow batch ${year.notable.pillowBatchId} (${provenance.massGrams} g, CØ59):`);
  for (const k of provenance.byKommune) lines.push(`  kommune ${k.kommuneCode}: ${kg(k.grams)}`);
  lines.push(`  post-consumer ${kg(provenance.postConsumerGrams)}, pre-consumer ${kg(provenance.preConsumerGrams)}, virgin ${kg(provenance.virginGrams)}`);
  lines.push(`  recycled content ${(provenance.recycledContentBasisPoints / 100).toFixed(2)} %`);
  lines.push('', `Circularity by kommune (${year.year}):`);
  for (const k of year.kommuner) {
    const report = await api.get<{ rows: { period: string; collectedGrams: number; rates: Record<string, number | null> }[] }>(`/reports/circularity?kommuneCode=${k.code}&period=year`, k.municipality.key);
    const row = report.rows.find((r) => r.period === String(year.year));
    if (!row) continue;
    lines.push(`  ${k.code} ${k.name.padEnd(13)} collected ${tonnes(row.collectedGrams).padStart(8)} · reuse ${percent(row.rates.reuse)} · recycled (textile) ${percent(row.rates.recycledTextile)} · energy recovery ${percent(row.rates.energyRecovery)} · circularity ${percent(row.rates.circularity)}`);
  }
  return `${lines.join('\n')}\n`;
}
