/**
 * Abstract sentence trees for the synchronous grammar and the random generator that grows them.
 * One tree is realised twice (`realize-en.ts`, `realize-xx.ts`), so the two sides of a pair can
 * never disagree about who did what to whom.
 */
import type { Rng } from '../rng';
import type { Tag, Tense } from './english';
import { LOCATIVES, MOTION_PREPOSITIONS, NUMERALS, TIME_ADVERBS, WITH } from './english';
import { PRONOUNS } from './lexicon';
import type {
  Adjective,
  DeterminerKind,
  Gender,
  GrammaticalNumber,
  Lexicon,
  Noun,
  Person,
  Verb,
} from './lexicon';

/** A relative clause attached to a noun; the gap is the head noun's role inside it. */
export interface RelativeClause {
  gap: 'subject' | 'object';
  verb: Verb;
  tense: Tense;
  /** The object (subject gap) or the subject (object gap) of the relative clause. */
  other: NounPhrase;
}

/** Noun phrases. `wh` stands for "who"/"what" in questions. */
export type NounPhrase =
  | {
      kind: 'noun';
      noun: Noun;
      number: GrammaticalNumber;
      determiner: DeterminerKind | { numeral: string };
      adjectives: Adjective[];
      relative?: RelativeClause;
    }
  | { kind: 'pronoun'; pronoun: keyof typeof PRONOUNS }
  | { kind: 'name'; name: string; gender: Gender }
  | { kind: 'coordination'; left: NounPhrase; right: NounPhrase }
  | { kind: 'wh'; word: 'who' | 'what' };

/** A prepositional (Kelvari: postpositional) phrase, or "where" in questions. */
export type Adjunct = { kind: 'pp'; preposition: string; object: NounPhrase } | { kind: 'where' };

/** The predicate types the grammar knows. */
export type Predicate =
  | { kind: 'intransitive'; verb: Verb }
  | { kind: 'transitive'; verb: Verb; object: NounPhrase }
  | { kind: 'ditransitive'; verb: Verb; object: NounPhrase; recipient: NounPhrase }
  | { kind: 'copula'; adjective: Adjective };

/** One finite clause. */
export interface Clause {
  subject: NounPhrase;
  predicate: Predicate;
  tense: Tense;
  negated: boolean;
  adjunct?: Adjunct;
  manner?: string;
  time?: string;
}

/** A whole sentence. */
export type Sentence =
  | { kind: 'statement'; clause: Clause }
  | { kind: 'compound'; connector: 'and' | 'but' | 'because' | 'when'; main: Clause; other: Clause }
  | { kind: 'yes-no'; clause: Clause }
  | { kind: 'wh-question'; clause: Clause };

/** Agreement features of a noun phrase. */
export interface Agreement {
  person: Person;
  number: GrammaticalNumber;
  gender: Gender;
}

/** Person, number and gender of a noun phrase; coordinations are plural, class II only if both are. */
export function agreement(phrase: NounPhrase): Agreement {
  switch (phrase.kind) {
    case 'noun':
      return {
        person: phrase.number === 'sg' ? '3sg' : '3pl',
        number: phrase.number,
        gender: phrase.noun.gender,
      };
    case 'pronoun': {
      const pronoun = PRONOUNS[phrase.pronoun];
      return {
        person: pronoun.person,
        number: pronoun.person.endsWith('pl') ? 'pl' : 'sg',
        gender: pronoun.gender,
      };
    }
    case 'name':
      return { person: '3sg', number: 'sg', gender: phrase.gender };
    case 'coordination': {
      const bothII =
        agreement(phrase.left).gender === 'II' && agreement(phrase.right).gender === 'II';
      return { person: '3pl', number: 'pl', gender: bothII ? 'II' : 'I' };
    }
    case 'wh':
      return { person: '3sg', number: 'sg', gender: 'I' };
  }
}

const ADJECTIVE_COUNTS = { none: 0, one: 1, two: 2 } as const;
const TENSES: readonly Tense[] = ['present', 'past', 'future'];
const matches = (tags: readonly Tag[], wanted: readonly Tag[]): boolean =>
  tags.some((tag) => wanted.includes(tag));

