import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Where `npm run build` puts the web application (apps/ledger-web/build.mjs). This file runs
 * compiled from dist/apps/ledger-web/server, or from source under the tests.
 */
export function webAppDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const compiled = here.split(path.sep).includes('dist');
  return compiled ? path.resolve(here, '../public') : path.resolve(here, '../../../dist/apps/ledger-web/public');
}

/**
 * Serves the web application at `/` beside the API (decision 030). Only the files the build
 * wrote get a route (`wildcard: false`), so no API route, `/docs` or `/health` can be shadowed,
 * and an unknown path is still the API's 404 problem. The pages are addressed by the URL's
 * fragment, so `/` is the only page the server needs to know. Without a build the API still
 * starts, and says why `/` is missing.
 */
export async function serveWebApp(fastify: FastifyInstance, log: { warn(message: string): void }, directory = webAppDirectory()): Promise<void> {
  if (!existsSync(path.join(directory, 'index.html'))) {
    log.warn(`the web application is not built (no ${directory}/index.html): run npm run build`);
    return;
  }
  await fastify.register(fastifyStatic, {
    root: directory,
    wildcard: false,
    decorateReply: false,
    index: ['index.html'],
    // The files are rebuilt in place; the browser revalidates instead of keeping a stale bundle.
    cacheControl: true,
    maxAge: 0,
  });
}
