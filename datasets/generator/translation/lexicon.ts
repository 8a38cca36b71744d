/**
 * Kelvari, the invented target language: its closed-class words (written by hand), its
 * morphology (gender, number, case, person, tense) and a seeded coiner that gives every English
 * content word a Kelvari stem. Genders of non-human nouns are drawn at random, so a model can only
 * learn them noun by noun, which is one of the things that separates small from large models.
 */
import { Rng } from '../rng';
import type { EnglishAdjective, EnglishNoun, EnglishVerb, Tense } from './english';
import {
  ADJECTIVES,
  LOCATIVES,
  MANNER_ADVERBS,
  MOTION_PREPOSITIONS,
  NAMES,
  NOUNS,
  NUMERALS,
  TIME_ADVERBS,
  VERBS,
  WITH,
} from './english';

/** Grammatical gender: class I (default) and class II. */
export type Gender = 'I' | 'II';
/** Grammatical number. */
export type GrammaticalNumber = 'sg' | 'pl';
/** Nominative (subject), accusative (object), dative (recipient, object of a postposition). */
export type Case = 'nom' | 'acc' | 'dat';
/** The persons the grammar uses ("you" is always singular to keep English unambiguous). */
export type Person = '1sg' | '2sg' | '3sg' | '1pl' | '3pl';
/** Determiner kinds shared by both languages. */
export type DeterminerKind = 'the' | 'a' | 'some' | 'this' | 'that' | 'every';

/** Kelvari determiners by kind, gender and number; they precede the noun. */
export const DETERMINERS: Readonly<
  Record<DeterminerKind, Record<Gender, Partial<Record<GrammaticalNumber, string>>>>
> = {
  the: { I: { sg: 'ti', pl: 'tin' }, II: { sg: 'su', pl: 'sun' } },
  a: { I: { sg: 'ek' }, II: { sg: 'ima' } },
  some: { I: { pl: 'bel' }, II: { pl: 'bela' } },
  this: { I: { sg: 'vo', pl: 'von' }, II: { sg: 'va', pl: 'van' } },
  that: { I: { sg: 'do', pl: 'don' }, II: { sg: 'da', pl: 'dan' } },
  every: { I: { sg: 'oli' }, II: { sg: 'ola' } },
};

/** Personal pronouns: English nominative/accusative and the Kelvari stem (which takes case). */
export const PRONOUNS: Readonly<
  Record<string, { nom: string; acc: string; xx: string; person: Person; gender: Gender }>
> = {
  I: { nom: 'I', acc: 'me', xx: 'mi', person: '1sg', gender: 'I' },
  you: { nom: 'you', acc: 'you', xx: 'tu', person: '2sg', gender: 'I' },
  he: { nom: 'he', acc: 'him', xx: 'ar', person: '3sg', gender: 'I' },
  she: { nom: 'she', acc: 'her', xx: 'ira', person: '3sg', gender: 'II' },
  we: { nom: 'we', acc: 'us', xx: 'nos', person: '1pl', gender: 'I' },
  they: { nom: 'they', acc: 'them', xx: 'zen', person: '3pl', gender: 'I' },
};

/** Relative pronouns agree with the head noun in gender and number and take case. */
export const RELATIVE: Readonly<Record<Gender, Record<GrammaticalNumber, string>>> = {
  I: { sg: 'ke', pl: 'ken' },
  II: { sg: 'kia', pl: 'kian' },
};

/** Other closed-class words. */
export const FUNCTION_WORDS = {
  negation: 'nu',
  question: 'ka',
  nounAnd: 'ta',
  clauseAnd: 'e',
  but: 'ma',
  because: 'sabe',
  when: 'rune',
  who: 'ker',
  what: 'hal',
  where: 'hova',
  copula: 'bes',
} as const;

/** Tense vowel between a verb stem and its person ending. */
export const TENSE_MARKERS: Readonly<Record<Tense, string>> = {
  present: 'e',
  past: 'a',
  future: 'o',
};

/** Person and number endings of finite verbs. */
export const PERSON_ENDINGS: Readonly<Record<Person, string>> = {
  '1sg': 'm',
  '2sg': 's',
  '3sg': 't',
  '1pl': 'mu',
  '3pl': 'nt',
};

/** Adjective endings: adjectives follow the noun and agree in gender and number. */
export const ADJECTIVE_ENDINGS: Readonly<Record<Gender, Record<GrammaticalNumber, string>>> = {
  I: { sg: 'o', pl: 'oi' },
  II: { sg: 'a', pl: 'ai' },
};

const endsInVowel = (word: string): boolean => /[aeiou]$/.test(word);

/** Adds a case ending; the ending has a linking vowel after consonants. */
export function withCase(word: string, grammaticalCase: Case): string {
  if (grammaticalCase === 'nom') return word;
  if (grammaticalCase === 'acc') return word + (endsInVowel(word) ? 'k' : 'ok');
  return word + (endsInVowel(word) ? 'ni' : 'eni');
}

