/**
 * Hand-written word lists for the `headlines-sum` reports: invented towns, people, organisations
 * and the kinds of events a local news report covers. Every event has a past form for the report,
 * a present form for the headline and a base form for plans ("plans to open").
 */

/** Invented town names. */
export const TOWNS: readonly string[] =
  `Tellamoor Brackenford Ostvale Wenmouth Dunmere Fallowby Greywick
  Lindhollow Marrowby Pellbridge Quennford Rastholm Saltmere Thornwick Ulverby Vantry Westerhale
  Yarlow Ashcombe Belmoor Corrin Dellacourt Eskerby Farrowgate Gildon Halsey Inverbrook Jessop
  Kettleby Lorrimer Mistleford Norrbank Oldacre Prestwold Ravensholt Sennick Tolliver Upwick
  Varrowmere Wyndle`
    .trim()
    .split(/\s+/);

/** Surnames for companies, foundations and people. */
export const SURNAMES: readonly string[] = `Varga Brandt Okafor Lindqvist Moreau Castell Novak Hale
  Orsini Petrov Adeyemi Sato Kowal Fennimore Drummond Alvarez Lindgren Tanaka Mensah Halloran
  Duarte Kessler Ostrowski Bellamy Quint Rahman Sorensen Whitlock Yilmaz Zeller`
  .trim()
  .split(/\s+/);

/** First names with the pronoun used for them. */
export const PEOPLE: readonly { name: string; pronoun: 'he' | 'she' }[] = [
  ...'Mara Ines Olga Priya Ruth Selma Talia Wanda Yara Greta Leila Nadia Ada Bea Cora'
    .split(' ')
    .map((name) => ({ name, pronoun: 'she' as const })),
  ...'Anton Bruno Cyril Dmitri Emil Farid Goran Henrik Idris Jonah Karl Luca Milo Niko Omar'
    .split(' ')
    .map((name) => ({ name, pronoun: 'he' as const })),
];

/** Days and months for dates in the reports. */
export const DAYS: readonly string[] =
  'Monday Tuesday Wednesday Thursday Friday Saturday Sunday'.split(' ');
export const MONTHS: readonly string[] =
  'January February March April May June July August September October November December'.split(
    ' ',
  );
export const WEATHER: readonly string[] = 'dry windy cold mild wet sunny cloudy'.split(' ');

/** Kinds of actor. Each kind knows its long name (reports) and short name (headlines). */
export type ActorKind =
  | 'council'
  | 'company'
  | 'brigade'
  | 'hospital'
  | 'museum'
  | 'club'
  | 'university'
  | 'zoo'
  | 'foundation'
  | 'school';

/** How to name an actor of each kind from a town or a surname. */
export const ACTOR_NAMES: Readonly<
  Record<
    ActorKind,
    { from: 'town' | 'surname'; long: (root: string) => string; short: (root: string) => string }
  >
> = {
  council: { from: 'town', long: (t) => `the ${t} city council`, short: (t) => `${t} council` },
  company: { from: 'surname', long: (s) => s, short: (s) => s },
  brigade: {
    from: 'town',
    long: (t) => `the ${t} fire brigade`,
    short: (t) => `${t} fire brigade`,
  },
  hospital: { from: 'town', long: (t) => `${t} General Hospital`, short: (t) => `${t} hospital` },
  museum: { from: 'town', long: (t) => `the ${t} Museum of Art`, short: (t) => `${t} museum` },
  club: { from: 'town', long: (t) => `the football club ${t} United`, short: (t) => `${t} United` },
  university: {
    from: 'town',
    long: (t) => `the University of ${t}`,
    short: (t) => `${t} university`,
  },
  zoo: { from: 'town', long: (t) => `the ${t} Zoo`, short: (t) => `${t} Zoo` },
  foundation: {
    from: 'surname',
    long: (s) => `the ${s} Foundation`,
    short: (s) => `${s} Foundation`,
  },
  school: { from: 'surname', long: (s) => `${s} Primary School`, short: (s) => `${s} school` },
};

/** Company names are a surname plus one of these. */
export const INDUSTRIES: readonly string[] =
  'Motors Foods Logistics Textiles Electric Builders Transport Appliances'.split(' ');

/** One kind of event. Detail sentences may use {n} {objects} {place} {actor} {day} {m}. */
export interface EventKind {
  actors: readonly ActorKind[];
  past: string;
  present: string;
  base: string;
  objects: readonly string[];
  /** Optional adjective in the report ("new"), dropped in the headline. */
  adjectives: readonly string[];
  range: readonly [number, number];
  details: readonly string[];
}

