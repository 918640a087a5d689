import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { TIME_ZONE } from '../../shared/format.js';
import type { ProgrammesMessages } from './programmes.messages.js';
import type { Member, Programme, ProgrammeCommandResult } from './programmes.types.js';

/** Today's calendar day in Copenhagen (YYYY-MM-DD), whatever the browser's own zone: the day memberships start on. */
export function copenhagenToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** A refusal in words: the page's own words for the ledger's codes, else the API's detail. */
export function refusalText(m: ProgrammesMessages, error: unknown): string {
  if (error instanceof ApiError) return m.refused((error.code !== undefined ? m.refusals[error.code] : undefined) ?? error.message);
  return m.refused(error instanceof Error ? error.message : String(error));
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  return el('div', { class: 'programme-field' }, el('label', { attrs: { for: id } }, label), control);
}

function input(id: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return el('input', { attrs: { id, name: id, type: 'text', ...attrs } });
}

function select(id: string, options: readonly (readonly [value: string, label: string])[], selected?: string): HTMLSelectElement {
  return el('select', { attrs: { id, name: id } }, ...options.map(([value, label]) => el('option', { attrs: { value, ...(value === selected ? { selected: '' } : {}) } }, label)));
}

/** A form whose submit sends one command; on success the page is shown again with the notice, on refusal the reason stays beside the form. */
function commandForm(m: ProgrammesMessages, id: string, heading: string, controls: readonly HTMLElement[], submit: string, send: () => Promise<string>, done: (notice: string) => Promise<void>): HTMLFormElement {
  const status = el('p', { attrs: { role: 'status', 'data-testid': `${id}-status` } });
  const form = el(
    'form',
    { class: 'programme-form', attrs: { 'aria-labelledby': `${id}-heading`, novalidate: '', 'data-testid': id } },
    el('h3', { attrs: { id: `${id}-heading` } }, heading),
    ...controls,
    el('button', { attrs: { type: 'submit' } }, submit),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.setAttribute('role', 'status');
    status.textContent = '';
    send().then(
      (notice) => done(notice),
      (error: unknown) => {
        status.setAttribute('role', 'alert');
        status.textContent = refusalText(m, error);
      },
    );
  });
  return form;
}

const valueOf = (form: HTMLElement, id: string): string => (form.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)?.value ?? '').trim();

function organisationOptions(context: PageContext, m: ProgrammesMessages, ids?: readonly string[]): [string, string][] {
  const chosen = ids === undefined ? context.organisations.all.map((o) => o.organisationId) : ids;
  const named = chosen.map((id): [string, string] => [id, context.organisations.nameOf(id)]).sort(([, a], [, b]) => a.localeCompare(b, 'da'));
  return [['', m.chooseOrganisation], ...named];
}

function scopeOptions(m: ProgrammesMessages, programme: Programme): [string, string][] {
  return [['', m.wholeProgramme], ...programme.valueChains.map((chain): [string, string] => [chain.valueChainId, chain.name])];
}

/**
 * The programme manager's and operator's forms: register a value chain, add a member, remove one.
 * The page offers them to those two only; the ledger decides, and its refusals are shown in words.
 */
export function manageSection(
  context: PageContext,
  m: ProgrammesMessages,
  programme: Programme,
  currentMembers: readonly Member[],
  valueChainId: string | undefined,
  done: (notice: string) => Promise<void>,
): HTMLElement {
  const { api } = context;
  const today = copenhagenToday();
  const chainForm = commandForm(m, 'register-value-chain', m.registerChainHeading, [field('chain-name', m.chainName, input('chain-name', { required: '' }))], m.registerChain, async () => {
    const name = valueOf(chainForm, 'chain-name');
    await api.postJson<ProgrammeCommandResult>(path`/programmes/${programme.programmeId}/value-chains`, { name });
    return m.chainRegistered(name);
  }, done);
  const addForm = commandForm(
    m,
    'add-member',
    m.addMemberHeading,
    [
      field('add-member-organisation', m.organisation, select('add-member-organisation', organisationOptions(context, m))),
      field('add-member-scope', m.memberScope, select('add-member-scope', scopeOptions(m, programme), valueChainId)),
      field('add-member-from', m.fromDay, input('add-member-from', { type: 'date', required: '', value: today })),
    ],
    m.addMember,
    async () => {
      const organisationId = valueOf(addForm, 'add-member-organisation');
      const scope = valueOf(addForm, 'add-member-scope');
      const from = valueOf(addForm, 'add-member-from');
      await api.postJson<ProgrammeCommandResult>(path`/programmes/${programme.programmeId}/members`, { organisationId, ...(scope ? { valueChainId: scope } : {}), from });
      return m.memberAdded(context.organisations.nameOf(organisationId), from);
    },
    done,
  );
  const stillMembers = currentMembers.filter((member) => member.memberships.some((membership) => membership.until === null)).map((member) => member.organisationId);
  const removeForm = commandForm(
    m,
    'remove-member',
    m.removeMemberHeading,
    [
      field('remove-member-organisation', m.organisation, select('remove-member-organisation', organisationOptions(context, m, stillMembers))),
      field('remove-member-scope', m.memberScope, select('remove-member-scope', scopeOptions(m, programme), valueChainId)),
      field('remove-member-from', m.removeFromDay, input('remove-member-from', { type: 'date', required: '', value: today })),
      field('remove-member-reason', `${m.reason} (${m.optional})`, input('remove-member-reason')),
    ],
    m.removeMember,
    async () => {
      const organisationId = valueOf(removeForm, 'remove-member-organisation');
      const scope = valueOf(removeForm, 'remove-member-scope');
      const from = valueOf(removeForm, 'remove-member-from');
      const reason = valueOf(removeForm, 'remove-member-reason');
      await api.postJson<ProgrammeCommandResult>(path`/programmes/${programme.programmeId}/members/remove`, { organisationId, ...(scope ? { valueChainId: scope } : {}), from, ...(reason ? { reason } : {}) });
      return m.memberRemoved(context.organisations.nameOf(organisationId), from);
    },
    done,
  );
  return el(
    'section',
    { class: 'programme-manage', attrs: { 'aria-labelledby': 'manage-heading' } },
    el('h2', { attrs: { id: 'manage-heading' } }, m.manageHeading),
    el('p', {}, m.manageIntro),
    chainForm,
    addForm,
    removeForm,
  );
}

/** The operator's form on the list: a programme with a name, optionally a tag and the organisation that manages it. */
export function registerProgrammeForm(context: PageContext, m: ProgrammesMessages, done: (notice: string) => Promise<void>): HTMLFormElement {
  const form: HTMLFormElement = commandForm(
    m,
    'register-programme',
    m.registerProgrammeHeading,
    [
      field('programme-name', m.programmeName, input('programme-name', { required: '' })),
      field('programme-tag', `${m.programmeTag} (${m.optional})`, input('programme-tag', { pattern: '[a-z0-9][a-z0-9-]*' })),
      field('programme-manager', `${m.managerOptional} (${m.optional})`, select('programme-manager', [['', m.noManager], ...organisationOptions(context, m).slice(1)])),
    ],
    m.registerProgramme,
    async () => {
      const name = valueOf(form, 'programme-name');
      const tag = valueOf(form, 'programme-tag');
      const managerOrganisationId = valueOf(form, 'programme-manager');
      await context.api.postJson<ProgrammeCommandResult>('/programmes', { name, ...(tag ? { tag } : {}), ...(managerOrganisationId ? { managerOrganisationId } : {}) });
      return m.programmeRegistered(name);
    },
    done,
  );
  return form;
}
