import { ApiError, path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { downloadButton } from '../../shared/download.js';
import { formatDateTime, formatInteger } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { hrefOf } from '../../shared/router.js';
import { copenhagenInstant } from '../batch/as-of.js';
import { copenhagenToday, manageSection, registerProgrammeForm } from './programme-forms.view.js';
import { impactView, nameBesideId } from './programme-impact.view.js';
import { PROGRAMMES_MESSAGES, type ProgrammesMessages } from './programmes.messages.js';
import type { FactorSetChoices, Member, MembersReport, Programme, ProgrammeImpact, ProgrammeList } from './programmes.types.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The whole calendar year of a Copenhagen day: the period a programme reports by default. */
function yearOf(day: string): { from: string; to: string } {
  const year = day.slice(0, 4);
  return { from: `${year}-01-01`, to: `${year}-12-31` };
}

function isOperator(context: PageContext): boolean {
  return (context.organisations.all.find((o) => o.organisationId === context.viewer?.organisationId)?.roles ?? []).includes('operator');
}

const membersUrl = (programmeId: string, from: string, to: string, valueChainId?: string): string =>
  `${path`/programmes/${programmeId}/members`}?from=${from}&to=${to}${valueChainId ? `&valueChainId=${encodeURIComponent(valueChainId)}` : ''}`;

/**
 * `#/programmes`: every programme with its value chains, manager, and this year's members and SMEs;
 * the operator registers a programme. `#/programmes/<id>[/value-chains/<chainId>]`: one programme
 * (or one of its value chains), its members over the chosen period and its impact report
 * (decisions 041 and 043).
 */
export async function programmesPage(context: PageContext, main: HTMLElement, params: { programmeId?: string; valueChainId?: string }): Promise<void> {
  const m = PROGRAMMES_MESSAGES[context.locale];
  if (params.programmeId !== undefined) {
    await programmeView(context, m, main, params.programmeId, params.valueChainId);
    return;
  }
  await listView(context, m, main);
}

async function listView(context: PageContext, m: ProgrammesMessages, main: HTMLElement, notice?: string): Promise<void> {
  const { api, locale, organisations } = context;
  const { from, to } = yearOf(copenhagenToday());
  const year = Number(from.slice(0, 4));
  const { programmes } = await api.getJson<ProgrammeList>('/programmes');
  const reports = await Promise.all(programmes.map((programme) => api.getJson<MembersReport>(membersUrl(programme.programmeId, from, to))));
  const rows = programmes.map((programme, index) => {
    const counts = reports[index]?.counts;
    return el(
      'tr',
      { attrs: { 'data-programme': programme.programmeId } },
      el('th', { attrs: { scope: 'row' } }, el('a', { attrs: { href: hrefOf({ page: 'programme', programmeId: programme.programmeId }) } }, programme.name)),
      el(
        'td',
        {},
        programme.valueChains.length === 0
          ? m.noValueChains
          : el(
              'ul',
              { class: 'value-chain-links' },
              ...programme.valueChains.map((chain) =>
                el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'programme', programmeId: programme.programmeId, valueChainId: chain.valueChainId }), 'data-value-chain': chain.valueChainId } }, chain.name)),
              ),
            ),
      ),
      el('td', {}, programme.managerOrganisationId ? organisations.nameOf(programme.managerOrganisationId) : m.noManager),
      el('td', { class: 'number', attrs: { 'data-measure': 'members' } }, counts ? formatInteger(counts.organisations, locale) : '—'),
      el('td', { class: 'number', attrs: { 'data-measure': 'smes' } }, counts ? formatInteger(counts.smes, locale) : '—'),
    );
  });
  show(
    main,
    el('h1', {}, m.listTitle),
    el('p', {}, m.listIntro),
    notice ? el('p', { attrs: { role: 'status', 'data-testid': 'programme-notice' } }, notice) : null,
    programmes.length === 0
      ? el('p', {}, m.none)
      : el(
          'table',
          { class: 'programme-table', attrs: { 'data-testid': 'programmes' } },
          el('caption', {}, m.listTitle),
          el('thead', {}, el('tr', {}, ...[m.programme, m.valueChains, m.manager, m.membersInYear(year), m.smesInYear(year)].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
          el('tbody', {}, ...rows),
        ),
    isOperator(context) ? registerProgrammeForm(context, m, (done) => listView(context, m, main, done)) : null,
  );
}

/** What the programme page shows: the period, scope, factor set and as-of moment the reader chose. */
interface ReportChoice {
  readonly from: string;
  readonly to: string;
  readonly valueChainId: string | undefined;
  readonly factorSet: string | undefined;
  readonly asOf: string | undefined;
}

function impactQuery(choice: ReportChoice): string {
  const query = new URLSearchParams({ from: choice.from, to: choice.to });
  if (choice.valueChainId) query.set('valueChainId', choice.valueChainId);
  if (choice.factorSet) query.set('factorSet', choice.factorSet);
  if (choice.asOf) query.set('asOf', choice.asOf);
  return query.toString();
}

async function programmeView(context: PageContext, m: ProgrammesMessages, main: HTMLElement, programmeId: string, valueChainId: string | undefined): Promise<void> {
  const { api } = context;
  const [programme, factorSets] = await Promise.all([api.getJson<Programme>(path`/programmes/${programmeId}`), api.getJson<FactorSetChoices>('/emission-factors')]);
  if (valueChainId !== undefined && !programme.valueChains.some((chain) => chain.valueChainId === valueChainId)) {
    show(main, el('h1', {}, m.title(programme.name)), el('p', { class: 'form-error', attrs: { role: 'alert' } }, m.unknownChain), el('a', { attrs: { href: hrefOf({ page: 'programme', programmeId }) } }, m.backToProgramme(programme.name)));
    return;
  }
  let choice: ReportChoice = { ...yearOf(copenhagenToday()), valueChainId, factorSet: undefined, asOf: undefined };
  let current = programme;
  const render = async (notice?: string): Promise<void> => {
    // After a write the programme is read again (a new value chain); the client waits for the write's position.
    if (notice !== undefined) current = await api.getJson<Programme>(path`/programmes/${programmeId}`);
    await renderProgramme(context, m, main, current, factorSets, choice, (next) => {
      choice = next;
      // The address follows the chosen scope without a reload (a reload would reset the period).
      history.replaceState(null, '', hrefOf({ page: 'programme', programmeId, ...(next.valueChainId ? { valueChainId: next.valueChainId } : {}) }));
      void render().then(() => main.querySelector<HTMLButtonElement>('[data-testid="report-choice"] button[type="submit"]')?.focus());
    }, render, notice);
  };
  await render();
}

async function renderProgramme(
  context: PageContext,
  m: ProgrammesMessages,
  main: HTMLElement,
  programme: Programme,
  factorSets: FactorSetChoices,
  choice: ReportChoice,
  choose: (next: ReportChoice) => void,
  rerender: (notice: string) => Promise<void>,
  notice: string | undefined,
): Promise<void> {
  const { api, locale, organisations } = context;
  const chain = programme.valueChains.find((c) => c.valueChainId === choice.valueChainId);
  const members = await api.getJson<MembersReport>(membersUrl(programme.programmeId, choice.from, choice.to, choice.valueChainId));
  let impact: ProgrammeImpact | Error;
  try {
    impact = await api.getJson<ProgrammeImpact>(`${path`/programmes/${programme.programmeId}/impact`}?${impactQuery(choice)}`);
  } catch (error) {
    // The members and forms stay useful when only the report is refused (an as-of moment before the programme, say).
    if (error instanceof ApiError && error.status === 401) throw error;
    impact = error instanceof Error ? error : new Error(String(error));
  }
  const mayManage = isOperator(context) || (context.viewer !== undefined && context.viewer.organisationId === programme.managerOrganisationId);
  const chainName = (id: string | null): string => (id === null ? m.wholeProgramme : (programme.valueChains.find((c) => c.valueChainId === id)?.name ?? id));
  show(
    main,
    el('h1', {}, chain ? m.chainTitle(chain.name, programme.name) : m.title(programme.name)),
    el(
      'p',
      { class: 'year-nav' },
      el('a', { attrs: { href: hrefOf({ page: 'programmes' }) } }, m.backToList),
      chain ? el('a', { attrs: { href: hrefOf({ page: 'programme', programmeId: programme.programmeId }) } }, m.backToProgramme(programme.name)) : null,
    ),
    notice ? el('p', { attrs: { role: 'status', 'data-testid': 'programme-notice' } }, notice) : null,
    el(
      'dl',
      { class: 'summary', attrs: { 'data-testid': 'programme-facts' } },
      el('dt', {}, m.programmeId),
      el('dd', {}, el('code', {}, programme.programmeId)),
      el('dt', {}, m.tag),
      el('dd', {}, programme.tag ?? m.noTag),
      el('dt', {}, m.manager),
      el('dd', {}, programme.managerOrganisationId ? nameBesideId(organisations.nameOf(programme.managerOrganisationId), programme.managerOrganisationId) : m.noManager),
      el('dt', {}, m.registered),
      el('dd', {}, formatDateTime(programme.registeredAt, locale)),
    ),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'value-chains-heading' } },
      el('h2', { attrs: { id: 'value-chains-heading' } }, m.valueChains),
      programme.valueChains.length === 0
        ? el('p', {}, m.noValueChains)
        : el(
            'ul',
            { attrs: { 'data-testid': 'value-chains' } },
            ...programme.valueChains.map((c) =>
              el(
                'li',
                {},
                el('a', { attrs: { href: hrefOf({ page: 'programme', programmeId: programme.programmeId, valueChainId: c.valueChainId }), 'data-value-chain': c.valueChainId, ...(c.valueChainId === choice.valueChainId ? { 'aria-current': 'page' } : {}) } }, c.name),
              ),
            ),
          ),
    ),
    choiceForm(m, programme, factorSets, choice, choose),
    membersSection(context, m, members, chainName),
    el(
      'section',
      { attrs: { 'aria-labelledby': 'impact-heading', 'data-testid': 'impact' } },
      el('h2', { attrs: { id: 'impact-heading' } }, m.impactHeading),
      el('p', {}, m.impactIntro),
      impact instanceof Error
        ? el('p', { class: 'form-error', attrs: { role: 'alert', 'data-testid': 'impact-error' } }, context.t.failed(impact.message))
        : el(
            'div',
            { class: 'impact-report' },
            el('p', { attrs: { 'data-testid': 'impact-scope' } }, m.impactScope(impact.scope.valueChainName ? `${impact.scope.programmeName} — ${impact.scope.valueChainName}` : impact.scope.programmeName, impact.period.from, impact.period.to)),
            el(
              'p',
              { attrs: { role: 'status', 'data-testid': 'impact-as-of' } },
              choice.asOf && impact.asOf ? m.asOfShown(formatDateTime(choice.asOf, locale), formatInteger(impact.asOf.position, locale)) : m.asOfNow,
            ),
            ...impactView(context, m, impact),
            downloads(context, m, programme, choice),
          ),
    ),
    mayManage ? manageSection(context, m, programme, members.members, choice.valueChainId, rerender) : null,
  );
}

