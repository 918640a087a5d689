import { ApiClient, ApiError } from './shared/api-client.js';
import { OrganisationNames, type Organisation, type PageContext } from './shared/context.js';
import { el, show } from './shared/dom.js';
import type { Locale } from './shared/format.js';
import { messagesFor, preferredLocale, rememberLocale } from './shared/i18n/index.js';
import { hrefOf, parseRoute } from './shared/router.js';
import { session } from './shared/session.js';
import { signInView } from './features/sign-in/sign-in.view.js';
import { SignedInAs, type Principal } from './features/signed-in-as/signed-in-as.view.js';
import { signInFromRedirect, type SignInNotice } from './features/sign-in/oidc-redirect.js';
import { batchPage } from './pages/batch/batch.page.js';
import { auditPage } from './pages/audit/audit.page.js';
import { batchListPage } from './pages/batch-list/batch-list.page.js';
import { homePage } from './pages/home/home.page.js';
import { importPage } from './pages/import/import.page.js';
import { IMPORT_MESSAGES } from './pages/import/import.messages.js';
import { municipalityOverviewPage } from './pages/municipality-overview/municipality-overview.page.js';
import { nationalPage } from './pages/national/national.page.js';
import { NATIONAL_MESSAGES } from './pages/national/national.messages.js';
import { emissionFactorsPage } from './pages/emission-factors/emission-factors.page.js';
import { EMISSION_FACTORS_MESSAGES } from './pages/emission-factors/emission-factors.messages.js';
import { epcisPage } from './pages/epcis/epcis.page.js';
import { EPCIS_MESSAGES } from './pages/epcis/epcis.messages.js';
import { operatorPage } from './pages/operator/operator.page.js';
import { organisationPage } from './pages/organisation/organisation.page.js';
import { sitesPage } from './pages/sites/sites.page.js';
import { programmesPage } from './pages/programmes/programmes.page.js';
import { PROGRAMMES_MESSAGES } from './pages/programmes/programmes.messages.js';
import { cataloguePage } from './pages/catalogue/catalogue.page.js';
import { CATALOGUE_MESSAGES } from './pages/catalogue/catalogue.messages.js';

/** The application shell: header, navigation, language switch, sign-in state, and the page. */
class LedgerWebApp {
  private locale: Locale = preferredLocale(localStorage, navigator.languages);
  private organisations: readonly Organisation[] | undefined;
  private readonly header = el('header', { class: 'app-header' });
  private readonly main = el('main', { attrs: { id: 'main', tabindex: '-1' } });
  private readonly signedInAs = new SignedInAs();
  /** Why the sign-in page is showing (an expired token, a refused return from the provider); said once. */
  private notice: SignInNotice | undefined;
  private expiryTimer: number | undefined;

  start(root: HTMLElement): void {
    show(root, this.header, this.main);
    window.addEventListener('hashchange', () => void this.render());
    void this.render();
  }

  private get t() {
    return messagesFor(this.locale);
  }

  private async render(): Promise<void> {
    document.documentElement.lang = this.locale;
    document.title = this.t.appTitle;
    // Back from the identity provider with a code (decision 035), before anything reads the session.
    const returned = await signInFromRedirect();
    if (returned) ({ organisations: this.organisations, notice: this.notice } = returned);
    if (session.expired()) this.forget({ kind: 'expired' });
    const key = session.key();
    if (key && !this.organisations) {
      try {
        this.organisations = await new ApiClient(key).getJson<Organisation[]>('/organisations');
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.forget(this.noticeForRefusal());
      }
    }
    const signedInKey = session.key();
    // Whom the key signs in as (GET /me, decision 034), named and linked in the header.
    const principal = signedInKey && this.organisations ? await this.signedInAs.principal(signedInKey) : undefined;
    this.renderHeader(signedInKey !== null, principal);
    if (!signedInKey || !this.organisations) {
      const notice = this.notice;
      this.notice = undefined;
      signInView(this.main, this.t, this.locale, notice, (apiKey, organisations) => {
        session.signIn(apiKey);
        this.organisations = organisations;
        void this.render();
      });
      return;
    }
    this.watchExpiry();
    const context: PageContext = {
      api: new ApiClient(signedInKey),
      locale: this.locale,
      t: this.t,
      organisations: new OrganisationNames(this.organisations),
      ...(principal ? { viewer: { organisationId: principal.organisationId, kommuneCode: principal.kommuneCode ?? null } } : {}),
    };
    const route = parseRoute(location.hash);
    show(this.main, el('p', { attrs: { role: 'status' } }, this.t.loading));
    try {
      switch (route.page) {
        case 'home':
          homePage(context, this.main);
          break;
        case 'municipality':
          await municipalityOverviewPage(context, this.main, route);
          break;
        case 'batches':
          await batchListPage(context, this.main);
          break;
        case 'batch':
          await batchPage(context, this.main, route.batchId);
          break;
        case 'organisation':
          await organisationPage(context, this.main, route);
          break;
        case 'sites':
          await sitesPage(context, this.main, route);
          break;
        case 'audit':
          await auditPage(context, this.main);
          break;
        case 'import':
          importPage(context, this.main);
          break;
        case 'operator':
          await operatorPage(context, this.main, route.organisationId);
          break;
        case 'national':
          await nationalPage(context, this.main, route);
          break;
        case 'emission-factors':
          await emissionFactorsPage(context, this.main);
          break;
        case 'epcis':
          await epcisPage(context, this.main);
          break;
        case 'programmes':
          await programmesPage(context, this.main, {});
          break;
        case 'programme':
          await programmesPage(context, this.main, route);
          break;
        case 'catalogue':
          await cataloguePage(context, this.main, route.section ? { section: route.section } : {});
          break;
        case 'catalogue-deal':
          await cataloguePage(context, this.main, { dealId: route.dealId });
          break;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.signOut(this.noticeForRefusal());
        return;
      }
      show(this.main, el('p', { class: 'form-error', attrs: { role: 'alert' } }, this.t.failed(error instanceof Error ? error.message : String(error))));
    }
  }

