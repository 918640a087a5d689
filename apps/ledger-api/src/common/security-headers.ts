import type { IncomingMessage } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';

/** The API documentation (Swagger UI and its JSON), served by the same process. */
function isDocs(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?') || url.startsWith('/docs-json');
}

/**
 * The security headers on every answer (decision 027), set by `@fastify/helmet`.
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
export function securityHeaders(options: { hsts: boolean; oidcTokenEndpoint?: URL | undefined }): FastifyHelmetOptions {
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
