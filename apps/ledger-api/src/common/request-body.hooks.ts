import { MIMEType } from 'node:util';
import { HttpException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toProblem } from './problem-details.filter.js';

/** A 415 the problem filter answers under its own code (decision 020). */
function unsupported(code: 'unsupported-content-encoding' | 'unsupported-charset', message: string): HttpException {
  return new HttpException({ code, message }, 415);
}

function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The charsets a CSV import decodes: UTF-8, and Windows-1252 by the names spreadsheets give it. */
export const CSV_CHARSETS: ReadonlyMap<string, 'utf-8' | 'windows-1252'> = new Map([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['windows-1252', 'windows-1252'],
  ['cp1252', 'windows-1252'],
  ['iso-8859-1', 'windows-1252'],
  ['latin1', 'windows-1252'],
]);

/** A Content-Type header, parsed: its essence and charset, or null when it is not a media type. */
type ParsedMediaType = { readonly essence: string; readonly charset: string | null } | null;

/**
 * Content-Type values seen, parsed once each: clients send a handful of distinct values, and parsing
 * one (node:util's MIMEType) on every request with a body is measurable (decision 048). Bounded, so a
 * client sending ever new values cannot grow it: past the bound the cache starts afresh.
 */
const MEDIA_TYPE_CACHE_LIMIT = 256;
const mediaTypes = new Map<string, ParsedMediaType>();

function parseMediaType(contentType: string): ParsedMediaType {
  const cached = mediaTypes.get(contentType);
  if (cached !== undefined) return cached;
  let parsed: ParsedMediaType;
  try {
    const mediaType = new MIMEType(contentType);
    parsed = { essence: mediaType.essence, charset: mediaType.params.get('charset') };
  } catch {
    parsed = null;
  }
  if (mediaTypes.size >= MEDIA_TYPE_CACHE_LIMIT) mediaTypes.clear();
  mediaTypes.set(contentType, parsed);
  return parsed;
}

/** Why a body would be misread, as a 415 to answer, or undefined when it can be read. */
function misreadBody(request: FastifyRequest): HttpException | undefined {
  if (!carriesBody(request)) return undefined;
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    return unsupported('unsupported-content-encoding', `Content-Encoding ${encoding} is not decoded by this server; send the body uncompressed (identity)`);
  }
  const contentType = request.headers['content-type'];
  if (contentType === undefined) return undefined;
  const mediaType = parseMediaType(contentType);
  // Not a media type at all: Fastify's own parser refuses it (415).
  if (mediaType === null) return undefined;
  const { essence, charset } = mediaType;
  // A spreadsheet is decoded by the import itself, which reads Windows-1252 (decision 038).
  if (essence === 'text/csv' && charset !== null && CSV_CHARSETS.has(charset.toLowerCase())) return undefined;
  if (charset !== null && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    return unsupported('unsupported-charset', `charset ${charset} is not accepted; bodies are JSON in UTF-8 (RFC 8259)`);
  }
  return undefined;
}

/**
 * Refuses, before the body is parsed, a body the ledger would otherwise misread (decision 020): one
 * compressed with a Content-Encoding the server does not decode (Fastify ignores the header and
 * would hand gzip bytes to the JSON parser, or worse, parse a body the client meant differently),
 * and JSON declared in a charset other than UTF-8 (Fastify decodes every body as UTF-8 whatever the
 * header says, so Latin-1 "Ø" would be stored as U+FFFD). Both are 415 problems, per RFC 9110 §15.5.16.
 */
export function installBodyEncodingChecks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const refusal = misreadBody(request);
    if (refusal) void reply.code(415).header('accept-encoding', 'identity').type('application/problem+json').send(toProblem(refusal, request.url));
    else done();
  });
}