/** Grows random trees from a lexicon; all randomness comes from the `Rng` it is given. */
export class TreeGenerator {
  readonly #rng: Rng;
  readonly #lexicon: Lexicon;
  readonly #nounCache = new Map<string, Noun[]>();

  constructor(rng: Rng, lexicon: Lexicon) {
    this.#rng = rng;
    this.#lexicon = lexicon;
  }

  /** One random sentence. */
  sentence(): Sentence {
    const rng = this.#rng;
    const shape = rng.weighted({ statement: 50, compound: 18, yesNo: 14, wh: 18 });
    if (shape === 'statement') return { kind: 'statement', clause: this.clause(0, true) };
    if (shape === 'yesNo') return { kind: 'yes-no', clause: this.clause(0, false) };
    if (shape === 'wh') return { kind: 'wh-question', clause: this.whClause() };
    const connector = rng.weighted({ and: 3, but: 2, because: 2, when: 1 });
    const main = this.clause(1, true);
    const other = this.clause(1, true);
    if (connector === 'when') {
      // "when" clauses here describe a completed event, so keep both in the past.
      main.tense = 'past';
      other.tense = 'past';
      main.time = undefined;
      other.time = undefined;
    }
    return { kind: 'compound', connector, main, other };
  }

  /** A clause; `depth` > 0 keeps it short enough to be coordinated. */
  clause(depth: number, mayNegate: boolean): Clause {
    const rng = this.#rng;
    const kind = rng.weighted({ transitive: 50, intransitive: 20, ditransitive: 12, copula: 18 });
    const tense = rng.pick(TENSES);
    const negated = mayNegate && rng.chance(0.2);
    if (kind === 'copula') {
      const adjective = rng.pick(this.#lexicon.adjectives);
      const wanted: readonly Tag[] =
        adjective.tags.length > 0
          ? adjective.tags
          : ['person', 'animal', 'thing', 'place', 'food', 'plant', 'vehicle'];
      const subject = this.nounPhrase(wanted, depth, true, adjective);
      return {
        subject,
        predicate: { kind: 'copula', adjective },
        tense,
        negated,
        ...this.time(tense),
      };
    }
    const verb = rng.pick(this.#lexicon.verbs.filter((candidate) => candidate.kind === kind));
    const subject = this.nounPhrase(verb.subject, depth, true);
    let predicate: Predicate;
    if (verb.kind === 'intransitive') predicate = { kind: 'intransitive', verb };
    else if (verb.kind === 'transitive')
      predicate = {
        kind: 'transitive',
        verb,
        object: this.nounPhrase(verb.object, depth + 1, true),
      };
    else
      predicate = {
        kind: 'ditransitive',
        verb,
        object: this.nounPhrase(verb.object, depth + 1, false),
        recipient: this.nounPhrase(verb.recipient, depth + 1, true),
      };
    const clause: Clause = { subject, predicate, tense, negated, ...this.time(tense) };
    if (verb.kind !== 'ditransitive' && rng.chance(depth === 0 ? 0.35 : 0.15))
      clause.adjunct = this.adjunct(verb);
    if (rng.chance(0.15)) clause.manner = rng.pick([...this.#lexicon.manner.keys()]);
    return clause;
  }

  /** A clause with "who", "what" or "where" questioned. */
  whClause(): Clause {
    const rng = this.#rng;
    for (;;) {
      const clause = this.clause(0, false);
      const target = rng.weighted({ subject: 2, object: 3, where: 2 });
      const { predicate } = clause;
      if (
        target === 'subject' &&
        predicate.kind !== 'copula' &&
        predicate.verb.subject.includes('person')
      ) {
        clause.subject = { kind: 'wh', word: 'who' };
        return clause;
      }
      if (target === 'object' && predicate.kind === 'transitive') {
        predicate.object = { kind: 'wh', word: isPerson(predicate.object) ? 'who' : 'what' };
        return clause;
      }
      if (target === 'where' && predicate.kind !== 'copula' && predicate.kind !== 'ditransitive') {
        clause.adjunct = { kind: 'where' };
        return clause;
      }
    }
  }

  /** An optional time expression that fits the tense ("yesterday" only with the past). */
  private time(tense: Tense): { time?: string } {
    const rng = this.#rng;
    if (!rng.chance(0.2)) return {};
    return { time: rng.pick(TIME_ADVERBS.filter((time) => time.tenses.includes(tense))).en };
  }

  private adjunct(verb: Verb): Adjunct {
    const rng = this.#rng;
    if (verb.kind === 'intransitive' && verb.motion) {
      const preposition = rng.pick(MOTION_PREPOSITIONS);
      return { kind: 'pp', preposition, object: this.nounPhrase(['place'], 2, false) };
    }
    if (rng.chance(0.2)) {
      return {
        kind: 'pp',
        preposition: WITH,
        object: this.nounPhrase(['person', 'animal'], 2, true),
      };
    }
    return {
      kind: 'pp',
      preposition: rng.pick(LOCATIVES),
      object: this.nounPhrase(['place'], 2, false),
    };
  }

  /** A noun phrase whose head fits `wanted`; deeper phrases get fewer modifiers. */
  nounPhrase(
    wanted: readonly Tag[],
    depth: number,
    allowPronoun: boolean,
    adjective?: Adjective,
  ): NounPhrase {
    const rng = this.#rng;
    const person = wanted.includes('person');
    if (person && allowPronoun) {
      const roll = rng.next();
      if (roll < 0.14) return { kind: 'pronoun', pronoun: rng.pick(Object.keys(PRONOUNS)) };
      if (roll < 0.26) {
        const name = rng.pick(this.#lexicon.names);
        return { kind: 'name', name: name.en, gender: name.gender };
      }
    }
    if (depth === 0 && rng.chance(0.08)) {
      return {
        kind: 'coordination',
        left: this.nounPhrase(wanted, 2, false),
        right: this.nounPhrase(wanted, 2, false),
      };
    }
    const noun = rng.pick(this.#nouns(wanted));
    const number: GrammaticalNumber = rng.chance(0.4) ? 'pl' : 'sg';
    const determiner =
      number === 'sg'
        ? rng.weighted({ the: 55, a: 27, this: 7, that: 6, every: 5 })
        : rng.weighted({ the: 55, some: 15, this: 8, that: 6, numeral: 16 });
    const adjectives: Adjective[] = [];
    const count =
      depth >= 2 ? rng.weighted({ none: 8, one: 2 }) : rng.weighted({ none: 55, one: 35, two: 10 });
    const fitting = this.#lexicon.adjectives.filter(
      (candidate) =>
        candidate !== adjective &&
        (candidate.tags.length === 0 || matches(noun.tags, candidate.tags)),
    );
    for (const candidate of rng.sample(fitting, ADJECTIVE_COUNTS[count]))
      adjectives.push(candidate);
    const phrase: NounPhrase = {
      kind: 'noun',
      noun,
      number,
      determiner: determiner === 'numeral' ? { numeral: rng.pick(NUMERALS) } : determiner,
      adjectives,
    };
    if (depth === 0 && rng.chance(0.15)) {
      const relative = this.relative(noun);
      if (relative) phrase.relative = relative;
    }
    return phrase;
  }

  private relative(head: Noun): RelativeClause | undefined {
    const rng = this.#rng;
    const gap = rng.chance(0.6) ? 'subject' : 'object';
    const verbs = this.#lexicon.verbs.filter(
      (verb) =>
        verb.kind === 'transitive' &&
        matches(head.tags, gap === 'subject' ? verb.subject : verb.object),
    );
    if (verbs.length === 0) return undefined;
    const verb = rng.pick(verbs);
    const other = this.nounPhrase(gap === 'subject' ? verb.object : verb.subject, 2, true);
    return { gap, verb, tense: rng.pick(TENSES), other };
  }

  #nouns(wanted: readonly Tag[]): Noun[] {
    const key = wanted.join(',');
    let found = this.#nounCache.get(key);
    if (found === undefined) {
      found = this.#lexicon.nouns.filter((noun) => matches(noun.tags, wanted));
      this.#nounCache.set(key, found);
    }
    return found;
  }
}

/** Whether a phrase refers to people, which decides "who" versus "what". */
function isPerson(phrase: NounPhrase): boolean {
  if (phrase.kind === 'pronoun' || phrase.kind === 'name') return true;
  if (phrase.kind === 'coordination') return isPerson(phrase.left);
  return phrase.kind === 'noun' && phrase.noun.tags.includes('person');
}
