import { path } from '../../shared/api-client.js';
import type { PageContext } from '../../shared/context.js';
import { el, show } from '../../shared/dom.js';
import { copenhagenStartOfDay, formatTonnes } from '../../shared/format.js';
import { codeLabel, codesOf } from '../../shared/i18n/codes.js';
import { kommuneLabel } from '../../shared/kommuner.js';
import { hrefOf } from '../../shared/router.js';
import { KOMMUNE_CHOICES } from './catalogue-places.js';
import { checkboxes, checkedOf, commandForm, ewcText, field, gradeText, input, InvalidInput, massText, placeText, radios, savingText, select, valueOf, whyText } from './catalogue-describe.js';
import { nextDay, percentToBasisPoints, tonnesToGrams } from './catalogue-text.js';
import { noticeLine, offerRow, offerTable, OFFER_GRADES, sectionNav } from './catalogue-entries.view.js';
import type { CatalogueMessages } from './catalogue.messages.js';
import type { BatchChoice, Offer, OfferMatches, ProgrammeChoice, SiteChoice, Visibility } from './catalogue.types.js';
import { liveMatches } from './live-matches.view.js';

const FIBRE_ROWS = 3;

/** The place fields: one of the organisation's open sites, or a kommune. */
export function placeFields(m: CatalogueMessages, prefix: string, sites: readonly SiteChoice[], kommuneCode: string | null): HTMLElement[] {
  return [
    field(`${prefix}-site`, m.site, select(`${prefix}-site`, [['', m.noSite], ...sites.filter((s) => s.open).map((s): [string, string] => [s.siteId, `${s.name} (${kommuneLabel(s.kommuneCode)})`])])),
    field(`${prefix}-kommune`, m.kommuneIfNoSite, select(`${prefix}-kommune`, [['', '—'], ...KOMMUNE_CHOICES], kommuneCode ?? '')),
  ];
}

export function placeOf(m: CatalogueMessages, form: HTMLElement, prefix: string): { siteId: string } | { kommuneCode: string } {
  const siteId = valueOf(form, `${prefix}-site`);
  const kommuneCode = valueOf(form, `${prefix}-kommune`);
  if (siteId) return { siteId };
  if (kommuneCode) return { kommuneCode };
  throw new InvalidInput(m.invalid.place);
}

/** The end of a chosen Copenhagen day (the instant the next one starts), for "until and including". */
export function endOfDay(day: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? copenhagenStartOfDay(nextDay(day)) : undefined;
}

function audienceFields(context: PageContext, m: CatalogueMessages, programmes: readonly ProgrammeChoice[]): HTMLElement[] {
  const me = context.viewer?.organisationId;
  const programmeOptions = programmes.flatMap((p): [string, string][] => [[p.programmeId, m.wholeProgramme(p.name)], ...p.valueChains.map((c): [string, string] => [`${p.programmeId}/${c.valueChainId}`, m.valueChainOf(c.name, p.name)])]);
  const others = context.organisations.all.filter((o) => o.organisationId !== me).map((o): [string, string] => [o.organisationId, o.name]).sort(([, a], [, b]) => a.localeCompare(b, 'da'));
  return [
    radios('offer-audience', m.audience, [
      ['everyone', m.audienceEveryone],
      ['programme', m.audienceProgramme],
      ['organisations', m.audienceOrganisations],
    ]),
    el('div', { class: 'audience-programme', attrs: { hidden: '' } }, field('offer-programme', m.programme, select('offer-programme', programmeOptions.length > 0 ? programmeOptions : [['', m.noProgrammes]]))),
    el('div', { class: 'audience-organisations', attrs: { hidden: '' } }, checkboxes('offer-organisations', m.organisations, others)),
    el(
      'fieldset',
      { class: 'catalogue-choices' },
      el('legend', {}, m.disclosure),
      el('label', {}, el('input', { attrs: { type: 'checkbox', id: 'offer-disclose-name', name: 'offer-disclose-name', checked: '' } }), ` ${m.discloseName}`),
      radios('offer-disclose-mass', m.discloseMass, [
        ['exact', m.massExact],
        ['band', m.massBand],
      ]),
      radios(
        'offer-disclose-location',
        m.discloseLocation,
        [
          ['site', m.locationSite],
          ['kommune', m.locationKommune],
          ['region', m.locationRegion],
        ],
        'kommune',
      ),
    ),
  ];
}

