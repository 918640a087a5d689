import { MalformedRequestError } from '#domain';

/**
 * An opaque page cursor: the sort key of a page's last row (a UTC time and one or more ids), so the
 * next page starts strictly after it. Opaque so that clients pass it back rather than build it.
 */
export function encodePageCursor(at: string, ...ids: readonly string[]): string {
  return Buffer.from([at, ...ids].join('|'), 'utf8').toString('base64url');
}

/** The parts of a cursor `encodePageCursor` wrote with `idCount` ids; a 400 for anything else. */
export function decodePageCursor(cursor: string, idCount: number): { at: string; ids: string[] } {
  const [at, ...ids] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || ids.length !== idCount || ids.some((id) => id.length === 0) || Number.isNaN(Date.parse(at))) {
    throw new MalformedRequestError('invalid-cursor', '`after` is not a cursor this list gave', { after: cursor });
  }
  return { at, ids };
}
