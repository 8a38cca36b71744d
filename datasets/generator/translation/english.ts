/**
 * The English side of the translation grammar's vocabulary, written by hand for EcoEval. Each
 * entry carries the English forms the realiser needs and the semantic tags that keep generated
 * sentences sensible (people read letters, animals do not). The invented-language forms are
 * attached in `lexicon.ts`.
 */

/** Semantic classes used for selectional restrictions. */
export type Tag =
  | 'person'
  | 'animal'
  | 'bird'
  | 'food'
  | 'thing'
  | 'text'
  | 'song'
  | 'place'
  | 'vehicle'
  | 'plant'
  | 'openable'
  | 'built';

/** A countable English noun. `natural` fixes the invented gender for sexed person nouns. */
export interface EnglishNoun {
  sg: string;
  pl: string;
  tags: readonly Tag[];
  natural?: 'I' | 'II';
}

/** A verb's English forms and what it may take as subject, object and recipient. */
export interface EnglishVerb {
  base: string;
  third: string;
  past: string;
  kind: 'intransitive' | 'transitive' | 'ditransitive';
  subject: readonly Tag[];
  object: readonly Tag[];
  recipient: readonly Tag[];
  /** Intransitive verbs of motion take "to"/"from" phrases instead of locatives. */
  motion: boolean;
}

/** An adjective and the noun classes it can describe. */
export interface EnglishAdjective {
  en: string;
  tags: readonly Tag[];
}

function plural(sg: string): string {
  if (/(s|sh|ch|x|z)$/.test(sg)) return sg + 'es';
  if (/[^aeiou]y$/.test(sg)) return sg.slice(0, -1) + 'ies';
  return sg + 's';
}

/** Third person singular present, by the spelling rules of English. */
export function thirdPerson(base: string): string {
  if (base === 'have') return 'has';
  if (/(s|sh|ch|x|z|o)$/.test(base)) return base + 'es';
  if (/[^aeiou]y$/.test(base)) return base.slice(0, -1) + 'ies';
  return base + 's';
}

/** Parses "word" or "word/plural" lists into nouns sharing the same tags. */
function nouns(tags: readonly Tag[], spec: string, natural?: 'I' | 'II'): EnglishNoun[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((item) => {
      const [sg, pl] = item.split('/');
      return natural
        ? { sg, pl: pl ?? plural(sg), tags, natural }
        : { sg, pl: pl ?? plural(sg), tags };
    });
}

/** All nouns. Mass nouns and nouns with identical singular and plural are left out on purpose. */
export const NOUNS: readonly EnglishNoun[] = [
  ...nouns(['person'], 'man/men boy king father brother uncle fisherman/fishermen monk', 'I'),
  ...nouns(['person'], 'woman/women girl queen mother sister aunt nun', 'II'),
  ...nouns(
    ['person'],
    `child/children teacher doctor farmer baker soldier student friend neighbour sailor singer
     driver writer painter nurse judge guard hunter merchant poet thief/thieves cook stranger
     prince/princes guest shepherd`,
  ),
  ...nouns(
    ['animal'],
    `dog cat horse cow fox wolf/wolves bear rabbit mouse/mice goat lion snake frog pig donkey
     monkey tiger camel`,
  ),
  ...nouns(['animal', 'bird'], 'bird duck owl eagle goose/geese hen'),
  ...nouns(
    ['food'],
    `apple cake egg pear orange carrot potato/potatoes tomato/tomatoes plum lemon onion cookie pie
     sandwich melon peach grape nut`,
  ),
  ...nouns(['thing', 'openable'], 'box bag bottle basket door window gate drawer'),
  ...nouns(
    ['thing'],
    `key cup chair table lamp knife/knives ball hat coat shoe ring stone rope candle clock map
     picture coin bell flag mirror pen bowl blanket drum ladder spoon`,
  ),
  ...nouns(['thing', 'text', 'openable'], 'book letter'),
  ...nouns(['text'], 'newspaper story/stories poem message note'),
  ...nouns(['song'], 'song melody/melodies lullaby/lullabies'),
  ...nouns(['place', 'built'], 'house bridge tower church castle barn school'),
  ...nouns(
    ['place'],
    `garden river forest market village city/cities mountain field lake kitchen street park
     harbour shop farm island valley hill station library/libraries hospital room beach cave road`,
  ),
  ...nouns(['vehicle'], 'car train cart bus bicycle wagon'),
  ...nouns(['vehicle', 'built'], 'boat ship'),
  ...nouns(['plant'], 'tree flower rose bush'),
];

const ANIMATE: readonly Tag[] = ['person', 'animal'];
const OBJECTS: readonly Tag[] = ['thing', 'food', 'text', 'vehicle'];
const ANY: readonly Tag[] = [
  'person',
  'animal',
  'food',
  'thing',
  'text',
  'place',
  'vehicle',
  'plant',
];

