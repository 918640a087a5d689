import { Injectable } from '@nestjs/common';
import { OrganisationDirectory } from './organisation-directory.js';

/**
 * Members that hold a stored event as the ledger recorded it (a process's definition): their shape
 * is the event's, so nothing is added inside them.
 */
const STORED_EVENTS = new Set(['definition']);

/** `custodianOrgId` → `custodianOrgName`, `organisationId` → `organisationName`; undefined for any other member. */
export function nameMemberOf(member: string): string | undefined {
  if (member === 'organisationId' || member.endsWith('OrgId')) return `${member.slice(0, -2)}Name`;
  return undefined;
}

/** `organisationIds` → `organisationNames`, `…OrgIds` → `…OrgNames`. */
export function namesMemberOf(member: string): string | undefined {
  if (member === 'organisationIds' || member.endsWith('OrgIds')) return `${member.slice(0, -3)}Names`;
  return undefined;
}

/**
 * Puts each organisation's name beside its id in a read answer (decision 034): a member
 * `…OrgId`/`organisationId` gets a sibling `…OrgName`/`organisationName`, a list `…OrgIds` a list
 * `…OrgNames` in the same order; an id the directory does not know is named null.
 *
 * Names are public (every organisation may list GET /organisations), so naming an id the answer
 * already shows reveals nothing more. Only ids the answer holds are named: what the access rules
 * withheld (lineage parts, other organisations' batches) never reaches this walk, so it stays
 * withheld and nameless. Names never change after registration, so the live directory names as-of
 * answers too: an organisation an answer names was registered before it.
 */
@Injectable()
export class OrganisationNames {
  constructor(private readonly directory: OrganisationDirectory) {}

  /** The answer with names beside its organisation ids; the existing members are kept as they are. */
  async beside<T>(answer: T): Promise<T> {
    const ids = new Set<string>();
    collect(answer, ids);
    const names = new Map<string, string | null>();
    for (const id of ids) names.set(id, (await this.directory.get(id))?.name ?? null);
    return enrich(answer, names) as T;
  }
}

function collect(value: unknown, ids: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, ids);
    return;
  }
  if (!isRecord(value)) return;
  for (const [member, inner] of Object.entries(value)) {
    if (STORED_EVENTS.has(member)) continue;
    if (nameMemberOf(member) !== undefined && typeof inner === 'string') {
      ids.add(inner);
    } else if (namesMemberOf(member) !== undefined && Array.isArray(inner)) {
      for (const id of inner) if (typeof id === 'string') ids.add(id);
    } else {
      collect(inner, ids);
    }
  }
}

function enrich(value: unknown, names: ReadonlyMap<string, string | null>): unknown {
  if (Array.isArray(value)) return value.map((item) => enrich(item, names));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [member, inner] of Object.entries(value)) {
    if (STORED_EVENTS.has(member)) {
      out[member] = inner;
      continue;
    }
    const nameMember = nameMemberOf(member);
    const namesMember = namesMemberOf(member);
    out[member] = nameMember !== undefined || namesMember !== undefined ? inner : enrich(inner, names);
    // A name member the answer already has (a projection that names) is left as it is.
    if (nameMember !== undefined && typeof inner === 'string' && !(nameMember in value)) out[nameMember] = names.get(inner) ?? null;
    if (namesMember !== undefined && Array.isArray(inner) && !(namesMember in value)) {
      out[namesMember] = inner.map((id) => (typeof id === 'string' ? (names.get(id) ?? null) : null));
    }
  }
  return out;
}

/** Plain JSON objects only: a Date or a class instance is an answer's value, not a member map. */
function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
