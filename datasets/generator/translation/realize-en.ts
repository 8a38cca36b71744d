/**
 * Turns a sentence tree into English: do-support, inversion in questions, agreement of the verb
 * with its subject, "a"/"an", irregular forms.
 */
import type { Tense } from './english';
import { PRONOUNS } from './lexicon';
import type { Verb } from './lexicon';
import type { Agreement, Clause, NounPhrase, Sentence } from './tree';
import { agreement } from './tree';

/** A verb group split so that questions can move `aux` in front of the subject. */
interface VerbGroup {
  aux?: string;
  rest: string[];
}

function lexicalVerb(
  verb: Verb,
  tense: Tense,
  agr: Agreement,
  negated: boolean,
  inverted: boolean,
): VerbGroup {
  if (tense === 'future') return { aux: 'will', rest: [verb.base] };
  if (negated || inverted) {
    const aux = tense === 'past' ? 'did' : agr.person === '3sg' ? 'does' : 'do';
    return { aux, rest: [verb.base] };
  }
  const main = tense === 'past' ? verb.past : agr.person === '3sg' ? verb.third : verb.base;
  return { rest: [main] };
}

function copula(tense: Tense, agr: Agreement): VerbGroup {
  if (tense === 'future') return { aux: 'will', rest: ['be'] };
  const singular = agr.person === '1sg' || agr.person === '3sg';
  if (tense === 'past') return { aux: singular ? 'was' : 'were', rest: [] };
  return { aux: agr.person === '1sg' ? 'am' : agr.person === '3sg' ? 'is' : 'are', rest: [] };
}

/** The verb group as it appears in a statement (auxiliary, "not", the rest). */
function inPlace(group: VerbGroup, negated: boolean): string[] {
  if (group.aux === undefined) return group.rest;
  return [group.aux, ...(negated ? ['not'] : []), ...group.rest];
}

function determiner(phrase: Extract<NounPhrase, { kind: 'noun' }>, next: string): string {
  const { determiner: kind, number } = phrase;
  if (typeof kind === 'object') return kind.numeral;
  switch (kind) {
    case 'a':
      return /^[aeiou]/.test(next) ? 'an' : 'a';
    case 'this':
      return number === 'sg' ? 'this' : 'these';
    case 'that':
      return number === 'sg' ? 'that' : 'those';
    default:
      return kind;
  }
}

function nounPhrase(phrase: NounPhrase, role: 'nom' | 'acc'): string[] {
  switch (phrase.kind) {
    case 'pronoun':
      return [PRONOUNS[phrase.pronoun][role]];
    case 'name':
      return [phrase.name];
    case 'wh':
      return [phrase.word];
    case 'coordination':
      return [...nounPhrase(phrase.left, role), 'and', ...nounPhrase(phrase.right, role)];
    case 'noun': {
      const body = [
        ...phrase.adjectives.map((adjective) => adjective.en),
        phrase.number === 'sg' ? phrase.noun.sg : phrase.noun.pl,
      ];
      const words = [determiner(phrase, body[0]), ...body];
      const relative = phrase.relative;
      if (relative === undefined) return words;
      const marker = phrase.noun.tags.includes('person') ? 'who' : 'that';
      if (relative.gap === 'subject') {
        const group = lexicalVerb(relative.verb, relative.tense, agreement(phrase), false, false);
        return [...words, marker, ...inPlace(group, false), ...nounPhrase(relative.other, 'acc')];
      }
      const group = lexicalVerb(
        relative.verb,
        relative.tense,
        agreement(relative.other),
        false,
        false,
      );
      return [...words, marker, ...nounPhrase(relative.other, 'nom'), ...inPlace(group, false)];
    }
  }
}

/** Everything after the verb: objects, "to" recipient, prepositional phrase, manner, time. */
function complements(clause: Clause, skipObject: boolean): string[] {
  const words: string[] = [];
  const { predicate } = clause;
  if (predicate.kind === 'copula') words.push(predicate.adjective.en);
  if (predicate.kind === 'transitive' && !skipObject)
    words.push(...nounPhrase(predicate.object, 'acc'));
  if (predicate.kind === 'ditransitive')
    words.push(
      ...nounPhrase(predicate.object, 'acc'),
      'to',
      ...nounPhrase(predicate.recipient, 'acc'),
    );
  if (clause.adjunct?.kind === 'pp')
    words.push(
      ...clause.adjunct.preposition.split(' '),
      ...nounPhrase(clause.adjunct.object, 'acc'),
    );
  if (clause.manner !== undefined) words.push(clause.manner);
  if (clause.time !== undefined) words.push(...clause.time.split(' '));
  return words;
}

function verbGroup(clause: Clause, inverted: boolean): VerbGroup {
  const agr = agreement(clause.subject);
  const { predicate } = clause;
  return predicate.kind === 'copula'
    ? copula(clause.tense, agr)
    : lexicalVerb(predicate.verb, clause.tense, agr, clause.negated, inverted);
}

function statement(clause: Clause): string[] {
  return [
    ...nounPhrase(clause.subject, 'nom'),
    ...inPlace(verbGroup(clause, false), clause.negated),
    ...complements(clause, false),
  ];
}

/** Subject-auxiliary inversion; questions always have an auxiliary (do-support). */
function inverted(clause: Clause, skipObject: boolean): string[] {
  const group = verbGroup(clause, true);
  if (group.aux === undefined) throw new Error('question without auxiliary');
  return [
    group.aux,
    ...nounPhrase(clause.subject, 'nom'),
    ...group.rest,
    ...complements(clause, skipObject),
  ];
}

function question(clause: Clause): string[] {
  const { predicate } = clause;
  if (clause.subject.kind === 'wh') return statement(clause);
  if (predicate.kind === 'transitive' && predicate.object.kind === 'wh')
    return [predicate.object.word, ...inverted(clause, true)];
  if (clause.adjunct?.kind === 'where') return ['where', ...inverted(clause, false)];
  return inverted(clause, false);
}

/** Joins words, capitalises the first letter and attaches the final punctuation. */
export function finish(words: readonly string[], mark: '.' | '?'): string {
  const text = words.join(' ') + mark;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The English sentence for a tree. */
export function realizeEnglish(sentence: Sentence): string {
  switch (sentence.kind) {
    case 'statement':
      return finish(statement(sentence.clause), '.');
    case 'yes-no':
    case 'wh-question':
      return finish(question(sentence.clause), '?');
    case 'compound': {
      const main = statement(sentence.main);
      const other = statement(sentence.other);
      if (sentence.connector === 'but')
        return finish([...main.slice(0, -1), main[main.length - 1] + ',', 'but', ...other], '.');
      return finish([...main, sentence.connector, ...other], '.');
    }
  }
}
