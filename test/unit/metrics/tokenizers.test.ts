import { describe, expect, it } from 'vitest';
import { getTokenizer, TOKENIZER_NAMES } from '../../../shared/metrics/tokenizers/index';
import {
  isPyWhitespace,
  pyLower,
  pyRstrip,
  pySplit,
  pyStrip,
} from '../../../shared/metrics/tokenizers/pystr';
import { loadJson } from './fixtures';

interface Vector {
  input: string;
  py_rstrip: string;
  py_lower: string;
  py_split: string[];
  bleu: Record<string, string>;
}
const { vectors } = loadJson<{ vectors: Vector[] }>('tokenize-vectors.json');

describe('tokenize-vectors.json', () => {
  it('has the reference vectors', () => expect(vectors.length).toBeGreaterThan(250));
  it('Python str helpers match CPython', () => {
    for (const v of vectors) {
      expect(pySplit(v.input)).toEqual(v.py_split);
      expect(pyRstrip(v.input)).toBe(v.py_rstrip);
      expect(pyLower(v.input)).toBe(v.py_lower);
    }
  });
  for (const name of TOKENIZER_NAMES) {
    for (const lc of [false, true]) {
      const key = lc ? `${name}-lc` : name;
      it(`${key} matches sacreBLEU exactly`, () => {
        const tok = getTokenizer(name);
        for (const v of vectors) {
          expect(tok(pyRstrip(lc ? pyLower(v.input) : v.input)), JSON.stringify(v.input)).toBe(
            v.bleu[key],
          );
        }
      });
    }
  }
});

describe('tokenizer traps from the design note', () => {
  it('13a unescapes in order and pads', () => {
    const t = getTokenizer('13a');
    expect(t('a &amp;lt; b')).toBe('a < b');
    expect(t('a &amp;quot; b')).toBe('a & quot ; b');
    expect(t('U.S. 3.14 1,000.5 10-20 COVID-19 2019.')).toBe(
      'U . S . 3.14 1,000.5 10 - 20 COVID-19 2019 .',
    );
  });
  it('intl leaves a line-final period after a digit glued', () => {
    expect(getTokenizer('intl')("don't pay 5.99!")).toBe("don ' t pay 5.99!");
  });
  it('zh splits the mistyped U+2001–U+2A6D range but not astral CJK', () => {
    expect(getTokenizer('zh')('a—b 𠮷x')).toBe('a — b 𠮷x');
  });
  it('treats U+FEFF as a glued character, U+0085 and U+001C as whitespace', () => {
    expect(isPyWhitespace(0xfeff)).toBe(false);
    expect(pySplit('\uFEFF28 x\u0085y\u001Cz')).toEqual(['\uFEFF28', 'x', 'y', 'z']);
    expect(pyStrip('\u3000 a \u0085')).toBe('a');
  });
  it('refuses MeCab tokenizers with a clear message', () => {
    expect(() => getTokenizer('ko-mecab')).toThrow(/external models/);
    expect(() => getTokenizer('nope')).toThrow(/unknown tokenizer 'nope'/);
  });
});