function verb(
  kind: EnglishVerb['kind'],
  forms: string,
  subject: readonly Tag[],
  object: readonly Tag[] = [],
  recipient: readonly Tag[] = [],
  motion = false,
): EnglishVerb {
  const [base, past] = forms.split('/');
  return { base, third: thirdPerson(base), past, kind, subject, object, recipient, motion };
}

/** All verbs, written as "base/past". */
export const VERBS: readonly EnglishVerb[] = [
  verb('intransitive', 'sleep/slept', ANIMATE),
  verb('intransitive', 'laugh/laughed', ['person']),
  verb('intransitive', 'cry/cried', ['person']),
  verb('intransitive', 'dance/danced', ['person']),
  verb('intransitive', 'wait/waited', ANIMATE),
  verb('intransitive', 'work/worked', ['person']),
  verb('intransitive', 'fall/fell', ['person', 'animal', 'thing', 'food']),
  verb('intransitive', 'jump/jumped', ANIMATE),
  verb('intransitive', 'smile/smiled', ['person']),
  verb('intransitive', 'shout/shouted', ['person']),
  verb('intransitive', 'rest/rested', ANIMATE),
  verb('intransitive', 'play/played', ANIMATE),
  verb('intransitive', 'sing/sang', ['person', 'animal']),
  verb('intransitive', 'eat/ate', ANIMATE),
  verb('intransitive', 'hide/hid', ANIMATE),
  verb('intransitive', 'walk/walked', ANIMATE, [], [], true),
  verb('intransitive', 'run/ran', ANIMATE, [], [], true),
  verb('intransitive', 'swim/swam', ANIMATE, [], [], true),
  verb('intransitive', 'travel/travelled', ['person'], [], [], true),
  verb('intransitive', 'go/went', ANIMATE, [], [], true),
  verb('intransitive', 'come/came', ANIMATE, [], [], true),
  verb('intransitive', 'fly/flew', ['bird'], [], [], true),
  verb('transitive', 'see/saw', ANIMATE, ANY),
  verb('transitive', 'watch/watched', ANIMATE, ['person', 'animal', 'vehicle']),
  verb('transitive', 'find/found', ANIMATE, [...OBJECTS, 'animal', 'person']),
  verb('transitive', 'lose/lost', ['person'], ['thing', 'text']),
  verb('transitive', 'buy/bought', ['person'], ['thing', 'food', 'vehicle', 'animal']),
  verb('transitive', 'sell/sold', ['person'], ['thing', 'food', 'vehicle', 'animal']),
  verb('transitive', 'carry/carried', ANIMATE, ['thing', 'food']),
  verb('transitive', 'bring/brought', ['person'], ['thing', 'food', 'text']),
  verb('transitive', 'take/took', ['person'], ['thing', 'food', 'text']),
  verb('transitive', 'open/opened', ['person'], ['openable']),
  verb('transitive', 'close/closed', ['person'], ['openable']),
  verb('transitive', 'break/broke', ANIMATE, ['thing']),
  verb('transitive', 'build/built', ['person'], ['built']),
  verb('transitive', 'paint/painted', ['person'], ['thing', 'place', 'vehicle']),
  verb('transitive', 'clean/cleaned', ['person'], ['thing', 'place', 'vehicle']),
  verb('transitive', 'cook/cooked', ['person'], ['food']),
  verb('transitive', 'eat/ate', ANIMATE, ['food']),
  verb('transitive', 'want/wanted', ANIMATE, ['thing', 'food', 'vehicle', 'animal']),
  verb('transitive', 'like/liked', ANIMATE, ANY),
  verb('transitive', 'love/loved', ['person'], ['person', 'animal', 'place', 'song']),
  verb('transitive', 'help/helped', ['person', 'animal'], ANIMATE),
  verb('transitive', 'meet/met', ['person'], ['person']),
  verb('transitive', 'visit/visited', ['person'], ['person', 'place']),
  verb('transitive', 'follow/followed', ANIMATE, ANIMATE),
  verb('transitive', 'chase/chased', ANIMATE, ['animal', 'vehicle']),
  verb('transitive', 'call/called', ['person'], ANIMATE),
  verb('transitive', 'wash/washed', ['person'], ['thing', 'animal', 'vehicle', 'food']),
  verb('transitive', 'read/read', ['person'], ['text']),
  verb('transitive', 'write/wrote', ['person'], ['text', 'song']),
  verb('transitive', 'sing/sang', ['person'], ['song']),
  verb('transitive', 'hide/hid', ANIMATE, ['thing', 'food', 'text']),
  verb('transitive', 'drop/dropped', ANIMATE, ['thing', 'food']),
  verb('transitive', 'steal/stole', ['person', 'animal'], ['thing', 'food', 'vehicle']),
  verb('transitive', 'fix/fixed', ['person'], ['thing', 'vehicle']),
  verb('transitive', 'count/counted', ['person'], ['thing', 'food', 'animal', 'person']),
  verb('transitive', 'hear/heard', ANIMATE, ['person', 'animal', 'song', 'vehicle']),
  verb('transitive', 'remember/remembered', ['person'], ANY),
  verb('transitive', 'forget/forgot', ['person'], ['thing', 'text', 'song', 'person']),
  verb('transitive', 'hold/held', ['person'], ['thing', 'food', 'animal']),
  verb('transitive', 'push/pushed', ANIMATE, ['thing', 'vehicle']),
  verb('transitive', 'pull/pulled', ANIMATE, ['thing', 'vehicle']),
  verb('transitive', 'feed/fed', ['person'], ['animal', 'person']),
  verb('transitive', 'teach/taught', ['person'], ['person', 'song']),
  verb('transitive', 'leave/left', ['person'], ['place', 'thing']),
  verb('transitive', 'drive/drove', ['person'], ['vehicle']),
  verb('transitive', 'plant/planted', ['person'], ['plant']),
  verb('transitive', 'peel/peeled', ['person'], ['food']),
  verb('ditransitive', 'give/gave', ['person'], ['thing', 'food', 'text'], ANIMATE),
  verb('ditransitive', 'show/showed', ['person'], OBJECTS, ['person']),
  verb('ditransitive', 'send/sent', ['person'], ['thing', 'food', 'text'], ['person']),
  verb('ditransitive', 'lend/lent', ['person'], ['thing', 'text', 'vehicle'], ['person']),
  verb('ditransitive', 'offer/offered', ['person'], ['thing', 'food'], ANIMATE),
  verb('ditransitive', 'throw/threw', ['person'], ['thing', 'food'], ANIMATE),
  verb('ditransitive', 'sell/sold', ['person'], ['thing', 'food', 'vehicle'], ['person']),
];

