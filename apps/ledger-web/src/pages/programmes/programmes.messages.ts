import type { Locale } from '../../shared/format.js';

/** The programmes pages' own messages (decisions 041 and 043); one interface, so a missing translation is a type error. */
export interface ProgrammesMessages {
  readonly nav: string;
  readonly listTitle: string;
  readonly listIntro: string;
  readonly none: string;
  readonly programme: string;
  readonly valueChains: string;
  readonly manager: string;
  readonly membersInYear: (year: number) => string;
  readonly smesInYear: (year: number) => string;
  readonly noManager: string;
  readonly noValueChains: string;
  readonly title: (name: string) => string;
  readonly chainTitle: (chain: string, programme: string) => string;
  readonly tag: string;
  readonly noTag: string;
  readonly registered: string;
  readonly programmeId: string;
  readonly wholeProgramme: string;
  readonly backToList: string;
  readonly backToProgramme: (name: string) => string;
  readonly unknownChain: string;
  // The period and the report's choices
  readonly reportHeading: string;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly valueChainFilter: string;
  readonly allValueChains: string;
  readonly factorSetChoice: string;
  readonly factorSetInForce: string;
  readonly factorSetNamed: (setId: string, validFrom: string) => string;
  readonly asOfLabel: string;
  readonly asOfHelp: string;
  readonly asOfInvalid: string;
  readonly show: string;
  readonly periodInvalid: string;
  readonly asOfShown: (when: string, position: string) => string;
  readonly asOfNow: string;
  // Members
  readonly membersHeading: (from: string, to: string) => string;
  readonly noMembers: string;
  readonly membersCounts: (organisations: string, smes: string, notSmes: string, unknown: string) => string;
  readonly organisation: string;
  readonly memberships: string;
  readonly smeStatus: string;
  readonly membershipLine: (scope: string, from: string, until: string | null) => string;
  readonly smeWithDay: (status: string, appliesFrom: string | null) => string;
  readonly lastMemberDay: string;
  // Managing
  readonly manageHeading: string;
  readonly manageIntro: string;
  readonly registerChainHeading: string;
  readonly chainName: string;
  readonly registerChain: string;
  readonly chainRegistered: (name: string) => string;
  readonly addMemberHeading: string;
  readonly removeMemberHeading: string;
  readonly memberScope: string;
  readonly fromDay: string;
  readonly removeFromDay: string;
  readonly reason: string;
  readonly chooseOrganisation: string;
  readonly addMember: string;
  readonly removeMember: string;
  readonly memberAdded: (name: string, from: string) => string;
  readonly memberRemoved: (name: string, from: string) => string;
  readonly registerProgrammeHeading: string;
  readonly programmeName: string;
  readonly programmeTag: string;
  readonly managerOptional: string;
  readonly registerProgramme: string;
  readonly programmeRegistered: (name: string) => string;
  readonly optional: string;
  readonly refused: (why: string) => string;
  readonly refusals: Readonly<Record<string, string>>;
  // The impact report
  readonly impactHeading: string;
  readonly impactIntro: string;
  readonly impactScope: (scope: string, from: string, to: string) => string;
  readonly wasteHeading: string;
  readonly wasteTotal: (tonnes: string) => string;
  readonly wasteSplit: (members: string, taggedOnly: string) => string;
  readonly byOrigin: string;
  readonly origin: string;
  readonly originClass: string;
  readonly tonnes: string;
  readonly byMember: string;
  readonly notMember: string;
  readonly noWaste: string;
  readonly reusedHeading: string;
  readonly reusedTotal: (tonnes: string) => string;
  readonly co2Heading: string;
  readonly co2InForce: string;
  readonly co2Named: (setId: string, validFrom: string) => string;
  readonly co2Total: (tonnes: string) => string;
  readonly co2TotalUnknown: (known: string) => string;
  readonly route: string;
  readonly routes: Readonly<Record<string, string>>;
  readonly mass: string;
  readonly factor: string;
  readonly source: string;
  readonly avoided: string;
  readonly unknown: string;
  readonly factorSetOf: string;
  readonly noFactorSet: string;
  readonly partHeading: (set: string, from: string, to: string) => string;
  readonly organisationsHeading: string;
  readonly organisationsCount: (count: string) => string;
  readonly smesCount: (count: string, unknown: string) => string;
  readonly circularityHeading: string;
  readonly circularityIntro: (collected: string) => string;
  readonly bucket: string;
  readonly symbiosisHeading: string;
  readonly symbiosisIntro: string;
  readonly symbiosisKind: string;
  readonly symbiosisKinds: { readonly classic: string; readonly viaMarket: string };
  readonly matchedTonnes: string;
  readonly tradedTonnes: string;
  readonly dealsCount: string;
  readonly recurringDeals: (count: string) => string;
  readonly downloads: string;
  readonly downloadCsv: string;
  readonly downloadJson: string;
}