function downloads(context: PageContext, m: ProgrammesMessages, programme: Programme, choice: ReportChoice): HTMLElement {
  const url = `${path`/programmes/${programme.programmeId}/impact`}?${impactQuery(choice)}`;
  const name = ['programme-impact', programme.tag ?? programme.programmeId, choice.valueChainId, choice.from, choice.to, choice.factorSet].filter(Boolean).join('-');
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-downloads-heading' } },
    el('h3', { attrs: { id: 'impact-downloads-heading' } }, m.downloads),
    el(
      'p',
      { class: 'downloads' },
      downloadButton(context, m.downloadCsv, `${url}&format=csv`, 'text/csv', `${name}.csv`),
      downloadButton(context, m.downloadJson, url, 'application/json', `${name}.json`),
    ),
  );
}

/** The period (whole days, both included), scope, factor set and as-of moment, applied together. */
function choiceForm(m: ProgrammesMessages, programme: Programme, factorSets: FactorSetChoices, choice: ReportChoice, choose: (next: ReportChoice) => void): HTMLFormElement {
  const field = (id: string, label: string, control: HTMLElement) => el('div', { class: 'programme-field' }, el('label', { attrs: { for: id } }, label), control);
  const option = (value: string, label: string, selected: boolean) => el('option', { attrs: { value, ...(selected ? { selected: '' } : {}) } }, label);
  const error = el('p', { class: 'form-error', attrs: { id: 'report-choice-error', 'data-testid': 'report-choice-error' } });
  const form = el(
    'form',
    { class: 'programme-form report-choice', attrs: { 'aria-labelledby': 'report-choice-heading', novalidate: '', 'data-testid': 'report-choice' } },
    el('h2', { attrs: { id: 'report-choice-heading' } }, m.reportHeading),
    field('report-from', m.periodFrom, el('input', { attrs: { id: 'report-from', name: 'from', type: 'date', required: '', value: choice.from, 'aria-describedby': 'report-choice-error' } })),
    field('report-to', m.periodTo, el('input', { attrs: { id: 'report-to', name: 'to', type: 'date', required: '', value: choice.to, 'aria-describedby': 'report-choice-error' } })),
    field(
      'report-value-chain',
      m.valueChainFilter,
      el('select', { attrs: { id: 'report-value-chain', name: 'valueChainId' } }, option('', m.allValueChains, !choice.valueChainId), ...programme.valueChains.map((c) => option(c.valueChainId, c.name, c.valueChainId === choice.valueChainId))),
    ),
    field(
      'report-factor-set',
      m.factorSetChoice,
      el('select', { attrs: { id: 'report-factor-set', name: 'factorSet' } }, option('', m.factorSetInForce, !choice.factorSet), ...factorSets.sets.map((s) => option(s.factorSetId, m.factorSetNamed(s.factorSetId, s.validFrom), s.factorSetId === choice.factorSet))),
    ),
    field('report-as-of', m.asOfLabel, el('input', { attrs: { id: 'report-as-of', name: 'asOf', type: 'datetime-local', step: '1', 'aria-describedby': 'report-as-of-help', ...(choice.asOf ? { value: choice.asOf.slice(0, 19) } : {}) } })),
    el('p', { class: 'hint', attrs: { id: 'report-as-of-help' } }, m.asOfHelp),
    el('button', { attrs: { type: 'submit' } }, m.show),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (id: string): string => (form.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)?.value ?? '').trim();
    const from = value('report-from');
    const to = value('report-to');
    if (!DAY.test(from) || !DAY.test(to) || to < from) {
      error.setAttribute('role', 'alert');
      error.textContent = m.periodInvalid;
      return;
    }
    const asOfText = value('report-as-of');
    const asOf = asOfText === '' ? undefined : copenhagenInstant(asOfText);
    if (asOfText !== '' && asOf === undefined) {
      error.setAttribute('role', 'alert');
      error.textContent = m.asOfInvalid;
      return;
    }
    choose({ from, to, valueChainId: value('report-value-chain') || undefined, factorSet: value('report-factor-set') || undefined, asOf });
  });
  return form;
}

