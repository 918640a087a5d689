/**
 * The OpenAPI document describes every answer (decision 034): each operation documents a successful
 * answer with its schema and the problem+json refusals that apply to it, and every example in the
 * document (answers and request bodies) is valid against the schema beside it. The document is the
 * one a client downloads (GET /docs-json), so this checks what Swagger shows, not the decorators.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { LedgerHarness } from '../fixtures/ledger-harness.js';

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
  example?: unknown;
}
interface Operation {
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'code'];

// ajv-formats is CommonJS: its default export arrives wrapped under ES modules.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

let ledger: LedgerHarness;
let document: OpenApiDocument;
let operations: Array<{ name: string; method: string; path: string; operation: Operation }>;

/** A schema that says something: a type, members, a union or a reference, not `{}`. */
function isDescriptive(schema: Schema | undefined): boolean {
  if (schema === undefined) return false;
  return ['type', 'properties', 'anyOf', 'oneOf', 'allOf', '$ref', 'items'].some((keyword) => keyword in schema);
}

describe('the OpenAPI document', () => {
  beforeAll(async () => {
    ledger = await LedgerHarness.start({ env: { LEDGER_PROJECTIONS: 'in-process' } });
    const r = await ledger.request<OpenApiDocument>('GET', '/docs-json', { key: null });
    expect(r.status).toBe(200);
    document = r.body;
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, method, path, operation })),
    );
  }, 60_000);
  afterAll(async () => {
    await ledger?.close();
  });

  it('is OpenAPI 3.1, whose schemas are the JSON Schema 2020-12 the zod schemas emit', () => {
    expect((document as OpenApiDocument & { openapi: string }).openapi).toBe('3.1.0');
  });

  it('has the ledger’s operations, /me among them', () => {
    // The walks below must not pass by walking nothing.
    expect(operations.length).toBeGreaterThanOrEqual(40);
    expect(operations.map((o) => o.name)).toContain('GET /me');
  });

  it('documents a successful answer with a schema for every operation', () => {
    const missing: string[] = [];
    for (const { name, operation } of operations) {
      const successes = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      if (successes.length === 0) missing.push(`${name}: no 2xx answer`);
      for (const [status, response] of successes) {
        const media = Object.entries(response.content ?? {});
        if (media.length === 0 || media.some(([, m]) => !isDescriptive(m.schema))) missing.push(`${name}: ${status} without a schema`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('documents the problem+json refusals that apply to every operation needing credentials', () => {
    const missing: string[] = [];
    for (const { name, method, path, operation } of operations) {
      if ((operation.security ?? []).length === 0) continue;
      const documented = new Set(Object.keys(operation.responses ?? {}));
      const required = ['401', '429'];
      const hasInput = (operation.parameters ?? []).length > 0 || operation.requestBody !== undefined;
      if (hasInput) required.push('400');
      if (/\{[^}]+\}/.test(path)) required.push('404');
      if (method === 'post') required.push('409', '422');
      for (const status of required) if (!documented.has(status)) missing.push(`${name}: ${status}`);
    }
    expect(missing).toEqual([]);
  });

  it('gives every refusal the RFC 9457 problem schema, as application/problem+json', () => {
    const wrong: string[] = [];
    for (const { name, operation } of operations) {
      if ((operation.security ?? []).length === 0) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const schema = response.content?.['application/problem+json']?.schema;
        const required = (schema?.['required'] as string[] | undefined) ?? [];
        if (!schema || PROBLEM_MEMBERS.some((member) => !required.includes(member))) wrong.push(`${name}: ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('holds only examples that are valid against the schema beside them, answers and bodies alike', () => {
    const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
    const invalid: string[] = [];
    let examples = 0;
    for (const { name, operation } of operations) {
      const media: Array<[string, MediaType]> = [
        ...Object.entries(operation.requestBody?.content ?? {}).map(([type, m]): [string, MediaType] => [`body ${type}`, m]),
        ...Object.entries(operation.responses ?? {}).flatMap(([status, r]) => Object.entries(r.content ?? {}).map(([type, m]): [string, MediaType] => [`${status} ${type}`, m])),
      ];
      for (const [where, { schema, example }] of media) {
        // A body's example sits inside its schema (ZodApiBody); an answer's beside it.
        const { example: inner, ...bare } = (schema ?? {}) as Schema & { example?: unknown };
        for (const candidate of [example, inner]) {
          if (candidate === undefined || schema === undefined) continue;
          examples += 1;
          const validate = ajv.compile(bare);
          if (!validate(candidate)) invalid.push(`${name} ${where}: ${ajv.errorsText(validate.errors)}`);
        }
      }
    }
    expect(invalid).toEqual([]);
    // The realistic examples are there to be checked: bodies, /me, a batch, the circularity report.
    expect(examples).toBeGreaterThanOrEqual(20);
  });

  it('documents the answer /me gives, and the answer validates against it', async () => {
    const schema = document.paths['/me']?.['get']?.responses?.['200']?.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    const { example: _example, ...bare } = schema as Schema & { example?: unknown };
    const validate = addFormats(new Ajv2020({ strict: false, allErrors: true })).compile(bare);
    const me = await ledger.get('/me');
    expect(me.status).toBe(200);
    expect({ valid: validate(me.body), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
  });
});