const EN: ProgrammesMessages = {
  nav: 'Programmes',
  listTitle: 'Programmes',
  listIntro: 'Regional programmes and their value chains, with the organisations taking part this year and how many of them are SMEs (by the EU definition, as each organisation declared its size).',
  none: 'No programme is registered yet.',
  programme: 'Programme',
  valueChains: 'Value chains',
  manager: 'Manager',
  membersInYear: (year) => `Members in ${year}`,
  smesInYear: (year) => `SMEs in ${year}`,
  noManager: 'the operator only',
  noValueChains: 'No value chains yet.',
  title: (name) => `Programme: ${name}`,
  chainTitle: (chain, programme) => `Value chain ${chain} (${programme})`,
  tag: 'Tag on material at origin',
  noTag: 'none',
  registered: 'Registered',
  programmeId: 'Programme id',
  wholeProgramme: 'The whole programme',
  backToList: 'All programmes',
  backToProgramme: (name) => `Back to ${name}`,
  unknownChain: 'This programme has no such value chain.',
  reportHeading: 'Period and report choices',
  periodFrom: 'From (first day)',
  periodTo: 'To (last day, included)',
  valueChainFilter: 'Value chain',
  allValueChains: 'All (the whole programme)',
  factorSetChoice: 'Emission factors',
  factorSetInForce: 'The set in force on each event’s day',
  factorSetNamed: (setId, validFrom) => `${setId} (valid from ${validFrom})`,
  asOfLabel: 'As the ledger stood at (Copenhagen time, empty = now)',
  asOfHelp: 'A past moment re-reads the impact report as it stood then; members and forms are always now.',
  asOfInvalid: 'Enter a date and time, or leave it empty for now.',
  show: 'Show',
  periodInvalid: 'The first day must be a date on or before the last day.',
  asOfShown: (when, position) => `The impact report as the ledger stood at ${when} (log position ${position}).`,
  asOfNow: 'The impact report as the ledger stands now.',
  membersHeading: (from, to) => `Members ${from} – ${to}`,
  noMembers: 'No organisation was a member during the period.',
  membersCounts: (organisations, smes, notSmes, unknown) => `${organisations} organisations took part: ${smes} SMEs, ${notSmes} not SMEs, ${unknown} with no size declared (never counted as SMEs).`,
  organisation: 'Organisation',
  memberships: 'Memberships',
  smeStatus: 'SME status',
  membershipLine: (scope, from, until) => (until === null ? `${scope}: from ${from}` : `${scope}: from ${from} until ${until} (no longer a member that day)`),
  smeWithDay: (status, appliesFrom) => (appliesFrom === null ? status : `${status} (size declared from ${appliesFrom})`),
  lastMemberDay: 'Status read on',
  manageHeading: 'Manage the programme',
  manageIntro: 'The operator and the programme’s manager register value chains and add and remove members; the ledger decides and says why when it refuses.',
  registerChainHeading: 'Register a value chain',
  chainName: 'Name of the value chain',
  registerChain: 'Register value chain',
  chainRegistered: (name) => `Value chain ${name} is registered.`,
  addMemberHeading: 'Add a member',
  removeMemberHeading: 'Remove a member',
  memberScope: 'Member of',
  fromDay: 'Member from (day)',
  removeFromDay: 'No longer a member from (day)',
  reason: 'Reason',
  chooseOrganisation: 'Choose an organisation',
  addMember: 'Add member',
  removeMember: 'Remove member',
  memberAdded: (name, from) => `${name} is a member from ${from}.`,
  memberRemoved: (name, from) => `${name} is no longer a member from ${from}.`,
  registerProgrammeHeading: 'Register a programme (operator)',
  programmeName: 'Name of the programme',
  programmeTag: 'Tag material carries at origin (lower-case letters, digits and hyphens)',
  managerOptional: 'Managed by',
  registerProgramme: 'Register programme',
  programmeRegistered: (name) => `Programme ${name} is registered.`,
  optional: 'optional',
  refused: (why) => `Refused: ${why}`,
  refusals: {
    'not-programme-manager': 'only the operator or the programme’s manager may change it.',
    'role-not-permitted': 'only the operator registers programmes.',
    'already-member': 'the organisation is already a member there.',
    'membership-overlaps': 'a new membership starts on or after the day the last one ended.',
    'not-a-member': 'the organisation is not a member there.',
    'removal-before-membership': 'a membership ends on a later day than it began.',
    'unknown-organisation': 'no such organisation is registered.',
    'unknown-value-chain': 'the programme has no such value chain.',
    'unknown-programme': 'no such programme is registered.',
    'value-chain-exists': 'the value chain is already registered.',
    'programme-exists': 'the programme is already registered.',
    'too-many-value-chains': 'the programme has as many value chains as the ledger keeps for one programme.',
  },
  impactHeading: 'Impact',
  impactIntro:
    'Waste used as raw material: the waste (collected by a kommune, or a residual an organisation registered) that a member reprocessed during the period, each gram once, when it is first reprocessed. CO2e avoided: those tonnes and the reused tonnes times the emission factor of their route; an unknown factor leaves the figure unknown, never zero.',
  impactScope: (scope, from, to) => `${scope}, ${from} – ${to}`,
  wasteHeading: 'Waste used as raw material',
  wasteTotal: (tonnes) => `${tonnes} t in total`,
  wasteSplit: (members, taggedOnly) => `of which ${members} t by members, and ${taggedOnly} t by others from material tagged with the programme at origin.`,
  byOrigin: 'By origin',
  origin: 'Origin',
  originClass: 'Kind',
  tonnes: 'Tonnes',
  byMember: 'By organisation that reprocessed it',
  notMember: 'not a member: tagged material',
  noWaste: 'No waste was used as raw material in the period.',
  reusedHeading: 'Reused',
  reusedTotal: (tonnes) => `${tonnes} t sold or exported for reuse, or placed on the market, without having been reprocessed.`,
  co2Heading: 't CO2e avoided',
  co2InForce: 'Each event under the emission factor set in force on its day.',
  co2Named: (setId, validFrom) => `Every event under the set ${setId} (valid from ${validFrom}).`,
  co2Total: (tonnes) => `${tonnes} t CO2e avoided in total.`,
  co2TotalUnknown: (known) => `The total is unknown: a route has no known factor. The routes with a known factor avoid ${known} t CO2e.`,
  route: 'Route',
  routes: { recycling: 'Recycling', reuse: 'Reuse', repair: 'Repair', remanufacturing: 'Remanufacturing' },
  mass: 'Tonnes of textile',
  factor: 'kg CO2e per kg',
  source: 'Source of the factor',
  avoided: 't CO2e avoided',
  unknown: 'unknown',
  factorSetOf: 'Factor set',
  noFactorSet: 'no set in force',
  partHeading: (set, from, to) => `${set}: events ${from} – ${to}`,
  organisationsHeading: 'Organisations and SMEs',
  organisationsCount: (count) => `${count} organisations took part in the period.`,
  smesCount: (count, unknown) => `${count} of them SMEs; ${unknown} with no size declared (never counted as SMEs).`,
  circularityHeading: 'Where the waste went (circularity)',
  circularityIntro: (collected) => `${collected} t collected or registered in the period by members or tagged with the programme; every gram in one bucket.`,
  bucket: 'Fate',
  symbiosisHeading: 'Symbiosis: residuals matched and traded through the catalogue',
  symbiosisIntro:
    'Deals a member took part in, as seller or buyer, on the day. Matched: accepted in the period and not called off, at the tonnes dispatched (or reserved, before dispatch). Traded: received in the period, at the tonnes received. Classic symbiosis: a firm’s own residual, straight to the buyer; via the market: through collectors or processors.',
  symbiosisKind: 'How it travelled',
  symbiosisKinds: { classic: 'Classic symbiosis', viaMarket: 'Via the market' },
  matchedTonnes: 'Tonnes matched',
  tradedTonnes: 'Tonnes traded',
  dealsCount: 'Deals',
  recurringDeals: (count) => `And ${count} deals on recurring streams, counted but not weighed: their deliveries are ordinary transfers.`,
  downloads: 'Downloads',
  downloadCsv: 'Download the impact report (CSV)',
  downloadJson: 'Download the impact report (JSON)',
};

