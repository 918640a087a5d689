import type { Locale } from '../../shared/format.js';

/** The catalogue pages' own messages (docs/decisions/046-symbiosis-catalogue.md); one interface, so a missing translation is a type error. */
export interface CatalogueMessages {
  readonly nav: string;
  readonly title: string;
  readonly intro: string;
  readonly sections: { readonly offers: string; readonly mine: string; readonly wants: string; readonly deals: string };
  readonly sectionsLabel: string;
  // The list and its filters
  readonly filtersHeading: string;
  readonly fibre: string;
  readonly minShare: string;
  readonly grade: string;
  readonly unsorted: string;
  readonly ewc: string;
  readonly kommune: string;
  readonly region: string;
  readonly minTonnes: string;
  readonly maxTonnes: string;
  readonly any: string;
  readonly applyFilters: string;
  readonly filterInvalid: string;
  readonly offersHeading: string;
  readonly offersCount: (count: number) => string;
  readonly noOffers: string;
  readonly offer: string;
  readonly composition: string;
  readonly mass: string;
  readonly place: string;
  readonly holder: string;
  readonly available: string;
  readonly actions: string;
  readonly nameHidden: string;
  readonly yours: string;
  readonly ask: string;
  readonly asked: string;
  readonly requestMessage: string;
  readonly requested: (title: string) => string;
  // Describing an entry in words
  readonly band: (from: string, to: string) => string;
  readonly bandOpen: (from: string) => string;
  readonly perPeriod: (mass: string, period: string) => string;
  readonly periods: Readonly<Record<string, string>>;
  readonly regionOnly: (region: string) => string;
  readonly kommuneOnly: (kommune: string) => string;
  readonly atSite: (kommune: string) => string;
  readonly unknownPlace: string;
  readonly fromTo: (from: string, until: string | null) => string;
  readonly ewcNamed: (code: string, name: string) => string;
  readonly states: Readonly<Record<string, string>>;
  readonly kinds: { readonly batch: string; readonly stream: string };
  // Offering
  readonly mineHeading: string;
  readonly mineIntro: string;
  readonly noMine: string;
  readonly mineListHeading: string;
  readonly offerFormHeading: string;
  readonly offerKind: string;
  readonly offerBatch: string;
  readonly offerStream: string;
  readonly batch: string;
  readonly noBatches: string;
  readonly chooseBatch: string;
  readonly batchOption: (grade: string, tonnes: string, id: string) => string;
  readonly offerTitle: string;
  readonly streamGrade: string;
  readonly streamComposition: string;
  readonly share: string;
  readonly period: string;
  readonly massPerPeriod: string;
  readonly site: string;
  readonly noSite: string;
  readonly kommuneIfNoSite: string;
  readonly availableUntil: string;
  readonly terms: string;
  readonly optional: string;
  readonly audience: string;
  readonly audienceEveryone: string;
  readonly audienceProgramme: string;
  readonly audienceOrganisations: string;
  readonly programme: string;
  readonly wholeProgramme: (name: string) => string;
  readonly valueChainOf: (chain: string, programme: string) => string;
  readonly noProgrammes: string;
  readonly organisations: string;
  readonly disclosure: string;
  readonly discloseName: string;
  readonly discloseMass: string;
  readonly massExact: string;
  readonly massBand: string;
  readonly discloseLocation: string;
  readonly locationSite: string;
  readonly locationKommune: string;
  readonly locationRegion: string;
  readonly submitOffer: string;
  readonly offered: (title: string) => string;
  readonly withdraw: string;
  readonly withdrawReason: string;
  readonly withdrawn: (title: string) => string;
  readonly fitsWants: string;
  readonly reservedForDeal: string;
  readonly notOpen: string;
  readonly noFittingWants: string;
  readonly shownTo: string;
  readonly audienceText: (audience: string, name: boolean, mass: string, location: string) => string;
  // Wanting
  readonly wantsHeading: string;
  readonly wantFormHeading: string;
  readonly wantTitle: string;
  readonly fibres: string;
  readonly minShareOf: (n: number) => string;
  readonly fibreOf: (n: number) => string;
  readonly grades: string;
  readonly ewcCodes: string;
  readonly regionWanted: string;
  readonly anywhere: string;
  readonly neededBy: string;
  readonly submitWant: string;
  readonly wantPublished: (title: string) => string;
  readonly ownWants: string;
  readonly noWants: string;
  readonly wantSummary: (mass: string, place: string) => string;
  readonly massRange: (from: string, to: string | null) => string;
  readonly anyFibre: string;
  readonly anyGrade: string;
  readonly anyEwc: string;
  readonly withdrawWant: string;
  readonly wantWithdrawn: (title: string) => string;
  // Matches
  readonly matchesFor: (title: string) => string;
  readonly noMatches: string;
  readonly rank: string;
  readonly why: string;
  readonly points: (total: number) => string;
  readonly parts: (fibre: number, grade: number, ewc: number, mass: number, distance: number) => string;
  readonly distance: (basis: string, km: number | null) => string;
  readonly saving: string;
  readonly savingText: (tonnes: string, atLeast: boolean, route: string, factorSet: string | null) => string;
  readonly savingUnknown: (route: string) => string;
  readonly routes: Readonly<Record<string, string>>;
  readonly liveHeading: string;
  readonly liveIntro: string;
  readonly liveNone: string;
  readonly liveOffline: string;
  readonly liveMatch: (offer: string, want: string, points: number) => string;
  // Deals
  readonly dealsHeading: string;
  readonly noDeals: string;
  readonly counterpart: string;
  readonly status: string;
  readonly statuses: Readonly<Record<string, string>>;
  readonly requestedAt: string;
  readonly openDeal: string;
  readonly accept: string;
  readonly decline: string;
  readonly declineReason: string;
  readonly accepted: string;
  readonly acceptedStream: string;
  readonly declined: string;
  readonly dealTitle: (title: string) => string;
  readonly dealFacts: string;
  readonly buyer: string;
  readonly batchLink: string;
  readonly notYetShown: string;
  readonly transfer: string;
  readonly dispatched: string;
  readonly received: string;
  readonly symbiosis: string;
  readonly symbioses: Readonly<Record<string, string>>;
  readonly history: string;
  readonly steps: Readonly<Record<string, string>>;
  readonly stepBy: (by: string) => string;
  readonly cancel: string;
  readonly cancelReason: string;
  readonly cancelled: string;
  readonly backToDeals: string;
  readonly message: string;
  // Carrying the deal out: the ordinary dispatch and receipt, from the deal's page
  readonly dispatchHeading: (buyer: string) => string;
  readonly dispatchMass: string;
  readonly dispatchMassHint: string;
  readonly transportDocument: string;
  readonly dispatch: string;
  readonly dispatchedNotice: (buyer: string, mass: string) => string;
  readonly receiveHeading: string;
  readonly receivedMass: string;
  readonly receivedMassHint: (dispatched: string) => string;
  readonly receive: string;
  readonly receivedNotice: (mass: string) => string;
  // Refusals
  readonly refused: (why: string) => string;
  readonly refusals: Readonly<Record<string, string>>;
  readonly invalid: {
    readonly title: string;
    readonly batch: string;
    readonly mass: string;
    readonly composition: string;
    readonly place: string;
    readonly audience: string;
    readonly share: string;
    readonly range: string;
  };
}

