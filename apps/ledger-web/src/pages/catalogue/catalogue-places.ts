// The kommuner and regions to choose from: the same reference data the API checks codes against
// (bundled for names already, see shared/kommuner.ts).
import { KOMMUNER } from '../../../../../libs/domain/src/reference/kommuner.data.js';

export const KOMMUNE_CHOICES: readonly [string, string][] = [...KOMMUNER].sort((a, b) => a.name.localeCompare(b.name, 'da')).map((k): [string, string] => [k.code, `${k.name} (${k.code})`]);

export const REGION_CHOICES: readonly [string, string][] = [...new Set(KOMMUNER.map((k) => k.region))].sort((a, b) => a.localeCompare(b, 'da')).map((r): [string, string] => [r, r]);
