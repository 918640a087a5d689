import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, MalformedRequestError, NotFoundError } from '../errors.js';
import type { Role } from '../organisation/organisation.events.js';
import type { OrganisationFacts } from '../shared/decision-context.js';
import {
  anomaliesOrganisationFor,
  assertMayImpersonate,
  assertMayIssue,
  assertOwnKommune,
  assertOwnOrganisation,
  assertPrivileged,
  circularityFilterFor,
  collectorAuthorisationsFilterFor,
  eventNotVisible,
  readScopeOf,
  subjectOfStream,
} from './access.policy.js';

const org = (n: number, roles: Role[], kommuneCode?: string): OrganisationFacts => ({
  organisationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `org ${n}`,
  roles,
  ...(kommuneCode ? { kommuneCode } : {}),
});
const HERNING = org(1, ['municipality'], '0657');
const SORTER = org(2, ['sorter']);
const RECYCLER = org(3, ['recycler']);
const AUDITOR = org(4, ['auditor']);
const OPERATOR = org(5, ['operator']);
const COLLECTOR = org(8, ['collector']);
const OTHER_COLLECTOR = org(9, ['collector']);

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ForbiddenError || error instanceof MalformedRequestError || error instanceof NotFoundError) return `${error.kind}:${error.code}`;
    throw error;
  }
}

