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

/**
 * Refuses, before the body is parsed, a body the ledger would otherwise misread (decision 020): one
 * compressed with a Content-Encoding the server does not decode (Fastify ignores the header and
 * would hand gzip bytes to the JSON parser, or worse, parse a body the client meant differently),
 * and JSON declared in a charset other than UTF-8 (Fastify decodes every body as UTF-8 whatever the
 * header says, so Latin-1 "Ø" would be stored as U+FFFD). Both are 415 problems, per RFC 9110 §15.5.16.
 */
/** The charsets a CSV import decodes: UTF-8, and Windows-1252 by the names spreadsheets give it. */
export const CSV_CHARSETS: ReadonlyMap<string, 'utf-8' | 'windows-1252'> = new Map([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['windows-1252', 'windows-1252'],
  ['cp1252', 'windows-1252'],
  ['iso-8859-1', 'windows-1252'],
  ['latin1', 'windows-1252'],
]);

export function installBodyEncodingChecks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!carriesBody(request)) return;
    const refuse = (error: HttpException) => reply.code(415).header('accept-encoding', 'identity').type('application/problem+json').send(toProblem(error, request.url));
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      return refuse(unsupported('unsupported-content-encoding', `Content-Encoding ${encoding} is not decoded by this server; send the body uncompressed (identity)`));
    }
    const contentType = request.headers['content-type'];
    if (contentType === undefined) return;
    let charset: string | null;
    let essence: string;
    try {
      const mediaType = new MIMEType(contentType);
      charset = mediaType.params.get('charset');
      essence = mediaType.essence;
    } catch {
      return; // Not a media type at all: Fastify's own parser refuses it (415).
    }
    // A spreadsheet is decoded by the import itself, which reads Windows-1252 (decision 038).
    if (essence === 'text/csv' && charset !== null && CSV_CHARSETS.has(charset.toLowerCase())) return;
    if (charset !== null && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
      return refuse(unsupported('unsupported-charset', `charset ${charset} is not accepted; bodies are JSON in UTF-8 (RFC 8259)`));
    }
  });
}
