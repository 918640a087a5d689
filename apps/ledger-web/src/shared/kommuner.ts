// The 98 kommuner are reference data, the same list the API checks codes against; bundled (about
// 2 KB gzipped) so that a page can name a kommune code an answer gives without asking the API.
import { KOMMUNER } from '../../../../libs/domain/src/reference/kommuner.data.js';

const NAMES = new Map<string, string>(KOMMUNER.map((kommune) => [kommune.code, kommune.name]));

/** `0657` → `Herning`; a code the list does not know is shown as written. */
export function kommuneLabel(code: string): string {
  return NAMES.get(code) ?? code;
}