function membersSection(context: PageContext, m: ProgrammesMessages, report: MembersReport, chainName: (id: string | null) => string): HTMLElement {
  const { locale } = context;
  const { counts } = report;
  const row = (member: Member): HTMLTableRowElement =>
    el(
      'tr',
      { attrs: { 'data-organisation': member.organisationId, 'data-sme': member.smeStatus } },
      el('th', { attrs: { scope: 'row' } }, nameBesideId(member.name, member.organisationId)),
      el('td', {}, el('ul', { class: 'memberships' }, ...member.memberships.map((p) => el('li', { attrs: { 'data-from': p.from, 'data-until': p.until ?? '' } }, m.membershipLine(chainName(p.valueChainId), p.from, p.until))))),
      el('td', { attrs: { 'data-size-applies-from': member.sizeAppliesFrom ?? '' } }, m.smeWithDay(codeLabel(locale, 'smeStatus', member.smeStatus), member.sizeAppliesFrom)),
      el('td', {}, member.lastMemberDay),
    );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'members-heading' } },
    el('h2', { attrs: { id: 'members-heading' } }, m.membersHeading(report.from, report.to)),
    el(
      'p',
      { attrs: { 'data-testid': 'members-counts', 'data-organisations': String(counts.organisations), 'data-smes': String(counts.smes) } },
      m.membersCounts(formatInteger(counts.organisations, locale), formatInteger(counts.smes, locale), formatInteger(counts.notSmes, locale), formatInteger(counts.unknown, locale)),
    ),
    report.members.length === 0
      ? el('p', {}, m.noMembers)
      : el(
          'table',
          { attrs: { 'data-testid': 'members' } },
          el('caption', {}, m.membersHeading(report.from, report.to)),
          el('thead', {}, el('tr', {}, ...[m.organisation, m.memberships, m.smeStatus, m.lastMemberDay].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
          el('tbody', {}, ...report.members.map(row)),
        ),
  );
}
