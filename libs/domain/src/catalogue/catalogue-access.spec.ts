/**
 * The catalogue's rules in the access policy (docs/decisions/046-symbiosis-catalogue.md): who sees
 * an offer or want, who sees it in full, who sees a deal.
 */
import { describe, expect, it } from '@jest/globals';
import { mayViewCatalogueEntry, mayViewDeal, seesCatalogueEntryInFull } from '../access/access.policy.js';
import type { Role } from '../organisation/organisation.events.js';
import type { OrganisationFacts } from '../shared/decision-context.js';

const id = (n: number): string => `0190e000-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const org = (n: number, roles: Role[]): OrganisationFacts => ({ organisationId: id(n), name: `org ${n}`, roles });
const HOLDER = org(1, ['sorter']);
const NAMED = org(2, ['recycler']);
const STRANGER = org(3, ['manufacturer']);
const AUDITOR = org(4, ['auditor']);
const OPERATOR = org(5, ['operator']);
const PROGRAMME = id(10);

describe('catalogue entries in the access policy', () => {
  const named = { ownerOrgId: HOLDER.organisationId, audience: { kind: 'organisations' as const, organisationIds: [NAMED.organisationId] } };
  const programme = { ownerOrgId: HOLDER.organisationId, audience: { kind: 'programme' as const, programmeId: PROGRAMME } };

  it('given an offer named to one organisation, then its holder, that organisation, auditors and the operator see it, and no one else', () => {
    expect([HOLDER, NAMED, STRANGER, AUDITOR, OPERATOR].map((v) => mayViewCatalogueEntry(v, named, []))).toEqual([true, true, false, true, true]);
  });
  it('given an offer to a programme, then its members today see it, others not', () => {
    expect(mayViewCatalogueEntry(STRANGER, programme, [{ programmeId: PROGRAMME, valueChainId: null }])).toBe(true);
    expect(mayViewCatalogueEntry(STRANGER, programme, [{ programmeId: id(11), valueChainId: null }])).toBe(false);
  });
  it('sees in full only the holder, auditors and the operator; its audience sees what it discloses', () => {
    expect([HOLDER, NAMED, AUDITOR, OPERATOR].map((v) => seesCatalogueEntryInFull(v, HOLDER.organisationId))).toEqual([true, false, true, true]);
  });
  it('shows a deal to its two parties, auditors and the operator', () => {
    const deal = { holderOrgId: HOLDER.organisationId, buyerOrgId: NAMED.organisationId };
    expect([HOLDER, NAMED, STRANGER, AUDITOR, OPERATOR].map((v) => mayViewDeal(v, deal))).toEqual([true, true, false, true, true]);
  });
});
