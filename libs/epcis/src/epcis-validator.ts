import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EPCIS_JSON_SCHEMA } from './schema/epcis-json-schema.data.js';

// ajv-formats is CommonJS: its default export arrives wrapped under ES modules.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** One schema error: where (a JSON pointer into the document) and what. */
export interface EpcisSchemaError {
  readonly pointer: string;
  readonly keyword: string;
  readonly message: string;
}

let compiled: ValidateFunction | undefined;

/** GS1's schema, compiled once (a few hundred milliseconds) on first use. */
function validator(): ValidateFunction {
  // strict: false because GS1's schema uses draft-07 idioms (if/then without a type) that strict mode flags.
  compiled ??= addFormats(new Ajv({ strict: false, allErrors: true })).compile(EPCIS_JSON_SCHEMA);
  return compiled;
}

/**
 * Whether a document is valid EPCIS 2.0 by GS1's JSON schema; the errors as JSON pointers. The
 * schema's if/then chains report one failure several times over (every branch it tried), so the
 * errors are de-duplicated and the most specific (deepest) ones kept first.
 */
export function validateEpcisDocument(document: unknown): { valid: true } | { valid: false; errors: EpcisSchemaError[] } {
  const validate = validator();
  if (validate(document)) return { valid: true };
  return { valid: false, errors: schemaErrors(validate.errors ?? []) };
}

const UNINFORMATIVE = new Set(['if', 'anyOf', 'allOf', 'oneOf', 'not']);

export function schemaErrors(errors: readonly ErrorObject[]): EpcisSchemaError[] {
  const seen = new Set<string>();
  const out: EpcisSchemaError[] = [];
  const informative = errors.filter((e) => !UNINFORMATIVE.has(e.keyword));
  for (const error of (informative.length > 0 ? informative : errors).slice().sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length)) {
    const extra = error.keyword === 'required' ? ` (${String((error.params as { missingProperty?: string }).missingProperty)})` : error.keyword === 'propertyNames' ? ` (${String((error.params as { propertyName?: string }).propertyName)})` : error.keyword === 'enum' ? ` (${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).slice(0, 8).join(', ')}…)` : '';
    const item = { pointer: error.instancePath || '/', keyword: error.keyword, message: `${error.message ?? 'is invalid'}${extra}` };
    const key = `${item.pointer} ${item.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out.slice(0, 100);
}
