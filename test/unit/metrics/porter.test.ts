// nltk 3.8 PorterStemmer (NLTK_EXTENSIONS) port: every pair of porter_stems.tsv, plus the
// departures from the 1980 paper that shared/design/metrics-rouge.md lists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { porterStem } from '../../../shared/metrics/porter';

const TSV = new URL('../../fixtures/metrics/rouge/porter_stems.tsv', import.meta.url);

describe('porterStem', () => {
  it('matches nltk on all 6,476 words of porter_stems.tsv', () => {
    const [header, ...rows] = readFileSync(TSV, 'utf8').split('\n').filter(Boolean);
    expect(header).toBe('word\tstem\trouge_token');
    expect(rows).toHaveLength(6476);
    const wrong = rows
      .map((row) => row.split('\t'))
      .filter(([word, stem]) => porterStem(word) !== stem)
      .map(([word, stem]) => `${word}: want ${stem}, got ${porterStem(word)}`);
    expect(wrong).toEqual([]);
  });

  it.each([
    // irregular forms
    ['skies', 'sky'],
    ['dying', 'die'],
    ['innings', 'inning'],
    ['news', 'news'],
    ['succeed', 'succeed'],
    // step 1a/1b on 4-letter words
    ['dies', 'die'],
    ['died', 'die'],
    ['cried', 'cri'],
    // step 1c
    ['happy', 'happi'],
    ['cry', 'cri'],
    ['enjoy', 'enjoy'],
    ['days', 'day'],
    // step 2 extensions
    ['conditionally', 'condit'],
    ['hopefully', 'hope'],
    ['geology', 'geolog'],
    // digits are consonants; short words pass through
    ['mp3s', 'mp3'],
    ['3ies', '3ie'],
    ['is', 'is'],
  ])('%s -> %s', (word, stem) => {
    expect(porterStem(word)).toBe(stem);
  });
});