describe('the permission matrix', () => {
  it('scopes reads: everything for auditors and the operator, the own organisation (and kommune) for others', () => {
    expect(readScopeOf(AUDITOR)).toEqual({ kind: 'all' });
    expect(readScopeOf(OPERATOR)).toEqual({ kind: 'all' });
    expect(readScopeOf(SORTER)).toEqual({ kind: 'organisation', organisationId: SORTER.organisationId });
    expect(readScopeOf(HERNING)).toEqual({ kind: 'organisation', organisationId: HERNING.organisationId, kommuneCode: '0657' });
  });

  it.each([
    ['a sorter reading its own inventory', SORTER, SORTER.organisationId, undefined],
    ["a sorter reading a rival's inventory", SORTER, RECYCLER.organisationId, 'forbidden:not-own-organisation'],
    ["an auditor reading anyone's", AUDITOR, RECYCLER.organisationId, undefined],
    ["the operator reading anyone's", OPERATOR, RECYCLER.organisationId, undefined],
  ])('organisation records: %s', (_what, viewer, organisationId, expected) => {
    expect(code(() => assertOwnOrganisation(viewer, organisationId))).toBe(expected);
  });

  it.each([
    ["Herning reading Herning's report", HERNING, '0657', undefined],
    ["Herning reading Holstebro's report", HERNING, '0661', 'forbidden:not-own-kommune'],
    ['a sorter reading a municipal report', SORTER, '0657', 'forbidden:not-own-kommune'],
    ['an auditor', AUDITOR, '0661', undefined],
  ])('municipal reports: %s', (_what, viewer, kommuneCode, expected) => {
    expect(code(() => assertOwnKommune(viewer, kommuneCode))).toBe(expected);
  });

  it('keeps the request audit log for auditors and the operator', () => {
    expect(code(() => assertPrivileged(AUDITOR))).toBeUndefined();
    expect(code(() => assertPrivileged(OPERATOR))).toBeUndefined();
    expect(code(() => assertPrivileged(HERNING))).toBe('forbidden:not-auditor');
  });

  it.each([
    ['an auditor, material', AUDITOR, 'material', false, 'forbidden:read-only-role'],
    ['an auditor, administration', AUDITOR, 'administration', false, 'forbidden:read-only-role'],
    ['an auditor holding another role too', org(6, ['auditor', 'sorter']), 'material', false, 'forbidden:read-only-role'],
    ['the operator, material', OPERATOR, 'material', false, 'forbidden:operator-must-impersonate'],
    ['the operator, material, impersonating', OPERATOR, 'material', true, undefined],
    ['the operator, administration', OPERATOR, 'administration', false, undefined],
    ['a sorter, material', SORTER, 'material', false, undefined],
  ] as const)('commands: %s', (_what, actor, kind, impersonating, expected) => {
    expect(code(() => assertMayIssue(actor, kind, impersonating))).toBe(expected);
  });

  it('lets only the operator impersonate, with a reason, a registered organisation that is not an operator', () => {
    expect(assertMayImpersonate(OPERATOR, SORTER, SORTER.organisationId, 'support ticket 17')).toBe(SORTER);
    expect(code(() => assertMayImpersonate(AUDITOR, SORTER, SORTER.organisationId, 'why not'))).toBe('forbidden:impersonation-not-permitted');
    expect(code(() => assertMayImpersonate(SORTER, RECYCLER, RECYCLER.organisationId, 'why not'))).toBe('forbidden:impersonation-not-permitted');
    expect(code(() => assertMayImpersonate(OPERATOR, SORTER, SORTER.organisationId, undefined))).toBe('malformed:impersonation-reason-required');
    expect(code(() => assertMayImpersonate(OPERATOR, SORTER, SORTER.organisationId, '  '))).toBe('malformed:impersonation-reason-required');
    expect(code(() => assertMayImpersonate(OPERATOR, undefined, SORTER.organisationId, 'x'))).toBe('not-found:unknown-organisation');
    expect(code(() => assertMayImpersonate(OPERATOR, org(7, ['operator', 'sorter']), 'x', 'x'))).toBe('forbidden:impersonation-not-permitted');
  });

  it('narrows circularity to the own kommune for a municipality, and to the own residual origins for a firm', () => {
    expect(circularityFilterFor(HERNING, {})).toEqual({ kommuneCode: '0657' });
    expect(circularityFilterFor(HERNING, { kommuneCode: '0657' })).toEqual({ kommuneCode: '0657' });
    expect(circularityFilterFor(HERNING, { originKey: 'kommune:0657' })).toEqual({ originKey: 'kommune:0657' });
    expect(code(() => circularityFilterFor(HERNING, { kommuneCode: '0661' }))).toBe('forbidden:scope-not-permitted');
    expect(code(() => circularityFilterFor(HERNING, { kommuneCode: '0657', originKey: 'kommune:0661' }))).toBe('forbidden:scope-not-permitted');
    expect(circularityFilterFor(SORTER, { originKey: `pre-consumer:${SORTER.organisationId}` })).toEqual({ originKey: `pre-consumer:${SORTER.organisationId}` });
    expect(code(() => circularityFilterFor(SORTER, {}))).toBe('forbidden:scope-not-permitted');
    expect(code(() => circularityFilterFor(SORTER, { originKey: `pre-consumer:${RECYCLER.organisationId}` }))).toBe('forbidden:scope-not-permitted');
    expect(code(() => circularityFilterFor(SORTER, { kommuneCode: '0657' }))).toBe('forbidden:scope-not-permitted');
    expect(circularityFilterFor(AUDITOR, {})).toEqual({});
    expect(circularityFilterFor(OPERATOR, { kommuneCode: '0661' })).toEqual({ kommuneCode: '0661' });
  });

  it('narrows anomalies to those the organisation is party to', () => {
    expect(anomaliesOrganisationFor(SORTER, undefined)).toBe(SORTER.organisationId);
    expect(anomaliesOrganisationFor(SORTER, SORTER.organisationId)).toBe(SORTER.organisationId);
    expect(code(() => anomaliesOrganisationFor(SORTER, RECYCLER.organisationId))).toBe('forbidden:scope-not-permitted');
    expect(anomaliesOrganisationFor(AUDITOR, undefined)).toBeUndefined();
    expect(anomaliesOrganisationFor(AUDITOR, RECYCLER.organisationId)).toBe(RECYCLER.organisationId);
  });

  it.each([
    ['Herning reading its own, unfiltered', HERNING, undefined, undefined],
    ['Herning reading its own, for one collector', HERNING, COLLECTOR.organisationId, COLLECTOR.organisationId],
    ['an auditor', AUDITOR, undefined, undefined],
    ['the operator, for one collector', OPERATOR, OTHER_COLLECTOR.organisationId, OTHER_COLLECTOR.organisationId],
    ['a collector, unfiltered', COLLECTOR, undefined, COLLECTOR.organisationId],
    ['a collector naming itself', COLLECTOR, COLLECTOR.organisationId, COLLECTOR.organisationId],
  ] as const)("given %s, when it reads Herning's collector authorisations, then it sees the entries of the collector returned", (_what, viewer, asked, expected) => {
    expect(collectorAuthorisationsFilterFor(viewer, HERNING.organisationId, asked)).toBe(expected);
  });

  it.each([
    ['a collector asking for another collector', COLLECTOR, OTHER_COLLECTOR.organisationId, 'forbidden:scope-not-permitted'],
    ['a sorter', SORTER, undefined, 'forbidden:not-municipality-or-collector'],
    ['another municipality', org(10, ['municipality'], '0661'), undefined, 'forbidden:not-municipality-or-collector'],
  ] as const)("given %s, when it reads Herning's collector authorisations, then it is refused", (_what, viewer, asked, expected) => {
    expect(code(() => collectorAuthorisationsFilterFor(viewer, HERNING.organisationId, asked))).toBe(expected);
  });

  it('given a stream id, when asked what it is about, then it names the batch, process or organisation, and nothing for another stream', () => {
    const id = '01900000-0000-7000-8000-000000000001';
    expect(subjectOfStream(`batch-${id}`)).toEqual({ kind: 'batch', id });
    expect(subjectOfStream(`process-${id}`)).toEqual({ kind: 'process', id });
    expect(subjectOfStream(`organisation-${id}`)).toEqual({ kind: 'organisation', id });
    expect(subjectOfStream('batch-')).toBeUndefined();
    expect(subjectOfStream(`$system-${id}`)).toBeUndefined();
  });

  it('given an event the viewer may not see, then the refusal reads like a position without an event', () => {
    expect(code(() => { throw eventNotVisible(42); })).toBe('not-found:unknown-position');
    expect(eventNotVisible(42).details).toEqual({ position: 42 });
  });
});
