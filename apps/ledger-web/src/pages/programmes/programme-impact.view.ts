import type { PageContext } from '../../shared/context.js';
import { el } from '../../shared/dom.js';
import { formatInteger, type Locale } from '../../shared/format.js';
import { codeLabel } from '../../shared/i18n/codes.js';
import { kommuneLabel } from '../../shared/kommuner.js';
import { decimalText, gramsAsTonnes } from './decimal-text.js';
import type { ProgrammesMessages } from './programmes.messages.js';
import type { FactorSetRef, ProgrammeImpact, RouteUnderSet, SymbiosisFigures } from './programmes.types.js';

/** A name with its id beside it, so two organisations of one name are told apart. */
export function nameBesideId(name: string | null, id: string): HTMLElement {
  return el('span', { class: 'name-with-id' }, name ?? id, name ? el('code', { class: 'org-id' }, id) : null);
}

function headedTable(testId: string, caption: string, headers: readonly string[], rows: readonly HTMLTableRowElement[]): HTMLTableElement {
  return el(
    'table',
    { attrs: { 'data-testid': testId } },
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { attrs: { scope: 'col' } }, header)))),
    el('tbody', {}, ...rows),
  );
}

/** A tonnes cell: the API's exact decimal, the reader's marks; its grams kept for a reader (or a test) to check. */
function tonnesCell(tonnes: string, grams: number, locale: Locale): HTMLTableCellElement {
  return el('td', { class: 'number', attrs: { 'data-grams': String(grams), 'data-tonnes': tonnes } }, decimalText(tonnes, locale));
}

function setName(m: ProgrammesMessages, set: FactorSetRef | null): string {
  return set === null ? m.noFactorSet : m.factorSetNamed(set.factorSetId, set.validFrom);
}

/** One route's row: an unknown factor, or CO2e under it, is written "unknown", never 0. */
function routeRow(m: ProgrammesMessages, locale: Locale, route: RouteUnderSet, oneSet: boolean): HTMLTableRowElement {
  const factor = route.kgCo2ePerKg !== null ? decimalText(route.kgCo2ePerKg, locale) : !route.known || oneSet ? m.unknown : '—';
  return el(
    'tr',
    { attrs: { 'data-route': route.route, 'data-known': String(route.known) } },
    el('th', { attrs: { scope: 'row' } }, m.routes[route.route] ?? route.route),
    tonnesCell(gramsAsTonnes(route.grams), route.grams, locale),
    el('td', { class: 'number', attrs: { 'data-factor': route.kgCo2ePerKg ?? '' } }, factor),
    el('td', { attrs: { 'data-source': route.source ?? '' } }, route.source ?? '—'),
    el('td', { class: 'number', attrs: { 'data-co2e': route.tonnesCo2e ?? '' } }, route.tonnesCo2e === null ? m.unknown : decimalText(route.tonnesCo2e, locale)),
  );
}

function routesTable(m: ProgrammesMessages, locale: Locale, testId: string, caption: string, routes: readonly RouteUnderSet[], oneSet: boolean): HTMLTableElement {
  return headedTable(
    testId,
    caption,
    [m.route, m.mass, m.factor, m.source, m.avoided],
    routes.map((route) => routeRow(m, locale, route, oneSet)),
  );
}

