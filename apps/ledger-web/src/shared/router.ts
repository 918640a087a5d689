/**
 * Pages are addressed by the URL's fragment (`#/batches/…`), so the server only ever serves
 * `index.html` at `/` and no client route can shadow an API route.
 */
export type Route =
  | { readonly page: 'home' }
  | { readonly page: 'municipality'; readonly kommuneCode?: string; readonly year?: number }
  | { readonly page: 'batches' }
  | { readonly page: 'batch'; readonly batchId: string }
  | { readonly page: 'organisation'; readonly organisationId: string; readonly year?: number }
  | { readonly page: 'audit' }
  | { readonly page: 'operator'; readonly organisationId?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'municipality') {
    const year = parts[2] && /^\d{4}$/.test(parts[2]) ? Number(parts[2]) : undefined;
    return { page: 'municipality', ...(parts[1] ? { kommuneCode: parts[1] } : {}), ...(year ? { year } : {}) };
  }
  if (parts[0] === 'batches' && parts[1]) return { page: 'batch', batchId: parts[1] };
  if (parts[0] === 'batches') return { page: 'batches' };
  if (parts[0] === 'organisations' && parts[1]) {
    const year = parts[2] && /^\d{4}$/.test(parts[2]) ? Number(parts[2]) : undefined;
    return { page: 'organisation', organisationId: parts[1], ...(year ? { year } : {}) };
  }
  if (parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'operator') return { page: 'operator', ...(parts[1] ? { organisationId: parts[1] } : {}) };
  return { page: 'home' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'municipality':
      if (!route.kommuneCode) return '#/municipality';
      return `#/municipality/${encodeURIComponent(route.kommuneCode)}${route.year ? `/${route.year}` : ''}`;
    case 'batches':
      return '#/batches';
    case 'batch':
      return `#/batches/${encodeURIComponent(route.batchId)}`;
    case 'organisation':
      return `#/organisations/${encodeURIComponent(route.organisationId)}${route.year ? `/${route.year}` : ''}`;
    case 'audit':
      return '#/audit';
    case 'operator':
      return route.organisationId ? `#/operator/${encodeURIComponent(route.organisationId)}` : '#/operator';
  }
}