function visibilityOf(m: CatalogueMessages, form: HTMLElement): Visibility {
  const chosen = (name: string): string => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '';
  const kind = chosen('offer-audience');
  let audience: Visibility['audience'] = { kind: 'everyone' };
  if (kind === 'programme') {
    const [programmeId, valueChainId] = valueOf(form, 'offer-programme').split('/');
    if (!programmeId) throw new InvalidInput(m.invalid.audience);
    audience = { kind: 'programme', programmeId, ...(valueChainId ? { valueChainId } : {}) };
  } else if (kind === 'organisations') {
    const organisationIds = checkedOf(form, 'offer-organisations');
    if (organisationIds.length === 0) throw new InvalidInput(m.invalid.audience);
    audience = { kind: 'organisations', organisationIds };
  }
  return {
    audience,
    disclosure: {
      name: form.querySelector<HTMLInputElement>('#offer-disclose-name')?.checked ?? true,
      mass: chosen('offer-disclose-mass') === 'band' ? 'band' : 'exact',
      location: (['site', 'kommune', 'region'] as const).find((l) => l === chosen('offer-disclose-location')) ?? 'kommune',
    },
  };
}

/** The stream's composition from the fibre rows; the shares must make the whole, each fibre once. */
function compositionOf(m: CatalogueMessages, form: HTMLElement): { fibre: string; share: number }[] {
  const parts: { fibre: string; share: number }[] = [];
  for (let row = 1; row <= FIBRE_ROWS; row += 1) {
    const fibre = valueOf(form, `stream-fibre-${row}`);
    const text = valueOf(form, `stream-share-${row}`);
    if (!fibre && !text) continue;
    const share = percentToBasisPoints(text);
    if (!fibre || share === undefined || share === 0) throw new InvalidInput(m.invalid.composition);
    parts.push({ fibre, share });
  }
  if (parts.length === 0 || parts.reduce((sum, p) => sum + p.share, 0) !== 10_000 || new Set(parts.map((p) => p.fibre)).size !== parts.length) throw new InvalidInput(m.invalid.composition);
  return parts;
}