function co2Section(m: ProgrammesMessages, locale: Locale, co2: ProgrammeImpact['avoidedCo2e']): HTMLElement {
  const oneSet = co2.parts.length <= 1;
  const basis = co2.basis === 'named-set' && co2.factorSet !== null ? m.co2Named(co2.factorSet.factorSetId, co2.factorSet.validFrom) : m.co2InForce;
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-co2-heading' } },
    el('h3', { attrs: { id: 'impact-co2-heading' } }, m.co2Heading),
    el('p', { attrs: { 'data-testid': 'co2-basis' } }, basis),
    el('p', { attrs: { 'data-testid': 'co2-factor-set', 'data-factor-set': co2.factorSet?.factorSetId ?? '' } }, `${m.factorSetOf}: `, oneSet ? setName(m, co2.factorSet ?? co2.parts[0]?.factorSet ?? null) : co2.parts.map((part) => setName(m, part.factorSet)).join('; ')),
    el(
      'p',
      { class: 'headline', attrs: { 'data-testid': 'co2-total', 'data-total': co2.totalTonnes ?? '', 'data-known': co2.knownTonnes } },
      co2.totalTonnes === null ? m.co2TotalUnknown(decimalText(co2.knownTonnes, locale)) : m.co2Total(decimalText(co2.totalTonnes, locale)),
    ),
    routesTable(m, locale, 'co2-routes', m.co2Heading, co2.routes, oneSet),
    // Several sets applied: each part names its set and gives its factors and their sources.
    ...(oneSet
      ? []
      : co2.parts.map((part, index) =>
          routesTable(m, locale, `co2-part-${index}`, m.partHeading(setName(m, part.factorSet), part.from, part.to), part.routes, true),
        )),
  );
}

/** The catalogue's deals, one row per way the material travelled: matched and traded tonnes, and how many deals. */
function symbiosisSection(m: ProgrammesMessages, locale: Locale, symbiosis: ProgrammeImpact['symbiosis']): HTMLElement {
  const row = (kind: 'classic' | 'viaMarket', f: SymbiosisFigures): HTMLTableRowElement =>
    el(
      'tr',
      { attrs: { 'data-symbiosis': kind } },
      el('th', { attrs: { scope: 'row' } }, m.symbiosisKinds[kind]),
      tonnesCell(f.matchedTonnes, f.matchedGrams, locale),
      tonnesCell(f.tradedTonnes, f.tradedGrams, locale),
      el('td', { class: 'number', attrs: { 'data-deals': String(f.deals), 'data-matched-deals': String(f.matchedDeals), 'data-traded-deals': String(f.tradedDeals) } }, formatInteger(f.deals, locale)),
    );
  return el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-symbiosis-heading' } },
    el('h3', { attrs: { id: 'impact-symbiosis-heading' } }, m.symbiosisHeading),
    el('p', {}, m.symbiosisIntro),
    headedTable('symbiosis', m.symbiosisHeading, [m.symbiosisKind, m.matchedTonnes, m.tradedTonnes, m.dealsCount], [row('classic', symbiosis.classic), row('viaMarket', symbiosis.viaMarket)]),
    symbiosis.recurring.matchedDeals === 0
      ? null
      : el('p', { attrs: { 'data-testid': 'symbiosis-recurring', 'data-deals': String(symbiosis.recurring.matchedDeals) } }, m.recurringDeals(formatInteger(symbiosis.recurring.matchedDeals, locale))),
  );
}

/**
 * The programme's impact report for its period (decision 043): waste used as raw material by
 * origin and by organisation, reused tonnes, t CO2e avoided per route with the factor set and each
 * factor's source, organisations and SMEs, where the waste went, and the catalogue's deals (classic
 * symbiosis and via the market). Every figure is the API's exact text in the reader's number
 * format; an unknown stays unknown.
 */
