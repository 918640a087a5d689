/**
 * Takes every credential shape out of what the request audit log keeps of a request (decision 027):
 * the path parameters, the query and the Idempotency-Key. The log never reads a header value or a
 * body (decision 016), but a client can still put a secret where a path or a query goes, by mistake
 * (`?api_key=…`) or by pasting it into the wrong field, and the log is kept for years.
 */

export const REDACTED = '[redacted]';

/** Query parameters whose name says they carry a credential: api_key, key, token, access_token, … */
const SECRET_NAME = /key|token|secret|passw|auth|signature|credential|bearer|jwt|session/i;

/** Shapes a credential has wherever it appears in a value. */
const CREDENTIAL_SHAPES: readonly RegExp[] = [
  // A generated API key: `tl_<12 hex key id>_<secret>`.
  /tl_[0-9a-f]{12}_[A-Za-z0-9_-]+/g,
  // A catalogue webhook's signing secret (decision 046): `whsec_<43 base64url>`.
  /whsec_[A-Za-z0-9_-]{20,}/g,
  // A JWT (compact JWS/JWE): a base64url JSON header `{"…` is always `eyJ…`, then dot-separated parts.
  /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){1,3}/g,
  // An Authorization value pasted whole: `Bearer <token>`, `Basic <base64>` (not the word "basic").
  /\bBearer\s+[^\s,;&]{8,}/gi,
  /\bBasic\s+[A-Za-z0-9+/]{8,}={0,2}/gi,
];

export class CredentialRedactor {
  private readonly literals: readonly string[];

  /**
   * `secrets` are credentials this ledger knows in clear whatever their shape: the operator's own
   * LEDGER_OPERATOR_KEY may be any 16–200 characters, so no pattern recognises it.
   */
  constructor(secrets: readonly (string | undefined)[] = []) {
    // Longest first, so a secret that contains another is removed whole.
    this.literals = [...new Set(secrets.filter((s): s is string => s !== undefined && s.length > 0))].sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    let out = value;
    for (const literal of this.literals) out = out.split(literal).join(REDACTED);
    for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, REDACTED);
    return out;
  }

  /** Query values, whole when the parameter's name says it is a credential. */
  query(query: unknown): Record<string, unknown> {
    if (typeof query !== 'object' || query === null) return {};
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(query)) {
      out[this.text(name)] = SECRET_NAME.test(name) ? REDACTED : this.value(value);
    }
    return out;
  }

  params(params: unknown): Record<string, string> {
    if (typeof params !== 'object' || params === null) return {};
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(params)) out[name] = this.text(String(value));
    return out;
  }

  private value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item));
    return value;
  }
}
