/**
 * API key management on the organisation stream: issuing, rotating and revoking keys.
 * Who may do what, and why, is in docs/security.md ("Authentication").
 */
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { assertPlainText } from '../shared/bounds.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { IssueApiKey, RevokeApiKey } from './organisation.commands.js';
import type { OrganisationState } from './organisation.state.js';

function existing(state: OrganisationState | undefined, organisationId: string): OrganisationState {
  if (!state) throw new NotFoundError('unknown-organisation', `organisation ${organisationId} is not registered`, { organisationId });
  return state;
}

/** The key to revoke must exist on this organisation and still be valid. */
function revocable(state: OrganisationState, keyId: string): void {
  const key = state.keys.find((k) => k.keyId === keyId);
  if (!key) {
    throw new NotFoundError('unknown-api-key', `organisation ${state.organisationId} has no API key ${keyId}`, { organisationId: state.organisationId, keyId });
  }
  if (key.revoked) {
    throw new ConflictError('api-key-already-revoked', `API key ${keyId} is already revoked`, { organisationId: state.organisationId, keyId });
  }
}

/**
 * Only the operator issues keys, for any organisation. An organisation may not mint keys for
 * itself: a leaked key could otherwise mint a fresh one that outlives its own revocation.
 */
export function decideIssueApiKey(state: OrganisationState | undefined, command: IssueApiKey, ctx: DecisionContext): DomainEvent[] {
  if (!ctx.actor.roles.includes('operator')) {
    throw new ForbiddenError('operator-only', 'only the operator issues and rotates API keys');
  }
  const organisation = existing(state, command.organisationId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  if (organisation.keys.some((k) => k.keyId === command.apiKeyId)) {
    throw new ConflictError('api-key-id-exists', `organisation ${command.organisationId} already has an API key ${command.apiKeyId}`, {
      keyId: command.apiKeyId,
    });
  }
  if (command.replacesKeyId !== undefined) revocable(organisation, command.replacesKeyId);
  const issued: DomainEvent = {
    type: 'ApiKeyIssued',
    data: {
      organisationId: command.organisationId,
      keyId: command.apiKeyId,
      keyHash: command.apiKeyHash,
      issuedBy: ctx.actor.organisationId,
      reason: command.reason,
      occurredAt: command.occurredAt,
    },
  };
  if (command.replacesKeyId === undefined) return [issued];
  return [
    issued,
    {
      type: 'ApiKeyRevoked',
      data: {
        organisationId: command.organisationId,
        keyId: command.replacesKeyId,
        revokedBy: ctx.actor.organisationId,
        reason: command.reason,
        replacedByKeyId: command.apiKeyId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}

/**
 * The operator revokes any key; an organisation revokes its own (revoking only ever takes access
 * away, so a key holder may always do it, e.g. the moment it suspects a leak). The last valid key of
 * an operator organisation is never revoked: nobody could then issue keys at all. Rotate it instead.
 */
export function decideRevokeApiKey(state: OrganisationState | undefined, command: RevokeApiKey, ctx: DecisionContext): DomainEvent[] {
  const isOperator = ctx.actor.roles.includes('operator');
  if (!isOperator && ctx.actor.organisationId !== command.organisationId) {
    throw new ForbiddenError('not-key-owner', "only the operator or the key's own organisation revokes an API key", { organisationId: command.organisationId });
  }
  const organisation = existing(state, command.organisationId);
  assertPlainText(command);
  assertBusinessTime(command.occurredAt, ctx);
  revocable(organisation, command.keyId);
  if (organisation.roles.includes('operator') && organisation.keys.filter((k) => !k.revoked).length === 1) {
    throw new ConflictError('last-operator-key', `API key ${command.keyId} is the operator's last valid key: rotate it (issue a replacement) instead`, {
      organisationId: command.organisationId,
      keyId: command.keyId,
    });
  }
  return [
    {
      type: 'ApiKeyRevoked',
      data: {
        organisationId: command.organisationId,
        keyId: command.keyId,
        revokedBy: ctx.actor.organisationId,
        reason: command.reason,
        occurredAt: command.occurredAt,
      },
    },
  ];
}
