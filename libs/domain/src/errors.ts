/**
 * Typed domain errors. The HTTP layer maps `kind` to a status code in exactly one place
 * (apps/ledger-api/src/common/problem-details.filter.ts); the domain never knows about HTTP.
 */
export type DomainErrorKind = 'malformed' | 'invalid' | 'unauthorised' | 'forbidden' | 'not-found' | 'conflict';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** A stable, machine-readable slug, e.g. `mass-does-not-balance`. */
  abstract readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class InvalidCommandError extends DomainError {
  readonly kind = 'invalid';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

/** The request itself is malformed (e.g. a header), as opposed to a well-formed command the rules refuse. */
export class MalformedRequestError extends DomainError {
  readonly kind = 'malformed';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, details);
  }
}

export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthorised';
  readonly code = 'unauthenticated';
}
