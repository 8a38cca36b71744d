/**
 * Turns a sentence tree into Kelvari: subject-object-verb order, verb-final clauses, adjectives
 * after the noun, postpositions, case endings, agreement of determiners, adjectives, relative
 * pronouns and verbs, in-situ question words and a clause-final question particle. Subordinate
 * "because"/"when" clauses come first, closed by a subordinator.
 */
import {
  DETERMINERS,
  FUNCTION_WORDS,
  PRONOUNS,
  RELATIVE,
  adjectiveForm,
  nounForm,
  verbForm,
  withCase,
} from './lexicon';
import type { Case, Lexicon } from './lexicon';
import type { Clause, NounPhrase, Sentence } from './tree';
import { agreement } from './tree';
import { finish } from './realize-en';

function lookup(map: ReadonlyMap<string, string>, key: string): string {
  const word = map.get(key);
  if (word === undefined) throw new Error(`no Kelvari word for "${key}"`);
  return word;
}

/** Realises trees with one lexicon. */
export class KelvariRealizer {
  readonly #lexicon: Lexicon;

  constructor(lexicon: Lexicon) {
    this.#lexicon = lexicon;
  }

  /** The Kelvari sentence for a tree. */
  sentence(sentence: Sentence): string {
    switch (sentence.kind) {
      case 'statement':
        return finish(this.clause(sentence.clause), '.');
      case 'yes-no':
        return finish([...this.clause(sentence.clause), FUNCTION_WORDS.question], '?');
      case 'wh-question':
        return finish(this.clause(sentence.clause), '?');
      case 'compound': {
        const main = this.clause(sentence.main);
        const other = this.clause(sentence.other);
        switch (sentence.connector) {
          case 'and':
            return finish([...main, FUNCTION_WORDS.clauseAnd, ...other], '.');
          case 'but':
            return finish([...withComma(main), FUNCTION_WORDS.but, ...other], '.');
          case 'because':
            return finish([...other, FUNCTION_WORDS.because + ',', ...main], '.');
          case 'when':
            return finish([...other, FUNCTION_WORDS.when + ',', ...main], '.');
        }
      }
    }
  }

  /** Time, subject, recipient, adjunct, object, manner, negation, verb. */
  clause(clause: Clause): string[] {
    const words: string[] = [];
    const lexicon = this.#lexicon;
    if (clause.time !== undefined) words.push(lookup(lexicon.time, clause.time));
    words.push(...this.nounPhrase(clause.subject, 'nom'));
    const { predicate } = clause;
    if (predicate.kind === 'ditransitive')
      words.push(...this.nounPhrase(predicate.recipient, 'dat'));
    if (clause.adjunct?.kind === 'pp')
      words.push(
        ...this.nounPhrase(clause.adjunct.object, 'dat'),
        lookup(lexicon.postpositions, clause.adjunct.preposition),
      );
    if (clause.adjunct?.kind === 'where') words.push(FUNCTION_WORDS.where);
    if (predicate.kind === 'transitive' || predicate.kind === 'ditransitive')
      words.push(...this.nounPhrase(predicate.object, 'acc'));
    const agr = agreement(clause.subject);
    if (predicate.kind === 'copula')
      words.push(adjectiveForm(predicate.adjective.xx, agr.gender, agr.number));
    if (clause.manner !== undefined) words.push(lookup(lexicon.manner, clause.manner));
    if (clause.negated) words.push(FUNCTION_WORDS.negation);
    const stem = predicate.kind === 'copula' ? FUNCTION_WORDS.copula : predicate.verb.xx;
    words.push(verbForm(stem, clause.tense, agr.person));
    return words;
  }

  /** A noun phrase in a case; in coordinations both conjuncts carry the case. */
  nounPhrase(phrase: NounPhrase, grammaticalCase: Case): string[] {
    switch (phrase.kind) {
      case 'pronoun':
        return [withCase(PRONOUNS[phrase.pronoun].xx, grammaticalCase)];
      case 'name':
        return [withCase(phrase.name, grammaticalCase)];
      case 'wh':
        return [
          withCase(
            phrase.word === 'who' ? FUNCTION_WORDS.who : FUNCTION_WORDS.what,
            grammaticalCase,
          ),
        ];
      case 'coordination':
        return [
          ...this.nounPhrase(phrase.left, grammaticalCase),
          FUNCTION_WORDS.nounAnd,
          ...this.nounPhrase(phrase.right, grammaticalCase),
        ];
      case 'noun': {
        const { noun, number } = phrase;
        const determiner =
          typeof phrase.determiner === 'object'
            ? lookup(this.#lexicon.numerals, phrase.determiner.numeral)
            : DETERMINERS[phrase.determiner][noun.gender][number];
        if (determiner === undefined)
          throw new Error(`no ${String(phrase.determiner)} for ${number}`);
        const words = [
          determiner,
          withCase(nounForm(noun.xx, noun.gender, number), grammaticalCase),
          ...phrase.adjectives.map((adjective) => adjectiveForm(adjective.xx, noun.gender, number)),
        ];
        const relative = phrase.relative;
        if (relative === undefined) return words;
        const pronoun = RELATIVE[noun.gender][number];
        if (relative.gap === 'subject') {
          return [
            ...words,
            withCase(pronoun, 'nom'),
            ...this.nounPhrase(relative.other, 'acc'),
            verbForm(relative.verb.xx, relative.tense, agreement(phrase).person),
          ];
        }
        return [
          ...words,
          withCase(pronoun, 'acc'),
          ...this.nounPhrase(relative.other, 'nom'),
          verbForm(relative.verb.xx, relative.tense, agreement(relative.other).person),
        ];
      }
    }
  }
}

function withComma(words: readonly string[]): string[] {
  return [...words.slice(0, -1), words[words.length - 1] + ','];
}