/** Adjectives; an empty tag list means "describes anything". */
export const ADJECTIVES: readonly EnglishAdjective[] = [
  ...'big small old young red blue green white black yellow brown little strange beautiful'
    .split(' ')
    .map((en) => ({ en, tags: [] as Tag[] })),
  ...'happy sad angry tired hungry brave clever lazy strong loud'
    .split(' ')
    .map((en) => ({ en, tags: ANIMATE })),
  ...'kind rich poor famous'.split(' ').map((en) => ({ en, tags: ['person'] as Tag[] })),
  { en: 'quiet', tags: ['person', 'animal', 'place'] },
  { en: 'busy', tags: ['person', 'place'] },
  ...'heavy broken empty wooden golden sharp round soft new clean dirty'
    .split(' ')
    .map((en) => ({ en, tags: ['thing', 'vehicle', 'text'] as Tag[] })),
  ...'sweet fresh ripe sour'.split(' ').map((en) => ({ en, tags: ['food'] as Tag[] })),
  ...'dark cold warm'.split(' ').map((en) => ({ en, tags: ['place'] as Tag[] })),
  { en: 'wild', tags: ['animal', 'plant'] },
  { en: 'tall', tags: ['person', 'plant', 'built'] },
  { en: 'long', tags: ['text', 'song', 'thing', 'vehicle'] },
];

/** Manner adverbs: they follow the verb phrase in English and precede the verb in Kelvari. */
export const MANNER_ADVERBS: readonly string[] =
  'quickly slowly quietly loudly carefully happily sadly gladly suddenly calmly'.split(' ');

/** Time expressions and the tenses they allow. */
export const TIME_ADVERBS: readonly { en: string; tenses: readonly Tense[] }[] = [
  { en: 'yesterday', tenses: ['past'] },
  { en: 'last week', tenses: ['past'] },
  { en: 'tomorrow', tenses: ['future'] },
  { en: 'next week', tenses: ['future'] },
  { en: 'every day', tenses: ['present'] },
  { en: 'now', tenses: ['present'] },
  { en: 'at night', tenses: ['present', 'past', 'future'] },
  { en: 'in the morning', tenses: ['present', 'past', 'future'] },
];

/** The three tenses the grammar inflects for. */
export type Tense = 'present' | 'past' | 'future';

/** Locative prepositions (Kelvari postpositions) and the motion ones. */
export const LOCATIVES: readonly string[] = [
  'in',
  'near',
  'behind',
  'next to',
  'in front of',
  'outside',
  'under',
  'on',
];
export const MOTION_PREPOSITIONS: readonly string[] = ['to', 'from', 'through', 'towards'];
/** Comitative "with" takes a person or animal. */
export const WITH = 'with';

/** Cardinal numbers used as determiners of plural nouns. */
export const NUMERALS: readonly string[] =
  'two three four five six seven eight nine ten eleven twelve twenty'.split(' ');

/** Personal names; they keep their spelling in Kelvari but take case endings. */
export const NAMES: readonly { en: string; gender: 'I' | 'II' }[] = [
  ...'Tomas Erik Jonas Leo Marco Felix Oskar Hugo Nils Ivan Samuel Adam Victor Paul Otto'
    .split(' ')
    .map((en) => ({ en, gender: 'I' as const })),
  ...'Anna Clara Lena Maria Sofia Emma Nora Ida Rosa Vera Julia Elsa Mila Hanna Laura'
    .split(' ')
    .map((en) => ({ en, gender: 'II' as const })),
];