function offerForm(context: PageContext, m: CatalogueMessages, batches: readonly BatchChoice[], sites: readonly SiteChoice[], programmes: readonly ProgrammeChoice[], done: (notice: string) => Promise<void>): HTMLFormElement {
  const { locale } = context;
  const fibreOptions: [string, string][] = [['', '—'], ...codesOf('fibre').map((f): [string, string] => [f, codeLabel(locale, 'fibre', f)])];
  const batchSelect = select('offer-batch', [['', batches.length === 0 ? m.noBatches : m.chooseBatch], ...batches.map((b): [string, string] => [b.batchId, m.batchOption(b.productType ?? gradeText(m, locale, b.grade), formatTonnes(b.massGrams, locale), b.batchId)])]);
  const ewcSelect = select('offer-ewc', codesOf('ewcCode').map((c): [string, string] => [c, ewcText(m, locale, c)]));
  // The batch's own waste code is the likely one: chosen with the batch, still the holder's to change.
  batchSelect.addEventListener('change', () => {
    const code = batches.find((b) => b.batchId === batchSelect.value)?.ewcCode;
    if (code) ewcSelect.value = code;
  });
  const form: HTMLFormElement = commandForm(
    m,
    'offer-form',
    m.offerFormHeading,
    [
      radios('offer-kind', m.offerKind, [
        ['batch', m.offerBatch],
        ['stream', m.offerStream],
      ]),
      el('div', { class: 'offer-batch-only' }, field('offer-batch', m.batch, batchSelect)),
      field('offer-title', m.offerTitle, input('offer-title', { required: '', maxlength: '200' })),
      field('offer-ewc', m.ewc, ewcSelect),
      el(
        'div',
        { class: 'offer-stream-only', attrs: { hidden: '' } },
        field('stream-grade', m.streamGrade, select('stream-grade', OFFER_GRADES.map((g): [string, string] => [g, gradeText(m, locale, g)]), 'unsorted')),
        el(
          'fieldset',
          { class: 'catalogue-choices' },
          el('legend', {}, m.streamComposition),
          ...Array.from({ length: FIBRE_ROWS }, (_, i) =>
            el(
              'div',
              { class: 'catalogue-pair' },
              field(`stream-fibre-${i + 1}`, m.fibreOf(i + 1), select(`stream-fibre-${i + 1}`, fibreOptions)),
              field(`stream-share-${i + 1}`, m.share, input(`stream-share-${i + 1}`, { inputmode: 'decimal' })),
            ),
          ),
        ),
        field('stream-period', m.period, select('stream-period', Object.entries(m.periods), 'month')),
        field('stream-mass', m.massPerPeriod, input('stream-mass', { inputmode: 'decimal' })),
      ),
      ...placeFields(m, 'offer', sites, context.viewer?.kommuneCode ?? null),
      field('offer-until', `${m.availableUntil} (${m.optional})`, input('offer-until', { type: 'date' })),
      field('offer-terms', `${m.terms} (${m.optional})`, input('offer-terms', { maxlength: '1000' })),
      ...audienceFields(context, m, programmes),
    ],
    m.submitOffer,
    async (f) => {
      const stream = f.querySelector<HTMLInputElement>('input[name="offer-kind"]:checked')?.value === 'stream';
      const title = valueOf(f, 'offer-title');
      if (!title) throw new InvalidInput(m.invalid.title);
      const until = endOfDay(valueOf(f, 'offer-until'));
      const terms = valueOf(f, 'offer-terms');
      const common = { title, ewcCode: valueOf(f, 'offer-ewc'), place: placeOf(m, f, 'offer'), ...(until ? { availableUntil: until } : {}), ...(terms ? { terms } : {}), visibility: visibilityOf(m, f) };
      if (stream) {
        const massGramsPerPeriod = tonnesToGrams(valueOf(f, 'stream-mass'), locale);
        if (massGramsPerPeriod === undefined || massGramsPerPeriod === 0) throw new InvalidInput(m.invalid.mass);
        await context.api.postJson('/catalogue/stream-offers', { ...common, grade: valueOf(f, 'stream-grade'), composition: compositionOf(m, f), period: valueOf(f, 'stream-period'), massGramsPerPeriod });
      } else {
        const batchId = valueOf(f, 'offer-batch');
        if (!batchId) throw new InvalidInput(m.invalid.batch);
        await context.api.postJson('/catalogue/offers', { batchId, ...common });
      }
      return m.offered(title);
    },
    done,
  );
  // Only the fields of the chosen kind are shown: a batch brings its own grade, composition and mass.
  form.querySelectorAll<HTMLInputElement>('input[name="offer-kind"]').forEach((radio) =>
    radio.addEventListener('change', () => {
      const stream = radio.value === 'stream' && radio.checked;
      form.querySelector('.offer-batch-only')?.toggleAttribute('hidden', stream);
      form.querySelector('.offer-stream-only')?.toggleAttribute('hidden', !stream);
    }),
  );
  form.querySelectorAll<HTMLInputElement>('input[name="offer-audience"]').forEach((radio) =>
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      form.querySelector('.audience-programme')?.toggleAttribute('hidden', radio.value !== 'programme');
      form.querySelector('.audience-organisations')?.toggleAttribute('hidden', radio.value !== 'organisations');
    }),
  );
  return form;
}

function audienceText(context: PageContext, m: CatalogueMessages, visibility: Visibility, programmes: readonly ProgrammeChoice[]): string {
  const a = visibility.audience;
  const programme = a.kind === 'programme' ? programmes.find((p) => p.programmeId === a.programmeId) : undefined;
  const chain = a.kind === 'programme' && a.valueChainId ? programme?.valueChains.find((c) => c.valueChainId === a.valueChainId) : undefined;
  const who =
    a.kind === 'everyone'
      ? m.audienceEveryone
      : a.kind === 'programme'
        ? chain && programme
          ? m.valueChainOf(chain.name, programme.name)
          : m.wholeProgramme(programme?.name ?? a.programmeId)
        : a.organisationIds.map((id) => context.organisations.nameOf(id)).join(', ');
  const d = visibility.disclosure;
  const lower = (text: string) => text.toLocaleLowerCase(context.locale);
  return m.audienceText(who, d.name, lower(d.mass === 'band' ? m.massBand : m.massExact), lower(d.location === 'site' ? m.locationSite : d.location === 'kommune' ? m.locationKommune : m.locationRegion));
}

