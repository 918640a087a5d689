import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { formatBasisPoints, formatDateTime, formatTonnes } from '../../shared/format.js';
import { codeLabel, codesOf } from '../../shared/i18n/codes.js';
import { REGION_CHOICES } from './catalogue-places.js';
import { checkboxes, checkedOf, commandForm, ewcText, field, gradeText, input, InvalidInput, massText, placeText, savingText, select, valueOf, whyText } from './catalogue-describe.js';
import { noticeLine, OFFER_GRADES, requestCell, sectionNav } from './catalogue-entries.view.js';
import { endOfDay, placeFields, placeOf } from './catalogue-offering.view.js';
import { percentToBasisPoints, tonnesToGrams } from './catalogue-text.js';
import type { CatalogueMessages } from './catalogue.messages.js';
import type { SiteChoice, Want, WantMatches } from './catalogue.types.js';
import { liveMatches } from './live-matches.view.js';

const WANT_FIBRE_ROWS = 3;

function wantForm(context: PageContext, m: CatalogueMessages, sites: readonly SiteChoice[], done: (notice: string) => Promise<void>): HTMLFormElement {
  const { locale } = context;
  const fibreOptions: [string, string][] = [['', '—'], ...codesOf('fibre').map((f): [string, string] => [f, codeLabel(locale, 'fibre', f)])];
  return commandForm(
    m,
    'want-form',
    m.wantFormHeading,
    [
      field('want-title', m.wantTitle, input('want-title', { required: '', maxlength: '200' })),
      el(
        'fieldset',
        { class: 'catalogue-choices' },
        el('legend', {}, m.fibres),
        ...Array.from({ length: WANT_FIBRE_ROWS }, (_, i) =>
          el(
            'div',
            { class: 'catalogue-pair' },
            field(`want-fibre-${i + 1}`, m.fibreOf(i + 1), select(`want-fibre-${i + 1}`, fibreOptions)),
            field(`want-share-${i + 1}`, m.minShareOf(i + 1), input(`want-share-${i + 1}`, { inputmode: 'decimal' })),
          ),
        ),
      ),
      checkboxes('want-grades', m.grades, OFFER_GRADES.map((g): [string, string] => [g, gradeText(m, locale, g)])),
      checkboxes('want-ewc', m.ewcCodes, codesOf('ewcCode').map((c): [string, string] => [c, ewcText(m, locale, c)])),
      field('want-min', m.minTonnes, input('want-min', { inputmode: 'decimal', required: '' })),
      field('want-max', `${m.maxTonnes} (${m.optional})`, input('want-max', { inputmode: 'decimal' })),
      ...placeFields(m, 'want', sites, context.viewer?.kommuneCode ?? null),
      field('want-region', m.regionWanted, select('want-region', [['', m.anywhere], ...REGION_CHOICES])),
      field('want-by', `${m.neededBy} (${m.optional})`, input('want-by', { type: 'date' })),
    ],
    m.submitWant,
    async (f) => {
      const title = valueOf(f, 'want-title');
      if (!title) throw new InvalidInput(m.invalid.title);
      const fibres: { fibre: string; minShare: number }[] = [];
      for (let row = 1; row <= WANT_FIBRE_ROWS; row += 1) {
        const fibre = valueOf(f, `want-fibre-${row}`);
        const text = valueOf(f, `want-share-${row}`);
        if (!fibre && !text) continue;
        const minShare = text === '' ? 1 : percentToBasisPoints(text);
        if (!fibre || minShare === undefined || minShare === 0) throw new InvalidInput(m.invalid.share);
        fibres.push({ fibre, minShare });
      }
      const minGrams = tonnesToGrams(valueOf(f, 'want-min'), locale);
      const maxText = valueOf(f, 'want-max');
      const maxGrams = maxText === '' ? undefined : tonnesToGrams(maxText, locale);
      if (minGrams === undefined || minGrams === 0 || (maxText !== '' && (maxGrams === undefined || maxGrams < minGrams))) throw new InvalidInput(m.invalid.range);
      const region = valueOf(f, 'want-region');
      const neededBy = endOfDay(valueOf(f, 'want-by'));
      await context.api.postJson('/catalogue/wants', {
        title,
        fibres,
        grades: checkedOf(f, 'want-grades'),
        ewcCodes: checkedOf(f, 'want-ewc'),
        minGrams,
        ...(maxGrams !== undefined ? { maxGrams } : {}),
        place: placeOf(m, f, 'want'),
        ...(region ? { region } : {}),
        ...(neededBy ? { neededBy } : {}),
      });
      return m.wantPublished(title);
    },
    done,
  );
}