  private renderHeader(signedIn: boolean, principal?: Principal): void {
    const t = this.t;
    const languageButton = el('button', { class: 'link-button', attrs: { type: 'button', lang: this.locale === 'da' ? 'en' : 'da', 'aria-label': t.languageSwitchLabel } }, t.languageSwitch);
    languageButton.addEventListener('click', () => {
      this.locale = this.locale === 'da' ? 'en' : 'da';
      rememberLocale(localStorage, this.locale);
      void this.render();
    });
    const signOutButton = signedIn ? el('button', { class: 'link-button', attrs: { type: 'button' } }, t.signOut) : null;
    signOutButton?.addEventListener('click', () => this.signOut());
    const nav = signedIn
      ? el(
          'nav',
          { attrs: { 'aria-label': t.navigation } },
          el(
            'ul',
            {},
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'home' }) } }, t.navHome)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'municipality' }) } }, t.navMunicipality)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'batches' }) } }, t.navBatches)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'audit' }) } }, t.navAudit)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'import' }) } }, IMPORT_MESSAGES[this.locale].nav)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'operator' }) } }, t.navOperator)),
            // The national view is the operator's and auditors' only (decision 040): others would only be refused.
            this.seesNationalView(principal) ? el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'national' }) } }, NATIONAL_MESSAGES[this.locale].nav)) : null,
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'emission-factors' }) } }, EMISSION_FACTORS_MESSAGES[this.locale].nav)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'epcis' }) } }, EPCIS_MESSAGES[this.locale].nav)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'programmes' }) } }, PROGRAMMES_MESSAGES[this.locale].nav)),
            el('li', {}, el('a', { attrs: { href: hrefOf({ page: 'catalogue' }) } }, CATALOGUE_MESSAGES[this.locale].nav)),
          ),
        )
      : null;
    // The fragment addresses pages, so the skip link moves the focus itself instead of navigating.
    const skipLink = el('a', { class: 'skip-link', attrs: { href: '#main' } }, t.skipToContent);
    skipLink.addEventListener('click', (event) => {
      event.preventDefault();
      this.main.focus();
    });
    show(
      this.header,
      skipLink,
      el('p', { class: 'app-title' }, t.appTitle),
      nav,
      el('div', { class: 'header-actions' }, this.signedInAs.link(principal, this.locale), languageButton, signOutButton),
    );
  }

  private seesNationalView(principal: Principal | undefined): boolean {
    const roles = this.organisations?.find((organisation) => organisation.organisationId === principal?.organisationId)?.roles ?? [];
    return roles.includes('operator') || roles.includes('auditor');
  }

  private signOut(notice?: SignInNotice): void {
    this.forget(notice);
    location.hash = hrefOf({ page: 'home' });
    void this.render();
  }

  private forget(notice: SignInNotice | undefined): void {
    session.signOut();
    this.organisations = undefined;
    this.notice = notice;
    window.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  /** A 401 while signed in with an access token: the token has expired or been withdrawn (decision 035). */
  private noticeForRefusal(): SignInNotice | undefined {
    return session.credential()?.kind === 'oidc' ? { kind: 'expired' } : undefined;
  }

  /** An access token's end comes back to sign-in with a message, without waiting for the next click. */
  private watchExpiry(): void {
    const credential = session.credential();
    if (this.expiryTimer !== undefined || credential?.kind !== 'oidc' || credential.expiresAt === undefined) return;
    // setTimeout's longest delay is about 24.8 days; tokens live hours at most (decision 029).
    const delay = Math.min(Math.max(credential.expiresAt - Date.now(), 0), 2_147_000_000);
    this.expiryTimer = window.setTimeout(() => {
      this.expiryTimer = undefined;
      void this.render();
    }, delay);
  }
}

const root = document.getElementById('app');
if (root) new LedgerWebApp().start(root);