const da: CatalogueMessages = {
  nav: 'Symbiosekatalog',
  title: 'Symbiosekatalog',
  intro: 'Restfraktioner, som virksomheder tilbyder eller søger. Hvert tilbud viser kun det, udbyderen har valgt at oplyse.',
  sections: { offers: 'Tilbud', mine: 'Vores tilbud', wants: 'Vores efterspørgsel', deals: 'Forespørgsler og aftaler' },
  sectionsLabel: 'Katalogets sider',
  filtersHeading: 'Filtrér tilbud',
  fibre: 'Fiber',
  minShare: 'Mindst andel (%)',
  grade: 'Kvalitet',
  unsorted: 'Usorteret',
  ewc: 'Affaldskode (EAK)',
  kommune: 'Kommune',
  region: 'Region',
  minTonnes: 'Mindst (t)',
  maxTonnes: 'Højst (t)',
  any: 'Alle',
  applyFilters: 'Vis tilbud',
  filterInvalid: 'Skriv mængder i ton (fx 1,5) og andele i procent (0–100).',
  offersHeading: 'Tilbud du kan se',
  offersCount: (count) => (count === 1 ? '1 tilbud.' : `${count} tilbud.`),
  noOffers: 'Ingen tilbud passer.',
  offer: 'Tilbud',
  composition: 'Fibersammensætning',
  mass: 'Mængde',
  place: 'Sted',
  holder: 'Udbyder',
  available: 'Tilgængelig',
  actions: 'Handling',
  nameHidden: 'Ikke oplyst',
  yours: 'Jeres eget',
  ask: 'Forespørg',
  asked: 'Forespurgt',
  requestMessage: 'Besked til udbyderen',
  requested: (title) => `Forespørgslen på »${title}« er sendt.`,
  band: (from, to) => `mellem ${from} og ${to}`,
  bandOpen: (from) => `mindst ${from}`,
  perPeriod: (mass, period) => `${mass} pr. ${period}`,
  periods: { week: 'uge', month: 'måned', quarter: 'kvartal', year: 'år' },
  regionOnly: (region) => `Region ${region}`,
  kommuneOnly: (kommune) => `${kommune} Kommune`,
  atSite: (kommune) => `På en lokalitet i ${kommune} Kommune`,
  unknownPlace: 'Ukendt sted',
  fromTo: (from, until) => (until ? `${from} – ${until}` : `fra ${from}`),
  ewcNamed: (code, name) => `${code} ${name}`,
  states: { open: 'Åbent', reserved: 'Reserveret', unavailable: 'Ikke tilgængeligt', expired: 'Udløbet', withdrawn: 'Trukket tilbage', taken: 'Overtaget', ended: 'Afsluttet' },
  kinds: { batch: 'Parti', stream: 'Løbende strøm' },
  mineHeading: 'Vores tilbud',
  mineIntro: 'Tilbyd et tilgængeligt parti eller en løbende strøm, og vælg hvem der ser det og hvor meget.',
  noMine: 'I har ingen tilbud endnu.',
  mineListHeading: 'Jeres tilbud, også de reserverede, udløbne og tilbagetrukne',
  offerFormHeading: 'Tilbyd en restfraktion',
  offerKind: 'Hvad tilbyder I?',
  offerBatch: 'Et tilgængeligt parti',
  offerStream: 'En løbende strøm',
  batch: 'Parti',
  noBatches: 'I har ingen tilgængelige partier.',
  chooseBatch: 'Vælg et parti',
  batchOption: (grade, tonnes, id) => `${grade} · ${tonnes} · ${id}`,
  offerTitle: 'Overskrift',
  streamGrade: 'Kvalitet (strøm)',
  streamComposition: 'Fibersammensætning (strøm)',
  share: 'Andel (%)',
  period: 'Periode',
  massPerPeriod: 'Mængde pr. periode (t)',
  site: 'Lokalitet',
  noSite: 'Ingen lokalitet (angiv kommune)',
  kommuneIfNoSite: 'Kommune (hvis ingen lokalitet)',
  availableUntil: 'Tilgængelig til og med',
  terms: 'Vilkår',
  optional: 'valgfrit',
  audience: 'Hvem ser tilbuddet?',
  audienceEveryone: 'Alle organisationer',
  audienceProgramme: 'Medlemmer af et program eller en værdikæde',
  audienceOrganisations: 'Udvalgte organisationer',
  programme: 'Program eller værdikæde',
  wholeProgramme: (name) => `${name} (hele programmet)`,
  valueChainOf: (chain, programme) => `${chain} (${programme})`,
  noProgrammes: 'Ingen programmer',
  organisations: 'Organisationer',
  disclosure: 'Hvad ser de?',
  discloseName: 'Vores navn',
  discloseMass: 'Mængde',
  massExact: 'Den præcise mængde',
  massBand: 'Kun et interval',
  discloseLocation: 'Sted',
  locationSite: 'Lokaliteten',
  locationKommune: 'Kun kommunen',
  locationRegion: 'Kun regionen',
  submitOffer: 'Tilbyd',
  offered: (title) => `»${title}« er nu i kataloget.`,
  withdraw: 'Træk tilbage',
  withdrawReason: 'Begrundelse',
  withdrawn: (title) => `»${title}« er trukket tilbage.`,
  fitsWants: 'Efterspørgsel, tilbuddet passer til',
  reservedForDeal: 'Reserveret til en køber:',
  notOpen: 'Ikke længere åbent; det matches ikke.',
  noFittingWants: 'Ingen efterspørgsel passer endnu.',
  shownTo: 'Synlighed',
  audienceText: (audience, name, mass, location) => `${audience}; ${name ? 'med navn' : 'uden navn'}, ${mass}, ${location}`,
  wantsHeading: 'Vores efterspørgsel',
  wantFormHeading: 'Hvad søger I?',
  wantTitle: 'Overskrift',
  fibres: 'Fibre og mindste andele',
  minShareOf: (n) => `Mindst andel ${n} (%)`,
  fibreOf: (n) => `Fiber ${n}`,
  grades: 'Kvaliteter',
  ewcCodes: 'Affaldskoder (EAK)',
  regionWanted: 'Kun tilbud fra regionen',
  anywhere: 'Hele landet',
  neededBy: 'Senest',
  submitWant: 'Offentliggør efterspørgslen',
  wantPublished: (title) => `»${title}« er offentliggjort.`,
  ownWants: 'Jeres efterspørgsel, også den udløbne og tilbagetrukne',
  noWants: 'I har ingen efterspørgsel endnu.',
  wantSummary: (mass, place) => `${mass} · ${place}`,
  massRange: (from, to) => (to ? `${from} – ${to}` : `mindst ${from}`),
  anyFibre: 'alle fibre',
  anyGrade: 'alle kvaliteter',
  anyEwc: 'alle affaldskoder',
  withdrawWant: 'Træk efterspørgslen tilbage',
  wantWithdrawn: (title) => `»${title}« er trukket tilbage.`,
  matchesFor: (title) => `Tilbud til »${title}«, bedst først`,
  noMatches: 'Ingen tilbud passer endnu.',
  rank: 'Nr.',
  why: 'Hvorfor denne plads',
  points: (total) => `${total} point`,
  parts: (fibre, grade, ewc, mass, distance) => `fiber ${fibre} + kvalitet ${grade} + affaldskode ${ewc} + mængde ${mass} + afstand ${distance}`,
  distance: (basis, km) =>
    basis === 'coordinates' ? `${km ?? '?'} km mellem lokaliteterne` : basis === 'same-kommune' ? 'samme kommune' : basis === 'same-region' ? 'samme region' : 'afstand ukendt',
  saving: 'Besparelse ved handlen',
  savingText: (tonnes, atLeast, route, factorSet) => `${atLeast ? 'mindst ' : ''}${tonnes} t CO2e (${route}${factorSet ? `, faktorsæt ${factorSet}` : ''})`,
  savingUnknown: (route) => `ukendt (${route}: ingen kendt faktor)`,
  routes: { reuse: 'genbrug', recycling: 'genanvendelse' },
  liveHeading: 'Nye match',
  liveIntro: 'Nye match vises her, så snart de opstår.',
  liveNone: 'Ingen nye match, siden siden blev åbnet.',
  liveOffline: 'Forbindelsen til nye match er afbrudt; genindlæs siden.',
  liveMatch: (offer, want, points) => `Nyt match: »${offer}« til »${want}« (${points} point)`,
  dealsHeading: 'Forespørgsler og aftaler',
  noDeals: 'Ingen forespørgsler endnu.',
  counterpart: 'Modpart',
  status: 'Status',
  statuses: {
    requested: 'Forespurgt',
    accepted: 'Accepteret (reserveret)',
    declined: 'Afvist',
    cancelled: 'Annulleret',
    dispatched: 'Afsendt',
    received: 'Modtaget',
    lapsed: 'Bortfaldet',
  },
  requestedAt: 'Forespurgt',
  openDeal: 'Se aftalen',
  accept: 'Acceptér og reservér',
  decline: 'Afvis',
  declineReason: 'Begrundelse for afvisning',
  accepted: 'Forespørgslen er accepteret; partiet er reserveret til køberen.',
  acceptedStream: 'Forespørgslen er accepteret.',
  declined: 'Forespørgslen er afvist.',
  dealTitle: (title) => `Aftale: ${title}`,
  dealFacts: 'Aftalen',
  buyer: 'Køber',
  batchLink: 'Partiet',
  notYetShown: 'Vises, når udbyderen har accepteret',
  transfer: 'Overdragelse',
  dispatched: 'Afsendt',
  received: 'Modtaget',
  symbiosis: 'Symbiose',
  symbioses: { classic: 'Klassisk symbiose (direkte fra ejeren af restfraktionen)', 'via-market': 'Symbiose via markedet (gennem indsamlere eller oparbejdere)' },
  history: 'Forløb',
  steps: {
    requested: 'Forespurgt',
    accepted: 'Accepteret',
    reserved: 'Accepteret og reserveret',
    declined: 'Afvist',
    cancelled: 'Annulleret',
    dispatched: 'Afsendt',
    'dispatch-cancelled': 'Afsendelse annulleret',
    received: 'Modtaget',
    lapsed: 'Bortfaldet',
  },
  stepBy: (by) => `af ${by}`,
  cancel: 'Annullér aftalen',
  cancelReason: 'Begrundelse for annullering',
  cancelled: 'Aftalen er annulleret; reservationen er ophævet.',
  backToDeals: 'Tilbage til forespørgsler og aftaler',
  message: 'Besked',
  dispatchHeading: (buyer) => `Afsend til ${buyer}`,
  dispatchMass: 'Afsendt mængde (t)',
  dispatchMassHint: 'Partiets vægt; ret den, hvis partiet er vejet ved afsendelsen.',
  transportDocument: 'Transportdokument',
  dispatch: 'Afsend partiet',
  dispatchedNotice: (buyer, mass) => `Partiet er afsendt til ${buyer} (${mass}).`,
  receiveHeading: 'Modtag partiet',
  receivedMass: 'Modtaget mængde (t), vejet ved ankomst',
  receivedMassHint: (dispatched) => `Afsendt: ${dispatched}.`,
  receive: 'Modtag partiet',
  receivedNotice: (mass) => `Partiet er modtaget (${mass}).`,
  refused: (why) => `Afvist: ${why}`,
  refusals: {
    'batch-already-offered': 'partiet er allerede i kataloget.',
    'batch-reserved': 'partiet er reserveret til en anden.',
    'batch-not-available': 'partiet er ikke længere tilgængeligt.',
    'offer-not-open': 'tilbuddet er ikke længere åbent.',
    'offer-expired': 'tilbuddet er udløbet.',
    'offer-reserved': 'tilbuddet er reserveret; annullér aftalen først.',
    'own-offer': 'det er jeres eget tilbud.',
    'request-pending': 'I har allerede forespurgt på tilbuddet.',
    'request-not-pending': 'forespørgslen er allerede besvaret.',
    'mass-range-empty': 'den største mængde er mindre end den mindste.',
    'fibre-listed-twice': 'hver fiber må kun nævnes én gang.',
    'fibre-shares-exceed-whole': 'de mindste andele giver tilsammen mere end 100 %.',
    'unknown-kommune': 'kommunekoden findes ikke.',
    'deal-in-transit': 'partiet er undervejs; annullér overdragelsen først.',
    'not-offer-holder': 'kun udbyderen må gøre det.',
    'not-custodian': 'kun den, der har partiet, må sende det.',
    'not-owner': 'I har partiet, men ejer det ikke, og kan derfor ikke overdrage det.',
    'process-not-completed': 'partiet kommer fra en proces, der ikke er afsluttet.',
    'transfer-to-self': 'partiet kan ikke sendes til jer selv.',
    'not-in-transit': 'partiet er ikke undervejs.',
    'not-consignee': 'kun modtageren må modtage partiet.',
    'mass-above-maximum': 'mængden er større end det højeste, et parti kan veje.',
    'time-before-previous-event': 'tidspunktet ligger før partiets seneste hændelse.',
  },
  invalid: {
    title: 'Skriv en overskrift.',
    batch: 'Vælg et parti.',
    mass: 'Skriv mængden i ton, fx 1,5.',
    composition: 'Andelene skal tilsammen give 100 %, og hver fiber kun én gang.',
    place: 'Vælg en lokalitet eller en kommune.',
    audience: 'Vælg et program eller mindst én organisation.',
    share: 'Skriv andele i procent (0–100).',
    range: 'Skriv den mindste mængde i ton; den største, hvis der er en, må ikke være mindre.',
  },
};

