import { Tokenizer, BPE, metaspacePreTokenizer, metaspaceDecoder, replace } from 'tokenizers';
import { readFileSync, writeFileSync } from 'node:fs';
const en = readFileSync('/work/main/datasets/grammar-en-xx/train.en', 'utf8').split('\n');
const xx = readFileSync('/work/main/datasets/grammar-en-xx/train.xx', 'utf8').split('\n');
writeFileSync('/tmp/mexp/corpus.txt', [...en, ...xx].join(' ').replace(/\n/g, ' '));
for (let r = 0; r < 2; r++) {
  const t0 = Date.now();
  const tok = new Tokenizer(BPE.empty());
  tok.setNormalizer(replace('\n', ' '));
  tok.setPreTokenizer(metaspacePreTokenizer());
  tok.setDecoder(metaspaceDecoder());
  tok.train(['/tmp/mexp/corpus.txt']);
  tok.save(`/tmp/mexp/tok${r}.json`);
  console.log(Date.now() - t0, tok.getVocabSize());
}
console.log(readFileSync('/tmp/mexp/tok0.json','utf8') === readFileSync('/tmp/mexp/tok1.json','utf8'));
const j = JSON.parse(readFileSync('/tmp/mexp/tok0.json','utf8'));
console.log(JSON.stringify(j.normalizer), Object.keys(j.model.vocab).slice(0, 70).join(' '));
