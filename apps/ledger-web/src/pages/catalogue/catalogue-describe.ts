import { ApiError } from '../../shared/api-client.js';
import { el } from '../../shared/dom.js';
import { formatBasisPoints, formatTonnes, type Locale } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { kommuneLabel } from '../../shared/kommuner.js';
import { decimalText } from '../programmes/decimal-text.js';
import type { CatalogueMessages } from './catalogue.messages.js';
import type { Co2e, FibreShare, LocationView, MassView, Score } from './catalogue.types.js';

/**
 * An entry's facts in words, showing only what the answer discloses: a band where the holder
 * shows a band, the kommune or region where it shows no site, "not disclosed" where it hides its name.
 */
export function massText(m: CatalogueMessages, locale: Locale, mass: MassView, period: string | null): string {
  const shown =
    mass.kind === 'exact' ? formatTonnes(mass.grams, locale) : mass.maxGrams === null ? m.bandOpen(formatTonnes(mass.minGrams, locale)) : m.band(formatTonnes(mass.minGrams, locale), formatTonnes(mass.maxGrams, locale));
  return period === null ? shown : m.perPeriod(shown, m.periods[period] ?? period);
}

export function placeText(m: CatalogueMessages, location: LocationView): string {
  if (location.precision !== 'region' && location.kommuneCode !== null) {
    const kommune = kommuneLabel(location.kommuneCode);
    // Seen in full, an entry placed by kommune alone has no site to speak of.
    return location.precision === 'site' && location.siteId !== null ? m.atSite(kommune) : m.kommuneOnly(kommune);
  }
  return location.region !== null ? m.regionOnly(location.region) : m.unknownPlace;
}

export function compositionText(locale: Locale, composition: readonly FibreShare[]): string {
  return composition.map((part) => `${formatBasisPoints(part.share, locale)} ${codeLabel(locale, 'fibre', part.fibre).toLocaleLowerCase(locale)}`).join(', ');
}

/**
 * A grade in words. "unsorted" (a residual not yet sorted) is not one of the shared grade codes,
 * whose pages show it as written, so the catalogue names it itself.
 */
export function gradeText(m: CatalogueMessages, locale: Locale, grade: string): string {
  return grade === 'unsorted' ? m.unsorted : codeLabel(locale, 'grade', grade);
}

export function ewcText(m: CatalogueMessages, locale: Locale, code: string): string {
  const name = codeLabel(locale, 'ewcCode', code);
  return name === code ? code : m.ewcNamed(code, name);
}

/** The score's parts, so a reader sees why a match ranks where it does. */
export function whyText(m: CatalogueMessages, score: Score): string {
  const { fibre, grade, ewc, mass, distance } = score.parts;
  return `${m.parts(fibre, grade, ewc, mass, distance)} (${m.distance(score.distanceBasis, score.distanceKm)}) = ${m.points(score.total)}`;
}

/** The t CO2e a trade would save; an unknown factor is written "unknown", never 0. */
export function savingText(m: CatalogueMessages, locale: Locale, co2e: Co2e): string {
  const route = m.routes[co2e.route] ?? co2e.route;
  return co2e.tCo2e === null ? m.savingUnknown(route) : m.savingText(decimalText(co2e.tCo2e, locale), co2e.basis === 'band-minimum', route, co2e.factorSetId);
}

/** A refusal in words: the page's own words for the ledger's codes, else the API's detail. */
export function refusalText(m: CatalogueMessages, error: unknown): string {
  if (error instanceof ApiError) return m.refused((error.code !== undefined ? m.refusals[error.code] : undefined) ?? error.message);
  return m.refused(error instanceof Error ? error.message : String(error));
}

export function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return el('div', { class: 'catalogue-field' }, el('label', { attrs: { for: id } }, label), control, hint ? el('span', { class: 'hint' }, hint) : null);
}

export function input(id: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return el('input', { attrs: { id, name: id, type: 'text', ...attrs } });
}

export function select(id: string, options: readonly (readonly [value: string, label: string])[], selected?: string): HTMLSelectElement {
  return el('select', { attrs: { id, name: id } }, ...options.map(([value, label]) => el('option', { attrs: { value, ...(value === selected ? { selected: '' } : {}) } }, label)));
}

/** Radio buttons in a fieldset with a legend; the first is chosen unless `checked` names another. */
export function radios(name: string, legend: string, options: readonly (readonly [value: string, label: string])[], checked?: string): HTMLFieldSetElement {
  return el(
    'fieldset',
    { class: 'catalogue-choices' },
    el('legend', {}, legend),
    ...options.map(([value, label], index) =>
      el(
        'label',
        {},
        el('input', { attrs: { type: 'radio', name, value, id: `${name}-${value}`, ...((checked === undefined ? index === 0 : value === checked) ? { checked: '' } : {}) } }),
        ` ${label}`,
      ),
    ),
  );
}

/** Checkboxes in a fieldset with a legend. */
export function checkboxes(name: string, legend: string, options: readonly (readonly [value: string, label: string])[]): HTMLFieldSetElement {
  return el(
    'fieldset',
    { class: 'catalogue-choices' },
    el('legend', {}, legend),
    ...options.map(([value, label]) => el('label', {}, el('input', { attrs: { type: 'checkbox', name, value, id: `${name}-${value.replace(/\W+/g, '-')}` } }), ` ${label}`)),
  );
}

export const valueOf = (form: HTMLElement, id: string): string => (form.querySelector<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(`#${id}`)?.value ?? '').trim();
export const checkedOf = (form: HTMLElement, name: string): string[] => [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((box) => box.value);

/**
 * A form that sends one command. Its own check comes first (a message beside the form, nothing
 * sent); then the ledger's refusal in words, or the page shown again with the notice.
 */
export function commandForm(
  m: CatalogueMessages,
  id: string,
  heading: string | null,
  controls: readonly (HTMLElement | null)[],
  submit: string,
  send: (form: HTMLFormElement) => Promise<string> | string,
  done: (notice: string) => Promise<void>,
  className = 'catalogue-form',
): HTMLFormElement {
  const status = el('p', { class: 'form-status', attrs: { role: 'status', 'data-testid': `${id}-status` } });
  const form = el(
    'form',
    { class: className, attrs: { ...(heading ? { 'aria-labelledby': `${id}-heading` } : { 'aria-label': submit }), novalidate: '', 'data-testid': id } },
    heading ? el('h3', { attrs: { id: `${id}-heading` } }, heading) : null,
    ...controls,
    el('button', { attrs: { type: 'submit' } }, submit),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.setAttribute('role', 'status');
    status.textContent = '';
    Promise.resolve()
      .then(() => send(form))
      .then(
        (notice) => done(notice),
        (error: unknown) => {
          status.setAttribute('role', 'alert');
          status.textContent = error instanceof InvalidInput ? error.message : refusalText(m, error);
        },
      );
  });
  return form;
}

/** The form's own check failed: said in words beside the form, nothing sent. */
export class InvalidInput extends Error {}