const en: CatalogueMessages = {
  nav: 'Symbiosis catalogue',
  title: 'Symbiosis catalogue',
  intro: 'Residuals that organisations offer or look for. Each offer shows only what its holder chose to disclose.',
  sections: { offers: 'Offers', mine: 'Our offers', wants: 'Our wants', deals: 'Requests and deals' },
  sectionsLabel: 'Catalogue pages',
  filtersHeading: 'Filter offers',
  fibre: 'Fibre',
  minShare: 'Least share (%)',
  grade: 'Grade',
  unsorted: 'Unsorted',
  ewc: 'Waste code (EWC)',
  kommune: 'Kommune',
  region: 'Region',
  minTonnes: 'At least (t)',
  maxTonnes: 'At most (t)',
  any: 'Any',
  applyFilters: 'Show offers',
  filterInvalid: 'Write masses in tonnes (e.g. 1.5) and shares in per cent (0–100).',
  offersHeading: 'Offers you may see',
  offersCount: (count) => (count === 1 ? '1 offer.' : `${count} offers.`),
  noOffers: 'No offer fits.',
  offer: 'Offer',
  composition: 'Fibre composition',
  mass: 'Mass',
  place: 'Place',
  holder: 'Holder',
  available: 'Available',
  actions: 'Action',
  nameHidden: 'Not disclosed',
  yours: 'Your own',
  ask: 'Request',
  asked: 'Requested',
  requestMessage: 'Message to the holder',
  requested: (title) => `Your request for “${title}” is sent.`,
  band: (from, to) => `between ${from} and ${to}`,
  bandOpen: (from) => `at least ${from}`,
  perPeriod: (mass, period) => `${mass} a ${period}`,
  periods: { week: 'week', month: 'month', quarter: 'quarter', year: 'year' },
  regionOnly: (region) => `Region ${region}`,
  kommuneOnly: (kommune) => `${kommune} Kommune`,
  atSite: (kommune) => `At a site in ${kommune} Kommune`,
  unknownPlace: 'Unknown place',
  fromTo: (from, until) => (until ? `${from} – ${until}` : `from ${from}`),
  ewcNamed: (code, name) => `${code} ${name}`,
  states: { open: 'Open', reserved: 'Reserved', unavailable: 'Unavailable', expired: 'Expired', withdrawn: 'Withdrawn', taken: 'Taken', ended: 'Ended' },
  kinds: { batch: 'Batch', stream: 'Recurring stream' },
  mineHeading: 'Our offers',
  mineIntro: 'Offer an available batch or a recurring stream, and choose who sees it and how much.',
  noMine: 'You have no offers yet.',
  mineListHeading: 'Your offers, also those reserved, expired or withdrawn',
  offerFormHeading: 'Offer a residual',
  offerKind: 'What do you offer?',
  offerBatch: 'An available batch',
  offerStream: 'A recurring stream',
  batch: 'Batch',
  noBatches: 'You have no available batches.',
  chooseBatch: 'Choose a batch',
  batchOption: (grade, tonnes, id) => `${grade} · ${tonnes} · ${id}`,
  offerTitle: 'Title',
  streamGrade: 'Grade (stream)',
  streamComposition: 'Fibre composition (stream)',
  share: 'Share (%)',
  period: 'Period',
  massPerPeriod: 'Mass per period (t)',
  site: 'Site',
  noSite: 'No site (name a kommune)',
  kommuneIfNoSite: 'Kommune (if no site)',
  availableUntil: 'Available up to and including',
  terms: 'Terms',
  optional: 'optional',
  audience: 'Who sees the offer?',
  audienceEveryone: 'Every organisation',
  audienceProgramme: 'Members of a programme or value chain',
  audienceOrganisations: 'Named organisations',
  programme: 'Programme or value chain',
  wholeProgramme: (name) => `${name} (whole programme)`,
  valueChainOf: (chain, programme) => `${chain} (${programme})`,
  noProgrammes: 'No programmes',
  organisations: 'Organisations',
  disclosure: 'What do they see?',
  discloseName: 'Our name',
  discloseMass: 'Mass',
  massExact: 'The exact mass',
  massBand: 'Only a band',
  discloseLocation: 'Place',
  locationSite: 'The site',
  locationKommune: 'Only the kommune',
  locationRegion: 'Only the region',
  submitOffer: 'Offer',
  offered: (title) => `“${title}” is now in the catalogue.`,
  withdraw: 'Withdraw',
  withdrawReason: 'Reason',
  withdrawn: (title) => `“${title}” is withdrawn.`,
  fitsWants: 'Wants the offer fits',
  reservedForDeal: 'Reserved for a buyer:',
  notOpen: 'No longer open; it is not matched.',
  noFittingWants: 'No want fits yet.',
  shownTo: 'Visibility',
  audienceText: (audience, name, mass, location) => `${audience}; ${name ? 'with name' : 'without name'}, ${mass}, ${location}`,
  wantsHeading: 'Our wants',
  wantFormHeading: 'What are you looking for?',
  wantTitle: 'Title',
  fibres: 'Fibres and least shares',
  minShareOf: (n) => `Least share ${n} (%)`,
  fibreOf: (n) => `Fibre ${n}`,
  grades: 'Grades',
  ewcCodes: 'Waste codes (EWC)',
  regionWanted: 'Only offers from the region',
  anywhere: 'Anywhere',
  neededBy: 'Needed by',
  submitWant: 'Publish the want',
  wantPublished: (title) => `“${title}” is published.`,
  ownWants: 'Your wants, also those expired or withdrawn',
  noWants: 'You have no wants yet.',
  wantSummary: (mass, place) => `${mass} · ${place}`,
  massRange: (from, to) => (to ? `${from} – ${to}` : `at least ${from}`),
  anyFibre: 'any fibre',
  anyGrade: 'any grade',
  anyEwc: 'any waste code',
  withdrawWant: 'Withdraw the want',
  wantWithdrawn: (title) => `“${title}” is withdrawn.`,
  matchesFor: (title) => `Offers for “${title}”, best first`,
  noMatches: 'No offer fits yet.',
  rank: 'No.',
  why: 'Why it ranks here',
  points: (total) => `${total} points`,
  parts: (fibre, grade, ewc, mass, distance) => `fibre ${fibre} + grade ${grade} + waste code ${ewc} + mass ${mass} + distance ${distance}`,
  distance: (basis, km) =>
    basis === 'coordinates' ? `${km ?? '?'} km between the sites` : basis === 'same-kommune' ? 'same kommune' : basis === 'same-region' ? 'same region' : 'distance unknown',
  saving: 'What the trade would save',
  savingText: (tonnes, atLeast, route, factorSet) => `${atLeast ? 'at least ' : ''}${tonnes} t CO2e (${route}${factorSet ? `, factor set ${factorSet}` : ''})`,
  savingUnknown: (route) => `unknown (${route}: no known factor)`,
  routes: { reuse: 'reuse', recycling: 'recycling' },
  liveHeading: 'New matches',
  liveIntro: 'New matches appear here as they arise.',
  liveNone: 'No new matches since the page opened.',
  liveOffline: 'The connection for new matches is lost; reload the page.',
  liveMatch: (offer, want, points) => `New match: “${offer}” for “${want}” (${points} points)`,
  dealsHeading: 'Requests and deals',
  noDeals: 'No requests yet.',
  counterpart: 'Counterpart',
  status: 'Status',
  statuses: {
    requested: 'Requested',
    accepted: 'Accepted (reserved)',
    declined: 'Declined',
    cancelled: 'Cancelled',
    dispatched: 'Dispatched',
    received: 'Received',
    lapsed: 'Lapsed',
  },
  requestedAt: 'Requested',
  openDeal: 'Open the deal',
  accept: 'Accept and reserve',
  decline: 'Decline',
  declineReason: 'Reason for declining',
  accepted: 'The request is accepted; the batch is reserved for the buyer.',
  acceptedStream: 'The request is accepted.',
  declined: 'The request is declined.',
  dealTitle: (title) => `Deal: ${title}`,
  dealFacts: 'The deal',
  buyer: 'Buyer',
  batchLink: 'The batch',
  notYetShown: 'Shown once the holder has accepted',
  transfer: 'Transfer',
  dispatched: 'Dispatched',
  received: 'Received',
  symbiosis: 'Symbiosis',
  symbioses: { classic: 'Classic symbiosis (straight from the residual’s holder)', 'via-market': 'Symbiosis via the market (through collectors or processors)' },
  history: 'History',
  steps: {
    requested: 'Requested',
    accepted: 'Accepted',
    reserved: 'Accepted and reserved',
    declined: 'Declined',
    cancelled: 'Cancelled',
    dispatched: 'Dispatched',
    'dispatch-cancelled': 'Dispatch cancelled',
    received: 'Received',
    lapsed: 'Lapsed',
  },
  stepBy: (by) => `by ${by}`,
  cancel: 'Cancel the deal',
  cancelReason: 'Reason for cancelling',
  cancelled: 'The deal is cancelled; the reservation has ended.',
  backToDeals: 'Back to requests and deals',
  message: 'Message',
  dispatchHeading: (buyer) => `Dispatch to ${buyer}`,
  dispatchMass: 'Mass dispatched (t)',
  dispatchMassHint: 'The batch’s mass; change it if the batch was weighed at dispatch.',
  transportDocument: 'Transport document',
  dispatch: 'Dispatch the batch',
  dispatchedNotice: (buyer, mass) => `The batch is on its way to ${buyer} (${mass}).`,
  receiveHeading: 'Receive the batch',
  receivedMass: 'Mass received (t), weighed on arrival',
  receivedMassHint: (dispatched) => `Dispatched: ${dispatched}.`,
  receive: 'Receive the batch',
  receivedNotice: (mass) => `The batch is received (${mass}).`,
  refused: (why) => `Refused: ${why}`,
  refusals: {
    'batch-already-offered': 'the batch is already in the catalogue.',
    'batch-reserved': 'the batch is reserved for someone else.',
    'batch-not-available': 'the batch is no longer available.',
    'offer-not-open': 'the offer is no longer open.',
    'offer-expired': 'the offer has expired.',
    'offer-reserved': 'the offer is reserved; cancel the deal first.',
    'own-offer': 'it is your own offer.',
    'request-pending': 'you have already requested this offer.',
    'request-not-pending': 'the request has already been answered.',
    'mass-range-empty': 'the largest mass is below the least.',
    'fibre-listed-twice': 'name each fibre once.',
    'fibre-shares-exceed-whole': 'the least shares add up to more than 100 %.',
    'unknown-kommune': 'no kommune has that code.',
    'deal-in-transit': 'the batch is on its way; cancel the transfer first.',
    'not-offer-holder': 'only the holder may do this.',
    'not-custodian': 'only the batch’s custodian may dispatch it.',
    'not-owner': 'you hold the batch but do not own it, so you cannot hand it over.',
    'process-not-completed': 'the batch comes from a process that has not completed.',
    'transfer-to-self': 'a batch cannot be dispatched to yourselves.',
    'not-in-transit': 'the batch is not on its way.',
    'not-consignee': 'only the consignee may receive the batch.',
    'mass-above-maximum': 'the mass is more than a batch can weigh.',
    'time-before-previous-event': 'the time is before the batch’s latest event.',
  },
  invalid: {
    title: 'Write a title.',
    batch: 'Choose a batch.',
    mass: 'Write the mass in tonnes, e.g. 1.5.',
    composition: 'The shares must add up to 100 %, each fibre once.',
    place: 'Choose a site or a kommune.',
    audience: 'Choose a programme or at least one organisation.',
    share: 'Write shares in per cent (0–100).',
    range: 'Write the least mass in tonnes; the largest, if any, must not be less.',
  },
};

export const CATALOGUE_MESSAGES: Readonly<Record<Locale, CatalogueMessages>> = { da, en };
