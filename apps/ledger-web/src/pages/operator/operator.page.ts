import { ApiError, path } from '../../shared/api-client.js';
import { OrganisationNames, type Organisation, type PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatDateTime } from '../../shared/format.js';
import { hrefOf } from '../../shared/router.js';
import { table } from '../../shared/table.js';
import { OPERATOR_MESSAGES } from './operator.messages.js';
import type { ApiKeyEntry, CollectorAuthorisationEntry } from './operator.types.js';

/**
 * The operator's view of who takes part: every organisation with its roles and kommune, and for
 * the chosen one its API keys (ids and their history, never a key) and, for a municipality, the
 * collectors it has authorised. It only reads. Where the API refuses the viewer (403) the section
 * says who may see it, and the rest of the page still renders.
 */
export async function operatorPage(signedIn: PageContext, main: HTMLElement, organisationId: string | undefined): Promise<void> {
  const organisations = await signedIn.api.getJson<Organisation[]>('/organisations');
  // Names from this answer, not the sign-in's: an organisation registered since then is named too.
  const context: PageContext = { ...signedIn, organisations: new OrganisationNames(organisations) };
  const { t } = context;
  const chosen = organisationId ? organisations.find((organisation) => organisation.organisationId === organisationId) : undefined;
  show(
    main,
    el('h1', {}, t.operatorTitle),
    organisationSection(context, organisations, organisationId),
    organisationId ? await chosenSection(context, chosen, organisationId) : el('p', { attrs: { 'data-testid': 'choose-organisation' } }, t.chooseOrganisation),
  );
}

function organisationSection(context: PageContext, organisations: readonly Organisation[], chosenId: string | undefined): HTMLElement {
  const { t } = context;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'organisations-heading' } },
    el('h2', { attrs: { id: 'organisations-heading' } }, t.organisationsHeading),
    el(
      'div',
      { class: 'table-scroll plain-cells', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'organisations-heading' } },
      el(
        'table',
        { attrs: { 'data-testid': 'organisations' } },
        el('thead', {}, el('tr', {}, ...[t.organisation, t.roles, t.kommune].map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
        el(
          'tbody',
          {},
          ...organisations.map((organisation) =>
            el(
              'tr',
              { attrs: { 'data-organisation-id': organisation.organisationId } },
              el(
                'th',
                { attrs: { scope: 'row' } },
                el(
                  'a',
                  { attrs: { href: hrefOf({ page: 'operator', organisationId: organisation.organisationId }), ...(organisation.organisationId === chosenId ? { 'aria-current': 'page' } : {}) } },
                  organisation.name,
                ),
              ),
              el('td', {}, organisation.roles.map((role) => t.roleNames[role] ?? role).join(', ')),
              el('td', {}, organisation.kommuneCode ?? '—'),
            ),
          ),
        ),
      ),
    ),
  );
}

async function chosenSection(context: PageContext, chosen: Organisation | undefined, organisationId: string): Promise<HTMLElement> {
  const { t } = context;
  const name = chosen?.name ?? organisationId;
  const isMunicipality = chosen?.roles.includes('municipality') ?? false;
  const [keys, authorisations] = await Promise.all([
    keySection(context, organisationId),
    isMunicipality ? authorisationSection(context, organisationId) : Promise.resolve(null),
  ]);
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'chosen-heading', 'data-testid': 'chosen-organisation' } },
    el('h2', { attrs: { id: 'chosen-heading' } }, name),
    el('dl', { class: 'summary' }, el('dt', {}, t.organisationId), el('dd', {}, el('code', {}, organisationId))),
    el('p', {}, el('a', { attrs: { href: hrefOf({ page: 'organisation', organisationId }), 'data-testid': 'organisation-page-link' } }, OPERATOR_MESSAGES[context.locale].organisationPage(name))),
    keys,
    authorisations,
  );
}

/** Reads a section's answer; a 403 becomes the section's message, anything else fails the page. */
async function readOrRefused<T>(read: () => Promise<T>): Promise<{ readonly answer: T } | { readonly refused: true }> {
  try {
    return { answer: await read() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return { refused: true };
    throw error;
  }
}

function refusal(message: string, testId: string): HTMLElement {
  return el('p', { class: 'form-error', attrs: { 'data-testid': testId } }, message);
}

async function keySection(context: PageContext, organisationId: string): Promise<HTMLElement> {
  const { t, locale, organisations } = context;
  const read = await readOrRefused(() => context.api.getJson<ApiKeyEntry[]>(path`/organisations/${organisationId}/api-keys`));
  const body =
    'refused' in read
      ? refusal(t.apiKeysForbidden, 'api-keys-forbidden')
      : read.answer.length === 0
        ? el('p', { attrs: { 'data-testid': 'api-keys' } }, t.noApiKeys)
        : el(
            'div',
            { class: 'table-scroll plain-cells', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'api-keys-heading' } },
            table(
              'api-keys',
              [t.keyId, t.issued, t.issuedBy, t.issueReason, t.revoked, t.revokedBy, t.revokeReason],
              read.answer.map((key) => [
                key.keyId,
                formatDateTime(key.issuedAt, locale),
                key.issuedBy ? organisations.nameOf(key.issuedBy) : t.atRegistration,
                key.issueReason ?? '—',
                key.revokedAt ? formatDateTime(key.revokedAt, locale) : t.inForce,
                key.revokedBy ? organisations.nameOf(key.revokedBy) : '—',
                key.revokeReason ?? (key.replacedByKeyId ? t.replacedBy(key.replacedByKeyId) : '—'),
              ]),
            ),
          );
  return el('section', { attrs: { 'aria-labelledby': 'api-keys-heading' } }, el('h3', { attrs: { id: 'api-keys-heading' } }, t.apiKeys), el('p', {}, t.apiKeysNote), body);
}

async function authorisationSection(context: PageContext, municipalityId: string): Promise<HTMLElement> {
  const { t, locale, organisations } = context;
  const read = await readOrRefused(() => context.api.getJson<CollectorAuthorisationEntry[]>(path`/organisations/${municipalityId}/collector-authorisations`));
  const body =
    'refused' in read
      ? refusal(t.authorisationsForbidden, 'collector-authorisations-forbidden')
      : read.answer.length === 0
        ? el('p', { attrs: { 'data-testid': 'collector-authorisations' } }, t.noAuthorisations)
        : el(
            'div',
            { class: 'table-scroll plain-cells', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'authorisations-heading' } },
            table(
              'collector-authorisations',
              [t.collector, t.kommune, t.status, t.authorised, t.authorisedBy, t.authoriseReason, t.revoked, t.revokedBy, t.revokeReason],
              read.answer.map((entry) => [
                organisations.nameOf(entry.collectorOrgId),
                entry.kommuneCode,
                entry.active ? t.inForce : t.revokedStatus,
                formatDateTime(entry.authorisedAt, locale),
                organisations.nameOf(entry.authorisedBy),
                entry.authoriseReason ?? '—',
                entry.revokedAt ? formatDateTime(entry.revokedAt, locale) : '—',
                entry.revokedBy ? organisations.nameOf(entry.revokedBy) : '—',
                entry.revokeReason ?? '—',
              ]),
            ),
          );
  return el('section', { attrs: { 'aria-labelledby': 'authorisations-heading' } }, el('h3', { attrs: { id: 'authorisations-heading' } }, t.collectorAuthorisations), body);
}