export const EVENTS: readonly EventKind[] = [
  {
    actors: ['council', 'university'],
    past: 'opened',
    present: 'opens',
    base: 'open',
    objects: ['parks', 'bridges', 'libraries', 'playgrounds', 'bus stops', 'clinics'],
    adjectives: ['new', ''],
    range: [2, 12],
    details: [
      'The {objects} were built over {m} months.',
      'Children from {place} were the first visitors.',
    ],
  },
  {
    actors: ['company', 'hospital', 'university', 'council'],
    past: 'hired',
    present: 'hires',
    base: 'hire',
    objects: ['workers', 'engineers', 'drivers', 'nurses', 'cooks', 'cleaners'],
    adjectives: ['new', 'extra', ''],
    range: [3, 250],
    details: [
      'The new staff will start work on {day}.',
      'More than {m} people applied for the jobs.',
    ],
  },
  {
    actors: ['company'],
    past: 'cut',
    present: 'cuts',
    base: 'cut',
    objects: ['jobs'],
    adjectives: [''],
    range: [5, 400],
    details: ['Unions said they would meet on {day}.', 'The company blamed falling sales.'],
  },
  {
    actors: ['company'],
    past: 'recalled',
    present: 'recalls',
    base: 'recall',
    objects: ['cars', 'ovens', 'bicycles', 'heaters', 'toys', 'kettles'],
    adjectives: ['faulty', ''],
    range: [20, 900],
    details: ['Owners were told to stop using them at once.', 'A fault was found in {m} of them.'],
  },
  {
    actors: ['brigade'],
    past: 'rescued',
    present: 'rescues',
    base: 'rescue',
    objects: ['people', 'hikers', 'swimmers', 'horses', 'families'],
    adjectives: [''],
    range: [2, 40],
    details: ['Nobody was seriously hurt.', 'The rescue took about {m} hours.'],
  },
  {
    actors: ['hospital'],
    past: 'treated',
    present: 'treats',
    base: 'treat',
    objects: ['patients', 'children', 'cyclists'],
    adjectives: [''],
    range: [4, 120],
    details: [
      'Most of them went home the same day.',
      'Doctors worked for {m} hours without a break.',
    ],
  },
  {
    actors: ['club'],
    past: 'signed',
    present: 'signs',
    base: 'sign',
    objects: ['players', 'coaches', 'goalkeepers'],
    adjectives: ['new', 'young', ''],
    range: [2, 9],
    details: [
      'The first match of the season is on {day}.',
      'The club has not won a title for {m} years.',
    ],
  },
  {
    actors: ['school', 'museum', 'university', 'company'],
    past: 'won',
    present: 'wins',
    base: 'win',
    objects: ['awards', 'prizes', 'medals'],
    adjectives: ['national', 'regional', ''],
    range: [2, 12],
    details: ['The prizes were handed out on {day}.', 'About {m} entries competed this year.'],
  },
  {
    actors: ['museum'],
    past: 'received',
    present: 'receives',
    base: 'receive',
    objects: ['paintings', 'statues', 'maps', 'letters'],
    adjectives: ['old', 'rare', ''],
    range: [3, 60],
    details: ['They will go on show in {month}.', 'Some of them are over {m} years old.'],
  },
  {
    actors: ['council', 'school', 'foundation'],
    past: 'planted',
    present: 'plants',
    base: 'plant',
    objects: ['trees', 'hedges', 'fruit trees'],
    adjectives: ['young', ''],
    range: [20, 900],
    details: ['Volunteers helped with the work.', 'The planting took {m} days.'],
  },
  {
    actors: ['company'],
    past: 'cancelled',
    present: 'cancels',
    base: 'cancel',
    objects: ['flights', 'trains', 'ferries', 'deliveries'],
    adjectives: [''],
    range: [4, 300],
    details: ['Passengers were offered refunds.', 'A strike is expected to last {m} days.'],
  },
  {
    actors: ['company', 'council'],
    past: 'built',
    present: 'builds',
    base: 'build',
    objects: ['homes', 'flats', 'houses'],
    adjectives: ['new', 'affordable', ''],
    range: [10, 400],
    details: ['The first families moved in on {day}.', 'Each of them has {m} rooms.'],
  },
  {
    actors: ['council'],
    past: 'closed',
    present: 'closes',
    base: 'close',
    objects: ['roads', 'bridges', 'car parks'],
    adjectives: [''],
    range: [2, 12],
    details: ['Drivers were asked to use other routes.', 'The works will last {m} weeks.'],
  },
  {
    actors: ['zoo'],
    past: 'welcomed',
    present: 'welcomes',
    base: 'welcome',
    objects: ['lion cubs', 'penguins', 'giraffes', 'zebras', 'otters'],
    adjectives: ['baby', ''],
    range: [2, 9],
    details: [
      'Visitors will be able to see them from {month}.',
      'Keepers have named {m} of them so far.',
    ],
  },
  {
    actors: ['university', 'museum'],
    past: 'discovered',
    present: 'discovers',
    base: 'discover',
    objects: ['fossils', 'shipwrecks', 'beetle species', 'coins'],
    adjectives: [''],
    range: [2, 40],
    details: ['The finds were made during a {m}-week survey.', 'Experts called it a rare result.'],
  },
  {
    actors: ['foundation', 'club', 'school'],
    past: 'raised',
    present: 'raises',
    base: 'raise',
    objects: ['thousand crowns'],
    adjectives: [''],
    range: [2, 90],
    details: ['The money will go to the local hospital.', 'More than {m} people took part.'],
  },
  {
    actors: ['council', 'company'],
    past: 'bought',
    present: 'buys',
    base: 'buy',
    objects: ['buses', 'trams', 'trucks', 'ferries'],
    adjectives: ['electric', 'new', ''],
    range: [2, 60],
    details: ['They will be in service by {month}.', 'The old ones are {m} years old.'],
  },
  {
    actors: ['council'],
    past: 'repaired',
    present: 'repairs',
    base: 'repair',
    objects: ['streetlights', 'bridges', 'bus shelters', 'roofs'],
    adjectives: [''],
    range: [3, 200],
    details: ['The repairs were finished ahead of time.', 'Complaints had risen for {m} months.'],
  },
];

/** Sentences about the key event that fit any event. */
export const GENERIC_DETAILS: readonly string[] = [
  '{person}, a spokesperson for {actor}, said the decision followed {m} months of planning.',
  'Residents of {place} welcomed the news.',
  '{person}, who lives in {place}, said {pronoun} was surprised by the announcement.',
  'Officials said more details would follow next week.',
  '{actor} first announced the plan in {month}.',
];