function wantSummary(context: PageContext, m: CatalogueMessages, want: Want): string {
  const { locale } = context;
  const fibres = want.fibres.length === 0 ? m.anyFibre : want.fibres.map((f) => `${codeLabel(locale, 'fibre', f.fibre)} ≥ ${formatBasisPoints(f.minShare, locale)}`).join(', ');
  const grades = want.grades.length === 0 ? m.anyGrade : want.grades.map((g) => gradeText(m, locale, g)).join(', ');
  const ewc = want.ewcCodes.length === 0 ? m.anyEwc : want.ewcCodes.map((c) => ewcText(m, locale, c)).join(', ');
  const mass = m.massRange(formatTonnes(want.minGrams, locale), want.maxGrams === null ? null : formatTonnes(want.maxGrams, locale));
  const place = want.region ? `${placeText(m, want.location)} (${m.regionWanted.toLocaleLowerCase(locale)}: ${want.region})` : placeText(m, want.location);
  return [fibres, grades, ewc, m.wantSummary(mass, place), want.neededBy ? `${m.neededBy}: ${formatDateTime(want.neededBy, locale)}` : null].filter(Boolean).join(' · ');
}

/** One own want: what it asks for, the offers that fit it ranked with why and what a trade would save, and withdrawal. */
async function ownWant(context: PageContext, m: CatalogueMessages, want: Want, done: (notice: string) => Promise<void>): Promise<HTMLElement> {
  const { locale } = context;
  const open = want.state === 'open';
  // Only an open want is matched or withdrawn; the others are listed for the record.
  const { matches } = open ? await context.api.getJson<WantMatches>(path`/catalogue/wants/${want.wantId}/matches`) : { matches: [] };
  const headingId = `own-want-${want.wantId}`;
  const rows = matches.map((match, index) =>
    el(
      'tr',
      { attrs: { 'data-offer': match.offer.offerId, 'data-score': String(match.score.total), 'data-co2e': match.co2e.tCo2e ?? '' } },
      el('td', { class: 'number' }, String(index + 1)),
      el('th', { attrs: { scope: 'row' } }, match.offer.title, el('span', { class: 'entry-kind' }, match.offer.holder ? (match.offer.holder.name ?? match.offer.holder.organisationId) : m.nameHidden)),
      el('td', { attrs: { 'data-testid': 'match-mass' } }, massText(m, locale, match.offer.mass, match.offer.period)),
      el('td', { attrs: { 'data-testid': 'match-place' } }, placeText(m, match.offer.location)),
      el('td', { attrs: { 'data-testid': 'match-why' } }, whyText(m, match.score)),
      el('td', { attrs: { 'data-testid': 'match-saving' } }, savingText(m, locale, match.co2e)),
      el('td', {}, requestCell(context, m, match.offer, done)),
    ),
  );
  const withdraw = open
    ? commandForm(
        m,
        `withdraw-want-${want.wantId}`,
        null,
        [],
        m.withdrawWant,
        async () => {
          await context.api.postJson(path`/catalogue/wants/${want.wantId}/withdraw`, {});
          return m.wantWithdrawn(want.title);
        },
        done,
        'catalogue-inline-form',
      )
    : null;
  return el(
    'section',
    { class: 'catalogue-entry', attrs: { 'aria-labelledby': headingId, 'data-own-want': want.wantId, 'data-state': want.state } },
    el('h3', { attrs: { id: headingId } }, want.title, el('span', { class: 'entry-kind' }, ` · ${m.states[want.state] ?? want.state}`)),
    el('p', { attrs: { 'data-testid': 'want-summary' } }, wantSummary(context, m, want)),
    !open
      ? el('p', {}, m.notOpen)
      : matches.length === 0
        ? el('p', {}, m.noMatches)
        : el(
            'table',
            { class: 'catalogue-table', attrs: { 'data-testid': `want-matches-${want.wantId}` } },
            el('caption', {}, m.matchesFor(want.title)),
            el('thead', {}, el('tr', {}, ...[m.rank, m.offer, m.mass, m.place, m.why, m.saving, m.actions].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
            el('tbody', {}, ...rows),
          ),
    withdraw,
  );
}

/** `#/catalogue/wants`: the want form, the organisation's wants (the open ones with their ranked offers), and new matches as they appear. */
export async function wantingView(context: PageContext, m: CatalogueMessages, main: HTMLElement, notice?: string): Promise<void> {
  const { api } = context;
  const me = context.viewer?.organisationId;
  const [wants, sites] = await Promise.all([
    api.getJson<{ wants: readonly Want[] }>('/catalogue/wants?mine=true&limit=500'),
    me ? api.getJson<{ sites: readonly SiteChoice[] }>(path`/organisations/${me}/sites`).catch(() => ({ sites: [] })) : Promise.resolve({ sites: [] }),
  ]);
  const mine = wants.wants;
  const again = (next: string) => wantingView(context, m, main, next);
  const entries = await Promise.all(mine.map((want) => ownWant(context, m, want, again)));
  show(
    main,
    el('h1', {}, m.wantsHeading),
    sectionNav(m, 'wants'),
    noticeLine(m, notice),
    wantForm(context, m, sites.sites, again),
    liveMatches(context, m, 'want'),
    el('h2', {}, m.ownWants),
    mine.length === 0 ? el('p', {}, m.noWants) : el('div', { attrs: { 'data-testid': 'own-wants' } }, ...entries),
  );
}
