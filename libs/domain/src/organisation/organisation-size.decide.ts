/**
 * Organisation size and SME status (docs/decisions/041-programmes-and-sme-status.md). The size is
 * declared by the organisation itself, or the operator for it, with the day it applies from; SME
 * status follows from it by the EU definition, and is unknown where no size is declared.
 */
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { assertBusinessTime, type DecisionContext } from '../shared/decision-context.js';
import type { DeclareOrganisationSize } from './organisation-size.commands.js';
import type { OrganisationSize } from './organisation-size.events.js';
import type { OrganisationState } from './organisation.state.js';

/** The EU ceilings (Recommendation 2003/361/EC, article 2(1)). */
export const SME_CEILINGS = { employeesBelow: 250, turnoverAtMostEur: 50_000_000, balanceSheetAtMostEur: 43_000_000 } as const;

/** `unknown` without a declared size: an organisation is never assumed to be an SME. */
export type SmeStatus = 'sme' | 'not-sme' | 'unknown';

/** Fewer than 250 employees, and turnover at most €50 M or balance sheet total at most €43 M. */
export function smeStatus(size: OrganisationSize | undefined): SmeStatus {
  if (size === undefined) return 'unknown';
  const small =
    size.employees < SME_CEILINGS.employeesBelow &&
    (size.annualTurnoverEur <= SME_CEILINGS.turnoverAtMostEur || size.balanceSheetTotalEur <= SME_CEILINGS.balanceSheetAtMostEur);
  return small ? 'sme' : 'not-sme';
}

/** A dated size declaration, in the order the log holds them. */
export interface DatedSize extends OrganisationSize {
  readonly appliesFrom: string;
}

/** The size in force on `date` (YYYY-MM-DD): the latest `appliesFrom` on or before it; for equal days the later declaration. */
export function sizeOn(declarations: readonly DatedSize[], date: string): DatedSize | undefined {
  let found: DatedSize | undefined;
  for (const d of declarations) {
    if (d.appliesFrom <= date && (found === undefined || d.appliesFrom >= found.appliesFrom)) found = d;
  }
  return found;
}

export function decideDeclareOrganisationSize(state: OrganisationState | undefined, command: DeclareOrganisationSize, ctx: DecisionContext): DomainEvent[] {
  if (ctx.actor.organisationId !== command.organisationId && !ctx.actor.roles.includes('operator')) {
    throw new ForbiddenError('not-own-organisation', `only organisation ${command.organisationId} itself, or the operator for it, declares its size`, { organisationId: command.organisationId });
  }
  if (!state) throw new NotFoundError('unknown-organisation', `organisation ${command.organisationId} is not registered`, { organisationId: command.organisationId });
  assertBusinessTime(command.occurredAt, ctx);
  return [
    {
      type: 'OrganisationSizeDeclared',
      data: {
        organisationId: command.organisationId,
        employees: command.employees,
        annualTurnoverEur: command.annualTurnoverEur,
        balanceSheetTotalEur: command.balanceSheetTotalEur,
        appliesFrom: command.appliesFrom,
        declaredBy: ctx.actor.organisationId,
        occurredAt: command.occurredAt,
      },
    },
  ];
}
