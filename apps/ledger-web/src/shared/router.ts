/**
 * Pages are addressed by the URL's fragment (`#/batches/…`), so the server only ever serves
 * `index.html` at `/` and no client route can shadow an API route.
 */
export type Route =
  | { readonly page: 'home' }
  | { readonly page: 'municipality'; readonly kommuneCode?: string; readonly year?: number; readonly quarter?: 1 | 2 | 3 | 4 }
  | { readonly page: 'batches' }
  | { readonly page: 'batch'; readonly batchId: string }
  | { readonly page: 'organisation'; readonly organisationId: string; readonly year?: number }
  | { readonly page: 'sites'; readonly organisationId: string; readonly siteId?: string; readonly year?: number }
  | { readonly page: 'audit' }
  | { readonly page: 'import' }
  | { readonly page: 'operator'; readonly organisationId?: string }
  | { readonly page: 'national'; readonly year?: number }
  | { readonly page: 'emission-factors' }
  | { readonly page: 'epcis' }
  | { readonly page: 'programmes' }
  | { readonly page: 'programme'; readonly programmeId: string; readonly valueChainId?: string }
  | { readonly page: 'catalogue'; readonly section?: CatalogueSection }
  | { readonly page: 'catalogue-deal'; readonly dealId: string };

/** The symbiosis catalogue's pages: the offers (no section), one's own offers, one's wants, requests and deals. */
export const CATALOGUE_SECTIONS = ['mine', 'wants', 'deals'] as const;
export type CatalogueSection = (typeof CATALOGUE_SECTIONS)[number];

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'municipality') {
    const year = parts[2] && /^\d{4}$/.test(parts[2]) ? Number(parts[2]) : undefined;
    // A quarter only after a year: `#/municipality/0657/2026/q2`.
    const quarter = year && parts[3] && /^q[1-4]$/i.test(parts[3]) ? (Number(parts[3].slice(1)) as 1 | 2 | 3 | 4) : undefined;
    return { page: 'municipality', ...(parts[1] ? { kommuneCode: parts[1] } : {}), ...(year ? { year } : {}), ...(quarter ? { quarter } : {}) };
  }
  if (parts[0] === 'batches' && parts[1]) return { page: 'batch', batchId: parts[1] };
  if (parts[0] === 'batches') return { page: 'batches' };
  // `#/organisations/<id>/sites[/<siteId>/ads/<year>]` (decision 039).
  if (parts[0] === 'organisations' && parts[1] && parts[2] === 'sites') {
    const adsYear = parts[3] && parts[4] === 'ads' && parts[5] && /^\d{4}$/.test(parts[5]) ? Number(parts[5]) : undefined;
    return { page: 'sites', organisationId: parts[1], ...(parts[3] && adsYear ? { siteId: parts[3], year: adsYear } : {}) };
  }
  if (parts[0] === 'organisations' && parts[1]) {
    const year = parts[2] && /^\d{4}$/.test(parts[2]) ? Number(parts[2]) : undefined;
    return { page: 'organisation', organisationId: parts[1], ...(year ? { year } : {}) };
  }
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'import') return { page: 'import' };
  // `#/national/<year>` (decision 040).
  if (parts[0] === 'national') return { page: 'national', ...(parts[1] && /^\d{4}$/.test(parts[1]) ? { year: Number(parts[1]) } : {}) };
  // `#/emission-factors` (decision 042).
  if (parts[0] === 'emission-factors') return { page: 'emission-factors' };
  // `#/epcis`: capture jobs (decision 047).
  if (parts[0] === 'epcis') return { page: 'epcis' };
  // `#/programmes[/<id>[/value-chains/<valueChainId>]]` (decision 041).
  if (parts[0] === 'programmes' && parts[1]) return { page: 'programme', programmeId: parts[1], ...(parts[2] === 'value-chains' && parts[3] ? { valueChainId: parts[3] } : {}) };
  if (parts[0] === 'programmes') return { page: 'programmes' };
  // `#/catalogue[/mine|/wants|/deals[/<dealId>]]` (decision 046).
  if (parts[0] === 'catalogue' && parts[1] === 'deals' && parts[2]) return { page: 'catalogue-deal', dealId: parts[2] };
  if (parts[0] === 'catalogue') return { page: 'catalogue', ...((CATALOGUE_SECTIONS as readonly string[]).includes(parts[1] ?? '') ? { section: parts[1] as CatalogueSection } : {}) };
  if (parts[0] === 'operator') return { page: 'operator', ...(parts[1] ? { organisationId: parts[1] } : {}) };
  return { page: 'home' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'municipality':
      if (!route.kommuneCode) return '#/municipality';
      return `#/municipality/${encodeURIComponent(route.kommuneCode)}${route.year ? `/${route.year}${route.quarter ? `/q${route.quarter}` : ''}` : ''}`;
    case 'batches':
      return '#/batches';
    case 'batch':
      return `#/batches/${encodeURIComponent(route.batchId)}`;
    case 'organisation':
      return `#/organisations/${encodeURIComponent(route.organisationId)}${route.year ? `/${route.year}` : ''}`;
    case 'sites':
      return `#/organisations/${encodeURIComponent(route.organisationId)}/sites${route.siteId && route.year ? `/${encodeURIComponent(route.siteId)}/ads/${route.year}` : ''}`;
    case 'audit':
      return '#/audit';
    case 'import':
      return '#/import';
    case 'operator':
      return route.organisationId ? `#/operator/${encodeURIComponent(route.organisationId)}` : '#/operator';
    case 'national':
      return route.year ? `#/national/${route.year}` : '#/national';
    case 'emission-factors':
      return '#/emission-factors';
    case 'epcis':
      return '#/epcis';
    case 'programmes':
      return '#/programmes';
    case 'programme':
      return `#/programmes/${encodeURIComponent(route.programmeId)}${route.valueChainId ? `/value-chains/${encodeURIComponent(route.valueChainId)}` : ''}`;
    case 'catalogue':
      return route.section ? `#/catalogue/${route.section}` : '#/catalogue';
    case 'catalogue-deal':
      return `#/catalogue/deals/${encodeURIComponent(route.dealId)}`;
  }
}
