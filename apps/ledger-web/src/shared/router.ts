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
  | { readonly page: 'emission-factors' };

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
  }
}
