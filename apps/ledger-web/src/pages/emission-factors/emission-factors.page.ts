import { ApiError } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import type { Locale } from '../../shared/format.js';
import { EMISSION_FACTORS_MESSAGES, type EmissionFactorsMessages } from './emission-factors.messages.js';
import type { EmissionFactorSet, EmissionFactorSetList } from './emission-factors.types.js';

/** The routes the form offers; the API accepts these (docs/decisions/042-emission-factors-as-data.md). */
const FORM_ROUTES = ['recycling', 'reuse'] as const;

/**
 * The decimal string exactly as published, with the locale's decimal mark only: never parsed into a
 * float, so "10.0" stays "10,0" and no digit is lost or invented.
 */
export function formatFactor(decimal: string, locale: Locale): string {
  return locale === 'da' ? decimal.replace('.', ',') : decimal;
}

/**
 * `#/emission-factors`: every published set with its factors and sources, which set is in force
 * today, and for the operator a form to publish a new set. Every figure is the API's text.
 */
export async function emissionFactorsPage(context: PageContext, main: HTMLElement): Promise<void> {
  const m = EMISSION_FACTORS_MESSAGES[context.locale];
  const list = await context.api.getJson<EmissionFactorSetList>('/emission-factors');
  const viewerRoles = context.organisations.all.find((o) => o.organisationId === context.viewer?.organisationId)?.roles ?? [];
  show(
    main,
    el('h1', {}, m.title),
    el('p', {}, m.intro),
    el('p', { attrs: { 'data-testid': 'factor-set-in-force' } }, list.inForceToday ? m.inForceToday(list.inForceToday) : m.noneInForce),
    list.sets.length === 0 ? el('p', {}, m.none) : null,
    ...list.sets.map((set) => setSection(m, context.locale, set, set.factorSetId === list.inForceToday)),
    viewerRoles.includes('operator') ? publishForm(context, m, main) : null,
  );
}

function setSection(m: EmissionFactorsMessages, locale: Locale, set: EmissionFactorSet, inForce: boolean): HTMLElement {
  const headingId = `factor-set-${set.factorSetId}`;
  return el(
    'section',
    { class: inForce ? 'factor-set in-force' : 'factor-set', attrs: { 'aria-labelledby': headingId, 'data-factor-set': set.factorSetId } },
    el('h2', { attrs: { id: headingId } }, `${set.factorSetId} — ${m.validFrom(set.validFrom)}`, inForce ? el('span', { class: 'badge' }, ` ${m.inForceBadge}`) : null),
    el(
      'table',
      { class: 'factor-table', attrs: { 'aria-labelledby': headingId } },
      el('thead', {}, el('tr', {}, ...[m.route, m.factor, m.baseline, m.source, m.note].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
      el(
        'tbody',
        {},
        ...set.factors.map((f) =>
          el(
            'tr',
            { attrs: { 'data-route': f.route } },
            el('th', { attrs: { scope: 'row' } }, m.routes[f.route] ?? f.route),
            el('td', { class: 'number', attrs: { 'data-factor': f.kgCo2eAvoidedPerKg ?? '' } }, f.kgCo2eAvoidedPerKg === null ? m.unknown : formatFactor(f.kgCo2eAvoidedPerKg, locale)),
            el('td', {}, f.baseline),
            el('td', {}, f.source),
            el('td', {}, f.note),
          ),
        ),
      ),
    ),
  );
}

function field(id: string, label: string, attrs: Record<string, string> = {}): HTMLElement {
  return el('div', { class: 'factor-field' }, el('label', { attrs: { for: id } }, label), el('input', { attrs: { id, name: id, type: 'text', ...attrs } }));
}

function publishForm(context: PageContext, m: EmissionFactorsMessages, main: HTMLElement): HTMLElement {
  const status = el('p', { attrs: { role: 'status', 'data-testid': 'factor-form-status' } });
  const form = el(
    'form',
    { class: 'factor-form', attrs: { 'aria-labelledby': 'publish-factor-set', novalidate: '' } },
    el('h2', { attrs: { id: 'publish-factor-set' } }, m.publishHeading),
    field('factor-set-id', m.setId, { required: '', pattern: '[a-z0-9]+(-[a-z0-9]+)*' }),
    field('factor-valid-from', m.validFromLabel, { required: '', type: 'date' }),
    ...FORM_ROUTES.flatMap((route) => [
      field(`factor-${route}`, m.factorFor(m.routes[route] ?? route), { inputmode: 'decimal', 'aria-describedby': 'factor-hint' }),
      field(`factor-${route}-source`, m.sourceFor(m.routes[route] ?? route), { required: '' }),
    ]),
    el('p', { class: 'hint', attrs: { id: 'factor-hint' } }, m.factorHint),
    el('button', { attrs: { type: 'submit' } }, m.publish),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = (id: string): string => (form.querySelector<HTMLInputElement>(`#${id}`)?.value ?? '').trim();
    const factorSetId = value('factor-set-id');
    const body = {
      factorSetId,
      validFrom: value('factor-valid-from'),
      // The text as typed (a Danish comma becomes the point): the API keeps it as a decimal string.
      factors: FORM_ROUTES.map((route) => ({
        route,
        kgCo2eAvoidedPerKg: value(`factor-${route}`) === '' ? null : value(`factor-${route}`).replace(',', '.'),
        baseline: 'incineration',
        source: value(`factor-${route}-source`),
      })),
    };
    void context.api
      .postJson('/emission-factors', body)
      .then(async () => {
        await emissionFactorsPage(context, main);
        const after = main.querySelector<HTMLElement>('[data-testid="factor-form-status"]');
        if (after) after.textContent = m.published(factorSetId);
      })
      .catch((error: unknown) => {
        status.setAttribute('role', 'alert');
        status.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
      });
  });
  return form;
}
