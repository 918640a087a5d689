import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

export interface SecurityHeadersOptions {
  readonly hsts: boolean;
  readonly oidcTokenEndpoint?: URL | undefined;
}

/** The API documentation (Swagger UI and its JSON), served by the same process. */
function isDocs(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?') || url.startsWith('/docs-json');
}

/**
 * The security headers of a page (decision 027), as `helmet` computes them.
 *
 * The Content-Security-Policy is the one a web application served at `/` by this process can live
 * with: scripts, styles, images, fonts and fetches from the ledger's own origin only, no inline
 * script, no plugins, never framed (`frame-ancestors 'none'`, and X-Frame-Options for old browsers).
 * Swagger UI at `/docs` loads its scripts from files (no inline script), but it styles with an
 * inline `<style>` block and `style` attributes and draws icons as `data:` SVGs, so `/docs` alone
 * also allows inline styles and `data:` images; neither can run code.
 *
 * HSTS only where this process is reached over TLS (`LEDGER_HSTS=true`): sent over plain HTTP on a
 * developer's machine it would pin `localhost` to HTTPS in the browser.
 */
export function securityHeaders(options: SecurityHeadersOptions): HelmetOptions {
  // The web application exchanges its sign-in code at the identity provider's token endpoint from
  // the browser (decision 035): that one origin, and only when web sign-in is configured.
  const connectSrc = options.oidcTokenEndpoint ? ["'self'", options.oidcTokenEndpoint.origin] : ["'self'"];
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: [(request) => (isDocs(request) ? "'self' 'unsafe-inline'" : "'self'")],
        imgSrc: [(request) => (isDocs(request) ? "'self' data:" : "'self'")],
        fontSrc: ["'self'"],
        connectSrc,
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
    // The API answers JSON to programs on other origins too; only the browser defaults change.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  };
}

/** The headers helmet's middleware sets for a request to `url`, recorded instead of sent. */
function recordedHeaders(middleware: ReturnType<typeof helmet>, url: string): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  // Helmet only calls setHeader and removeHeader on the answer; a recorder of the two is all it needs.
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  middleware({ url, headers: {} } as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure;
  return Object.freeze(headers);
}

/**
 * The headers of an answer that is not a page: a JSON body, a problem, a CSV file, a script or a
 * style sheet. Only the ones a browser honours for such an answer (decision 049): a policy that lets
 * nothing load and nothing frame it, no sniffing of its type, no cross-origin embedding, HSTS. The
 * headers that only govern a rendered document (COOP, Origin-Agent-Cluster, the Referrer-Policy of
 * the requests it makes, DNS prefetching, the legacy IE, Flash and XSS-auditor ones) go with pages.
 */
export function apiSecurityHeaders(options: SecurityHeadersOptions): HelmetOptions {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: options.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  };
}

function isPage(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/html');
}

/**
 * Sets the security headers on every answer Fastify sends, refusals of the earliest hooks included
 * (decision 027), on its way out, when its kind is known (decision 049): a page (its Content-Type is
 * HTML) gets the whole set of a document, with the web application's policy or the API
 * documentation's; any other answer the set of a non-page answer; a 304 none, because its headers
 * replace those of the answer the browser stored (RFC 9111, "Freshening Stored Responses") and it
 * names no Content-Type to tell a page by. Each set depends only on the kind of answer, so all three
 * are computed once at start-up rather than on every request, as `@fastify/helmet` did by building
 * helmet anew per request (decision 048).
 */
export function installSecurityHeaders(fastify: FastifyInstance, options: SecurityHeadersOptions): void {
  const forAnswers = recordedHeaders(helmet(apiSecurityHeaders(options)), '/');
  const documents = helmet(securityHeaders(options));
  const forApp = recordedHeaders(documents, '/');
  const forDocs = recordedHeaders(documents, '/docs');
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 304) {
      void reply.headers(!isPage(reply.getHeader('content-type')) ? forAnswers : isDocs(request.raw) ? forDocs : forApp);
    }
    done(null, payload);
  });
}