export function impactView(context: PageContext, m: ProgrammesMessages, impact: ProgrammeImpact): HTMLElement[] {
  const { locale } = context;
  const waste = impact.wasteUsedAsRawMaterial;
  const originLabel = (row: ProgrammeImpact['wasteUsedAsRawMaterial']['byOrigin'][number]): Node | string =>
    row.originClass === 'kommune' && row.kommuneCode !== null
      ? `${row.kommuneName ?? kommuneLabel(row.kommuneCode)} (${row.kommuneCode})`
      : row.organisationId !== null
        ? nameBesideId(row.organisationName, row.organisationId)
        : row.originKey;
  const wasteSection = el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-waste-heading' } },
    el('h3', { attrs: { id: 'impact-waste-heading' } }, m.wasteHeading),
    el('p', { class: 'headline', attrs: { 'data-testid': 'waste-total', 'data-grams': String(waste.totalGrams), 'data-tonnes': waste.totalTonnes } }, m.wasteTotal(decimalText(waste.totalTonnes, locale))),
    waste.totalGrams === 0
      ? el('p', {}, m.noWaste)
      : el('p', { attrs: { 'data-testid': 'waste-split' } }, m.wasteSplit(decimalText(gramsAsTonnes(waste.memberGrams), locale), decimalText(gramsAsTonnes(waste.taggedOnlyGrams), locale))),
    waste.byOrigin.length === 0
      ? null
      : headedTable(
          'waste-by-origin',
          m.byOrigin,
          [m.origin, m.originClass, m.tonnes],
          waste.byOrigin.map((row) =>
            el(
              'tr',
              { attrs: { 'data-origin': row.originKey } },
              el('th', { attrs: { scope: 'row' } }, originLabel(row)),
              el('td', {}, codeLabel(locale, 'originClass', row.originClass)),
              tonnesCell(row.tonnes, row.grams, locale),
            ),
          ),
        ),
    waste.byMember.length === 0
      ? null
      : headedTable(
          'waste-by-member',
          m.byMember,
          [m.organisation, m.tonnes],
          waste.byMember.map((row) =>
            el(
              'tr',
              { attrs: { 'data-organisation': row.organisationId } },
              el('th', { attrs: { scope: 'row' } }, nameBesideId(row.name, row.organisationId), row.member ? null : el('span', { class: 'not-member' }, ` (${m.notMember})`)),
              tonnesCell(row.tonnes, row.grams, locale),
            ),
          ),
        ),
  );
  const reusedSection = el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-reused-heading' } },
    el('h3', { attrs: { id: 'impact-reused-heading' } }, m.reusedHeading),
    el('p', { attrs: { 'data-testid': 'reused-total', 'data-grams': String(impact.reused.grams), 'data-tonnes': impact.reused.tonnes } }, m.reusedTotal(decimalText(impact.reused.tonnes, locale))),
  );
  const organisationsSection = el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-organisations-heading' } },
    el('h3', { attrs: { id: 'impact-organisations-heading' } }, m.organisationsHeading),
    el('p', { attrs: { 'data-testid': 'impact-organisations', 'data-count': String(impact.organisations.count) } }, m.organisationsCount(formatInteger(impact.organisations.count, locale))),
    el(
      'p',
      { attrs: { 'data-testid': 'impact-smes', 'data-count': String(impact.smes.count), 'data-unknown': String(impact.smes.unknownSize) } },
      m.smesCount(formatInteger(impact.smes.count, locale), formatInteger(impact.smes.unknownSize, locale)),
    ),
    impact.organisations.members.length === 0
      ? null
      : el(
          'ul',
          { attrs: { 'data-testid': 'impact-members' } },
          ...impact.organisations.members.map((member) =>
            el('li', { attrs: { 'data-organisation': member.organisationId, 'data-sme': member.smeStatus } }, nameBesideId(member.name, member.organisationId), `: ${codeLabel(locale, 'smeStatus', member.smeStatus)}`),
          ),
        ),
  );
  const buckets = Object.entries(impact.circularity.buckets);
  const circularitySection = el(
    'section',
    { attrs: { 'aria-labelledby': 'impact-circularity-heading' } },
    el('h3', { attrs: { id: 'impact-circularity-heading' } }, m.circularityHeading),
    el('p', { attrs: { 'data-testid': 'circularity-collected', 'data-grams': String(impact.circularity.collectedGrams) } }, m.circularityIntro(decimalText(gramsAsTonnes(impact.circularity.collectedGrams), locale))),
    headedTable(
      'circularity-buckets',
      m.circularityHeading,
      [m.bucket, m.tonnes],
      buckets.map(([bucket, grams]) => el('tr', { attrs: { 'data-bucket': bucket } }, el('th', { attrs: { scope: 'row' } }, codeLabel(locale, 'fate', bucket)), tonnesCell(gramsAsTonnes(grams), grams, locale))),
    ),
  );
  return [wasteSection, reusedSection, co2Section(m, locale, impact.avoidedCo2e), organisationsSection, circularitySection, symbiosisSection(m, locale, impact.symbiosis)];
}