/** One own offer: its facts as the holder sees them, who sees how much, the wants it fits, and withdrawal. */
async function ownOffer(context: PageContext, m: CatalogueMessages, offer: Offer, programmes: readonly ProgrammeChoice[], done: (notice: string) => Promise<void>): Promise<HTMLElement> {
  const { locale } = context;
  const open = offer.state === 'open';
  // Only an open offer is matched or withdrawn; the others are listed for the record.
  const { matches } = open ? await context.api.getJson<OfferMatches>(path`/catalogue/offers/${offer.offerId}/matches`) : { matches: [] };
  const withdraw = open
    ? commandForm(
        m,
        `withdraw-${offer.offerId}`,
        null,
        [field(`withdraw-reason-${offer.offerId}`, `${m.withdrawReason} (${m.optional})`, input(`withdraw-reason-${offer.offerId}`, { maxlength: '1000' }))],
        m.withdraw,
        async (f) => {
          const reason = valueOf(f, `withdraw-reason-${offer.offerId}`);
          await context.api.postJson(path`/catalogue/offers/${offer.offerId}/withdraw`, reason ? { reason } : {});
          return m.withdrawn(offer.title);
        },
        done,
        'catalogue-inline-form',
      )
    : null;
  const fitting = matches.map((match) =>
    el(
      'li',
      { attrs: { 'data-want': match.want.wantId, 'data-score': String(match.score.total) } },
      el('strong', {}, match.want.title),
      ` · ${match.want.buyer ? (match.want.buyer.name ?? match.want.buyer.organisationId) : m.nameHidden} · ${placeText(m, match.want.location)}`,
      el('span', { class: 'why' }, `${m.why}: ${whyText(m, match.score)}`),
      el('span', { class: 'saving' }, `${m.saving}: ${savingText(m, locale, match.co2e)}`),
    ),
  );
  const headingId = `own-offer-${offer.offerId}`;
  return el(
    'section',
    { class: 'catalogue-entry', attrs: { 'aria-labelledby': headingId, 'data-own-offer': offer.offerId, 'data-state': offer.state } },
    el('h3', { attrs: { id: headingId } }, offer.title),
    offerTable(m, `own-offer-facts-${offer.offerId}`, offer.title, [offerRow(context, m, offer, null)], false),
    offer.visibility ? el('p', { attrs: { 'data-testid': 'offer-visibility' } }, `${m.shownTo}: ${audienceText(context, m, offer.visibility, programmes)}`) : null,
    offer.reservedFor
      ? el('p', { attrs: { 'data-testid': 'offer-reserved' } }, `${m.reservedForDeal} `, el('a', { attrs: { href: hrefOf({ page: 'catalogue-deal', dealId: offer.reservedFor }), 'data-deal': offer.reservedFor } }, m.openDeal))
      : null,
    open ? el('h4', {}, m.fitsWants) : el('p', {}, m.notOpen),
    open && fitting.length === 0 ? el('p', {}, m.noFittingWants) : null,
    fitting.length > 0 ? el('ol', { class: 'catalogue-matches', attrs: { 'data-testid': `offer-matches-${offer.offerId}` } }, ...fitting) : null,
    withdraw,
  );
}

/** `#/catalogue/mine`: the offering form, the organisation's offers in every state (the open ones with the wants they fit), and new matches as they appear. */
export async function offeringView(context: PageContext, m: CatalogueMessages, main: HTMLElement, notice?: string): Promise<void> {
  const { api } = context;
  const me = context.viewer?.organisationId;
  const [offers, batches, sites, programmes] = await Promise.all([
    api.getJson<{ offers: readonly Offer[] }>('/catalogue/offers?mine=true&limit=500'),
    me ? api.getJson<{ items: readonly BatchChoice[] }>(`/batches?custodianOrgId=${encodeURIComponent(me)}&status=available&limit=200`) : Promise.resolve({ items: [] }),
    me ? api.getJson<{ sites: readonly SiteChoice[] }>(path`/organisations/${me}/sites`).catch(() => ({ sites: [] })) : Promise.resolve({ sites: [] }),
    api.getJson<{ programmes: readonly ProgrammeChoice[] }>('/programmes').catch(() => ({ programmes: [] })),
  ]);
  const mine = offers.offers;
  const again = (next: string) => offeringView(context, m, main, next);
  const entries = await Promise.all(mine.map((offer) => ownOffer(context, m, offer, programmes.programmes, again)));
  show(
    main,
    el('h1', {}, m.mineHeading),
    sectionNav(m, 'mine'),
    el('p', {}, m.mineIntro),
    noticeLine(m, notice),
    offerForm(context, m, batches.items.filter((b) => b.status === 'available'), sites.sites, programmes.programmes, again),
    liveMatches(context, m, 'offer'),
    el('h2', {}, m.mineListHeading),
    mine.length === 0 ? el('p', {}, m.noMine) : el('div', { attrs: { 'data-testid': 'own-offers' } }, ...entries),
  );
}