/** The number form of a noun lemma: plural endings depend on gender. */
export function nounForm(lemma: string, gender: Gender, number: GrammaticalNumber): string {
  if (number === 'sg') return lemma;
  if (gender === 'I') return lemma + (endsInVowel(lemma) ? 'n' : 'en');
  return lemma + (endsInVowel(lemma) ? 'r' : 'ar');
}

/** An inflected adjective. */
export function adjectiveForm(stem: string, gender: Gender, number: GrammaticalNumber): string {
  return stem + ADJECTIVE_ENDINGS[gender][number];
}

/** A finite verb: stem, tense vowel, person ending. */
export function verbForm(stem: string, tense: Tense, person: Person): string {
  return stem + TENSE_MARKERS[tense] + PERSON_ENDINGS[person];
}

/** A noun with its Kelvari lemma and gender. */
export interface Noun extends EnglishNoun {
  xx: string;
  gender: Gender;
}
/** A verb with its Kelvari stem (always consonant-final). */
export interface Verb extends EnglishVerb {
  xx: string;
}
/** An adjective with its Kelvari stem (always consonant-final). */
export interface Adjective extends EnglishAdjective {
  xx: string;
}
/** Everything the realisers need; built once per seed. */
export interface Lexicon {
  nouns: readonly Noun[];
  verbs: readonly Verb[];
  adjectives: readonly Adjective[];
  /** English word or phrase to Kelvari word, for the invariable classes. */
  manner: ReadonlyMap<string, string>;
  time: ReadonlyMap<string, string>;
  postpositions: ReadonlyMap<string, string>;
  numerals: ReadonlyMap<string, string>;
  names: typeof NAMES;
}

const ONSETS = 'b d f g h k l m n p r s t v z br dr gr kr tr pl sk sh'.split(' ');
const VOWELS = 'a a e e i o o u'.split(' ');
const CODAS = 'l n r s t k m d v rn lt sk'.split(' ');

/** Coins unique words from random syllables; `reserved` starts with every closed-class form. */
class Coiner {
  readonly #rng: Rng;
  readonly #used = new Set<string>();

  constructor(rng: Rng, reserved: Iterable<string>) {
    this.#rng = rng;
    for (const word of reserved) this.#used.add(word);
  }

  coin(minSyllables: number, maxSyllables: number, consonantFinal: boolean): string {
    for (;;) {
      const syllables = this.#rng.int(minSyllables, maxSyllables);
      let word = '';
      for (let i = 0; i < syllables; i++) {
        // Only word-initial syllables may lack an onset, so vowels never collide.
        const onset = i === 0 && this.#rng.chance(0.2) ? '' : this.#rng.pick(ONSETS);
        word += onset + this.#rng.pick(VOWELS);
      }
      if (consonantFinal) word += this.#rng.pick(CODAS);
      if (word.length < 3 || this.#used.has(word)) continue;
      this.#used.add(word);
      return word;
    }
  }
}

function reservedWords(): string[] {
  const words: string[] = [...Object.values(FUNCTION_WORDS)];
  for (const byGender of Object.values(DETERMINERS))
    for (const byNumber of Object.values(byGender)) words.push(...Object.values(byNumber));
  for (const pronoun of Object.values(PRONOUNS)) words.push(pronoun.xx);
  for (const byNumber of Object.values(RELATIVE)) words.push(...Object.values(byNumber));
  return words.flatMap((word) => [word, withCase(word, 'acc'), withCase(word, 'dat')]);
}

/**
 * Builds the lexicon. The same English word always gets the same Kelvari word (e.g. transitive
 * and intransitive "eat"), and the coining order is the order of the hand-written lists.
 */
export function buildLexicon(seed: number): Lexicon {
  const rng = new Rng(seed);
  const coiner = new Coiner(rng, reservedWords());
  const memo = new Map<string, string>();
  const coin = (key: string, min: number, max: number, consonantFinal: boolean): string => {
    let word = memo.get(key);
    if (word === undefined) {
      word = coiner.coin(min, max, consonantFinal);
      memo.set(key, word);
    }
    return word;
  };
  const nouns = NOUNS.map((noun) => ({
    ...noun,
    xx: coin(`noun:${noun.sg}`, 1, 2, rng.chance(0.6)),
    gender: noun.natural ?? (rng.chance(0.5) ? 'I' : 'II'),
  }));
  const verbs = VERBS.map((verb) => ({ ...verb, xx: coin(`verb:${verb.base}`, 1, 2, true) }));
  const adjectives = ADJECTIVES.map((adjective) => ({
    ...adjective,
    xx: coin(`adj:${adjective.en}`, 1, 2, true),
  }));
  const invariable = (words: readonly string[], kind: string): Map<string, string> =>
    new Map(words.map((en) => [en, coin(`${kind}:${en}`, 2, 3, false)]));
  return {
    nouns,
    verbs,
    adjectives,
    manner: invariable(MANNER_ADVERBS, 'manner'),
    time: invariable(
      TIME_ADVERBS.map((time) => time.en),
      'time',
    ),
    postpositions: invariable([...LOCATIVES, ...MOTION_PREPOSITIONS, WITH], 'post'),
    numerals: invariable(NUMERALS, 'num'),
    names: NAMES,
  };
}