const DA: ProgrammesMessages = {
  nav: 'Programmer',
  listTitle: 'Programmer',
  listIntro: 'Regionale programmer og deres værdikæder, med de organisationer, der deltager i år, og hvor mange af dem der er SMV’er (efter EU’s definition, som hver organisation har oplyst sin størrelse).',
  none: 'Der er endnu ikke registreret et program.',
  programme: 'Program',
  valueChains: 'Værdikæder',
  manager: 'Leder',
  membersInYear: (year) => `Medlemmer i ${year}`,
  smesInYear: (year) => `SMV’er i ${year}`,
  noManager: 'kun operatøren',
  noValueChains: 'Ingen værdikæder endnu.',
  title: (name) => `Program: ${name}`,
  chainTitle: (chain, programme) => `Værdikæden ${chain} (${programme})`,
  tag: 'Mærke på materiale ved oprindelsen',
  noTag: 'intet',
  registered: 'Registreret',
  programmeId: 'Programmets id',
  wholeProgramme: 'Hele programmet',
  backToList: 'Alle programmer',
  backToProgramme: (name) => `Tilbage til ${name}`,
  unknownChain: 'Programmet har ingen sådan værdikæde.',
  reportHeading: 'Periode og rapportens valg',
  periodFrom: 'Fra (første dag)',
  periodTo: 'Til (sidste dag, medregnet)',
  valueChainFilter: 'Værdikæde',
  allValueChains: 'Alle (hele programmet)',
  factorSetChoice: 'Emissionsfaktorer',
  factorSetInForce: 'Det sæt, der gjaldt på hver hændelses dag',
  factorSetNamed: (setId, validFrom) => `${setId} (gælder fra ${validFrom})`,
  asOfLabel: 'Som registret så ud (dansk tid, tom = nu)',
  asOfHelp: 'Et tidligere tidspunkt genlæser effektrapporten, som den så ud dengang; medlemmer og formularer er altid nu.',
  asOfInvalid: 'Angiv dato og klokkeslæt, eller lad feltet være tomt for nu.',
  show: 'Vis',
  periodInvalid: 'Første dag skal være en dato på eller før sidste dag.',
  asOfShown: (when, position) => `Effektrapporten, som registret så ud ${when} (logposition ${position}).`,
  asOfNow: 'Effektrapporten, som registret ser ud nu.',
  membersHeading: (from, to) => `Medlemmer ${from} – ${to}`,
  noMembers: 'Ingen organisation var medlem i perioden.',
  membersCounts: (organisations, smes, notSmes, unknown) => `${organisations} organisationer deltog: ${smes} SMV’er, ${notSmes} ikke SMV’er, ${unknown} uden oplyst størrelse (tælles aldrig som SMV).`,
  organisation: 'Organisation',
  memberships: 'Medlemskaber',
  smeStatus: 'SMV-status',
  membershipLine: (scope, from, until) => (until === null ? `${scope}: fra ${from}` : `${scope}: fra ${from} til ${until} (ikke medlem den dag)`),
  smeWithDay: (status, appliesFrom) => (appliesFrom === null ? status : `${status} (størrelse oplyst fra ${appliesFrom})`),
  lastMemberDay: 'Status aflæst',
  manageHeading: 'Administrér programmet',
  manageIntro: 'Operatøren og programmets leder registrerer værdikæder og tilføjer og fjerner medlemmer; registret afgør det og siger hvorfor, når det afviser.',
  registerChainHeading: 'Registrér en værdikæde',
  chainName: 'Værdikædens navn',
  registerChain: 'Registrér værdikæde',
  chainRegistered: (name) => `Værdikæden ${name} er registreret.`,
  addMemberHeading: 'Tilføj et medlem',
  removeMemberHeading: 'Fjern et medlem',
  memberScope: 'Medlem af',
  fromDay: 'Medlem fra (dag)',
  removeFromDay: 'Ikke længere medlem fra (dag)',
  reason: 'Begrundelse',
  chooseOrganisation: 'Vælg en organisation',
  addMember: 'Tilføj medlem',
  removeMember: 'Fjern medlem',
  memberAdded: (name, from) => `${name} er medlem fra ${from}.`,
  memberRemoved: (name, from) => `${name} er ikke længere medlem fra ${from}.`,
  registerProgrammeHeading: 'Registrér et program (operatør)',
  programmeName: 'Programmets navn',
  programmeTag: 'Mærke, materiale bærer ved oprindelsen (små bogstaver, tal og bindestreger)',
  managerOptional: 'Ledes af',
  registerProgramme: 'Registrér program',
  programmeRegistered: (name) => `Programmet ${name} er registreret.`,
  optional: 'valgfrit',
  refused: (why) => `Afvist: ${why}`,
  refusals: {
    'not-programme-manager': 'kun operatøren eller programmets leder må ændre det.',
    'role-not-permitted': 'kun operatøren registrerer programmer.',
    'already-member': 'organisationen er allerede medlem der.',
    'membership-overlaps': 'et nyt medlemskab begynder tidligst den dag, det forrige sluttede.',
    'not-a-member': 'organisationen er ikke medlem der.',
    'removal-before-membership': 'et medlemskab slutter en senere dag, end det begyndte.',
    'unknown-organisation': 'der er ingen sådan organisation registreret.',
    'unknown-value-chain': 'programmet har ingen sådan værdikæde.',
    'unknown-programme': 'der er intet sådant program registreret.',
    'value-chain-exists': 'værdikæden er allerede registreret.',
    'programme-exists': 'programmet er allerede registreret.',
    'too-many-value-chains': 'programmet har så mange værdikæder, som registret gemmer for ét program.',
  },
  impactHeading: 'Effekt',
  impactIntro:
    'Affald brugt som råmateriale: det affald (indsamlet af en kommune, eller en restfraktion en organisation har registreret), som et medlem oparbejdede i perioden, hvert gram én gang, første gang det oparbejdes. Undgået CO2e: de tons og de genbrugte tons gange emissionsfaktoren for deres behandlingsvej; en ukendt faktor gør tallet ukendt, aldrig nul.',
  impactScope: (scope, from, to) => `${scope}, ${from} – ${to}`,
  wasteHeading: 'Affald brugt som råmateriale',
  wasteTotal: (tonnes) => `${tonnes} t i alt`,
  wasteSplit: (members, taggedOnly) => `heraf ${members} t af medlemmer og ${taggedOnly} t af andre, fra materiale mærket med programmet ved oprindelsen.`,
  byOrigin: 'Efter oprindelse',
  origin: 'Oprindelse',
  originClass: 'Art',
  tonnes: 'Tons',
  byMember: 'Efter organisationen, der oparbejdede det',
  notMember: 'ikke medlem: mærket materiale',
  noWaste: 'Der blev ikke brugt affald som råmateriale i perioden.',
  reusedHeading: 'Genbrugt',
  reusedTotal: (tonnes) => `${tonnes} t solgt eller eksporteret til genbrug eller markedsført uden at være oparbejdet.`,
  co2Heading: 't CO2e undgået',
  co2InForce: 'Hver hændelse efter det sæt emissionsfaktorer, der gjaldt på dens dag.',
  co2Named: (setId, validFrom) => `Alle hændelser efter sættet ${setId} (gælder fra ${validFrom}).`,
  co2Total: (tonnes) => `${tonnes} t CO2e undgået i alt.`,
  co2TotalUnknown: (known) => `Det samlede tal er ukendt: en behandlingsvej har ingen kendt faktor. Behandlingsvejene med kendt faktor undgår ${known} t CO2e.`,
  route: 'Behandlingsvej',
  routes: { recycling: 'Genanvendelse', reuse: 'Genbrug', repair: 'Reparation', remanufacturing: 'Genfremstilling' },
  mass: 'Tons tekstil',
  factor: 'kg CO2e pr. kg',
  source: 'Faktorens kilde',
  avoided: 't CO2e undgået',
  unknown: 'ukendt',
  factorSetOf: 'Faktorsæt',
  noFactorSet: 'intet sæt gjaldt',
  partHeading: (set, from, to) => `${set}: hændelser ${from} – ${to}`,
  organisationsHeading: 'Organisationer og SMV’er',
  organisationsCount: (count) => `${count} organisationer deltog i perioden.`,
  smesCount: (count, unknown) => `${count} af dem SMV’er; ${unknown} uden oplyst størrelse (tælles aldrig som SMV).`,
  circularityHeading: 'Hvor affaldet endte (cirkularitet)',
  circularityIntro: (collected) => `${collected} t indsamlet eller registreret i perioden af medlemmer eller mærket med programmet; hvert gram i én kategori.`,
  bucket: 'Skæbne',
  symbiosisHeading: 'Symbiose: restfraktioner matchet og handlet gennem kataloget',
  symbiosisIntro:
    'Aftaler, som et medlem deltog i som sælger eller køber, på dagen. Matchet: accepteret i perioden og ikke aflyst, med de tons der blev afsendt (eller reserveret, før afsendelse). Handlet: modtaget i perioden, med de tons der blev modtaget. Klassisk symbiose: en virksomheds egen restfraktion direkte til køberen; via markedet: gennem indsamlere eller oparbejdere.',
  symbiosisKind: 'Vej',
  symbiosisKinds: { classic: 'Klassisk symbiose', viaMarket: 'Via markedet' },
  matchedTonnes: 'Tons matchet',
  tradedTonnes: 'Tons handlet',
  dealsCount: 'Aftaler',
  recurringDeals: (count) => `Og ${count} aftaler om tilbagevendende strømme, talt men ikke vejet: deres leverancer er almindelige overdragelser.`,
  downloads: 'Downloads',
  downloadCsv: 'Hent effektrapporten (CSV)',
  downloadJson: 'Hent effektrapporten (JSON)',
};

export const PROGRAMMES_MESSAGES: Readonly<Record<Locale, ProgrammesMessages>> = { en: EN, da: DA };
