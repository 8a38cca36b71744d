/**
 * Builds `tiny-stories-lm`: one short children's story per line. Every story keeps its entities
 * consistent (the same name, pronoun, colour and toy from the first sentence to the last), so a
 * language model gains from remembering earlier sentences; a small model predicts the local
 * phrasing, a larger one also the callbacks.
 */
import { basename, join } from 'node:path';
import type { DatasetDescriptor, GeneratedDataset } from '../dataset';
import {
  GENERATOR_SCRIPT,
  GENERATOR_VERSION,
  LICENSE,
  fileTable,
  formatBytes,
  groupThousands,
  writeDescriptorAndCard,
} from '../dataset';
import { writeLines } from '../output';
import type { WrittenFile } from '../output';
import { Rng } from '../rng';
import { drawSplits } from '../splits';
import type { Character } from './vocab';
import {
  ANIMALS,
  BAKES,
  CHILDREN,
  COLOURS,
  FEARS,
  FEELINGS_HAPPY,
  FEELINGS_SAD,
  GROWN_UPS,
  PET_NAMES,
  PLACES,
  SEEDS,
  TIMES,
  TOYS,
  WEATHER,
} from './vocab';

/** Folder name and dataset id. */
export const STORIES_ID = 'tiny-stories-lm';
/** Seed of the story sampler. */
export const STORIES_SEED = 20_260_303;
/** Stories per split. */
export const STORIES_SIZES = { valid: 150, test: 150, train: 2_700 } as const;

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Fills {he} {him} {his} with a character's pronouns. */
function pronouns(text: string, character: Character): string {
  return text.replace(/\{(he|him|his)\}/g, (_, key: 'he' | 'him' | 'his') => character[key]);
}

class StoryTeller {
  readonly #rng: Rng;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Picks one of several ways to say the same thing. */
  say(...options: string[]): string {
    return this.#rng.pick(options);
  }

  story(): string {
    const rng = this.#rng;
    const hero = rng.pick(CHILDREN);
    let friend = rng.pick(CHILDREN);
    while (friend === hero) friend = rng.pick(CHILDREN);
    const arc = rng.pick([
      this.lostToy,
      this.helpAnimal,
      this.baking,
      this.fear,
      this.sharing,
      this.planting,
    ]);
    const sentences = arc.call(this, hero, friend).map((sentence) => capitalize(sentence));
    return sentences.join(' ');
  }

  opening(hero: Character): string[] {
    const rng = this.#rng;
    const place = rng.pick(PLACES);
    const age = rng.pick(['little', 'young', 'curious', 'cheerful', 'kind']);
    return [
      this.say(
        `once upon a time, there was a ${age} ${hero.kind} named ${hero.name}.`,
        `${hero.name} was a ${age} ${hero.kind} who lived ${place.home}.`,
        `there once was a ${age} ${hero.kind} called ${hero.name} who lived ${place.home}.`,
      ),
    ];
  }

  lostToy(hero: Character, friend: Character): string[] {
    const rng = this.#rng;
    const { toy, lost, found } = rng.pick(TOYS);
    const colour = rng.pick(COLOURS);
    const place = rng.pick(PLACES).outing;
    const where = rng.pick(found);
    const sad = rng.pick(FEELINGS_SAD);
    return [
      ...this.opening(hero),
      this.say(
        `${hero.he} had a ${colour} ${toy} that ${hero.he} loved very much.`,
        `${hero.his} favourite thing in the world was a ${colour} ${toy}.`,
      ),
      `one ${rng.pick(WEATHER)} ${rng.pick(TIMES)}, ${hero.name} took the ${colour} ${toy} to ${place}.`,
      `suddenly, ${pronouns(lost, hero)}.`,
      this.say(
        `${hero.name} looked everywhere, but ${hero.he} could not find ${hero.his} ${toy}.`,
        `${hero.name} searched and searched, but the ${toy} was gone.`,
      ),
      `${hero.he} felt very ${sad} and sat down on the grass.`,
      `then ${hero.his} friend ${friend.name} came by and asked, "Why are you ${sad}, ${hero.name}?"`,
      `${hero.name} told ${friend.him} about the ${colour} ${toy}.`,
      this.say(
        `"Let us look together!" said ${friend.name}.`,
        `${friend.name} said, "I will help you look."`,
      ),
      `at last, ${friend.name} found the ${colour} ${toy} ${where}.`,
      this.say(
        `${hero.name} hugged ${friend.name} and said, "Thank you for helping me!"`,
        `${hero.name} smiled and said, "You are a good friend, ${friend.name}."`,
      ),
      this.say(
        `from that day on, ${hero.name} and ${friend.name} played with the ${colour} ${toy} together.`,
        `after that, ${hero.name} always held the ${toy} tight when the wind blew.`,
      ),
    ];
  }

  helpAnimal(hero: Character): string[] {
    const rng = this.#rng;
    const { animal, need, give, sound } = rng.pick(ANIMALS);
    const petName = rng.pick(PET_NAMES);
    const grownUp = rng.pick(GROWN_UPS);
    const place = rng.pick(PLACES).outing;
    return [
      ...this.opening(hero),
      `one ${rng.pick(TIMES)}, ${hero.name} was walking to ${place} when ${hero.he} heard a small noise.`,
      `behind a rock, ${hero.he} found a little ${animal}.`,
      `the ${animal} was ${need}.`,
      this.say(
        `${hero.name} did not want to leave it alone.`,
        `${hero.name} knew ${hero.he} had to help.`,
      ),
      `${hero.he} ${give}.`,
      `the little ${animal} ${sound}.`,
      `${hero.name} ran home to tell ${grownUp.who}.`,
      this.say(
        `${grownUp.who} smiled and said, "You did a kind thing, ${hero.name}."`,
        `${grownUp.who} said ${grownUp.he} was very proud of ${hero.him}.`,
      ),
      `${hero.name} named the ${animal} ${petName}.`,
      this.say(
        `every day after school, ${hero.name} went to see ${petName}.`,
        `soon ${petName} was strong again, and ${hero.name} was the happiest ${hero.kind} in town.`,
      ),
    ];
  }

  baking(hero: Character, friend: Character): string[] {
    const rng = this.#rng;
    const grownUp = rng.pick(GROWN_UPS);
    const { thing, it, fruit } = rng.pick(BAKES);
    const happy = rng.pick(FEELINGS_HAPPY);
    return [
      ...this.opening(hero),
      `one ${rng.pick(WEATHER)} day, ${hero.name} and ${grownUp.who} decided to bake ${thing === 'cookies' || thing === 'muffins' || thing === 'bread' ? '' : 'a '}${thing}.`,
      `they needed flour, eggs, milk and some ${fruit}.`,
      `${hero.name} cracked the eggs and ${grownUp.who} mixed the flour.`,
      this.say(
        `oops! ${hero.name} spilled flour all over the table, and they both laughed.`,
        `${hero.name} dropped an egg on the floor, and they both laughed.`,
      ),
      `then ${hero.name} put the ${fruit} on top.`,
      `they put the ${thing} in the oven and waited.`,
      `soon the whole house smelled sweet.`,
      `when the ${thing} ${it === 'it' ? 'was' : 'were'} ready, ${hero.name} felt very ${happy}.`,
      this.say(
        `${hero.he} took some ${thing} to ${hero.his} friend ${friend.name}.`,
        `${hero.he} shared the ${thing} with ${hero.his} friend ${friend.name}.`,
      ),
      `${friend.name} said it was the best ${thing} ${friend.he} had ever tasted.`,
    ];
  }

  fear(hero: Character): string[] {
    const rng = this.#rng;
    const { fear, comfort, lesson } = rng.pick(FEARS);
    const grownUp = rng.pick(GROWN_UPS);
    return [
      ...this.opening(hero),
      `${hero.name} was afraid of ${fear}.`,
      this.say(
        `whenever ${hero.he} thought about ${fear}, ${hero.his} tummy felt funny.`,
        `${hero.he} did not like to talk about ${fear}.`,
      ),
      `one ${rng.pick(TIMES)}, ${hero.name} told ${grownUp.who} about ${hero.his} fear.`,
      `${grownUp.who} listened and said, "Let us be brave together."`,
      `${grownUp.who} ${pronouns(comfort, hero)}.`,
      `little by little, ${hero.name} felt braver.`,
      `${hero.he} learned that ${lesson}.`,
      this.say(
        `now ${hero.name} is not afraid of ${fear} anymore.`,
        `the next time, ${hero.name} was brave all by ${hero.him === 'him' ? 'himself' : 'herself'}.`,
      ),
    ];
  }

  sharing(hero: Character, friend: Character): string[] {
    const rng = this.#rng;
    const { toy } = rng.pick(TOYS);
    const colour = rng.pick(COLOURS);
    const place = rng.pick(PLACES).outing;
    return [
      ...this.opening(hero),
      `one day, ${hero.name} and ${friend.name} were playing at ${place}.`,
      `there was only one ${colour} ${toy}, and they both wanted it.`,
      `"It is mine!" said ${hero.name}.`,
      `"No, it is mine!" said ${friend.name}.`,
      `they pulled and pulled, and soon they were both ${rng.pick(FEELINGS_SAD)}.`,
      this.say(
        `then ${hero.name} had an idea.`,
        `then ${hero.name} took a deep breath and thought.`,
      ),
      `"We can take turns," ${hero.he} said.`,
      `${friend.name} played with the ${colour} ${toy} first, and then ${hero.name} had a turn.`,
      this.say(
        `sharing was much more fun than fighting.`,
        `they laughed and played until the sun went down.`,
      ),
      `from then on, ${hero.name} and ${friend.name} always shared the ${toy}.`,
    ];
  }

  planting(hero: Character): string[] {
    const rng = this.#rng;
    const { seed, plant } = rng.pick(SEEDS);
    const grownUp = rng.pick(GROWN_UPS);
    const days = rng.pick(['three', 'five', 'seven', 'ten']);
    return [
      ...this.opening(hero),
      `one spring day, ${grownUp.who} gave ${hero.name} a small ${seed}.`,
      `${hero.name} dug a little hole in the garden and planted the ${seed}.`,
      `every morning, ${hero.he} gave it some water.`,
      `for ${days} days, nothing happened, and ${hero.name} began to worry.`,
      `${grownUp.who} said, "Be patient, ${hero.name}. Good things take time."`,
      `on the next day, a tiny green shoot came out of the ground.`,
      this.say(
        `${hero.name} jumped up and down with joy.`,
        `${hero.name} ran inside to tell ${grownUp.who}.`,
      ),
      `all summer long, ${hero.name} looked after ${hero.his} plant.`,
      `at the end of the summer, the ${seed} had grown into ${plant}.`,
      `${hero.name} was very proud of ${hero.his} ${plant.replace(/^an? /, '')}.`,
    ];
  }
}

/** Generates the dataset into `<outRoot>/tiny-stories-lm/`. */
export function generateStories(outRoot: string): GeneratedDataset {
  const dir = join(outRoot, STORIES_ID);
  const teller = new StoryTeller(new Rng(STORIES_SEED));
  const splits = drawSplits<string>(
    STORIES_SIZES,
    () => teller.story(),
    (story) => story,
  );
  const files: WrittenFile[] = [];
  const descriptorSplits: DatasetDescriptor['splits'] = {};
  for (const name of ['train', 'valid', 'test'] as const) {
    files.push(writeLines(dir, `${name}.txt`, splits[name]));
    descriptorSplits[name] = { source: `${name}.txt`, references: [] };
  }
  const descriptor: DatasetDescriptor = {
    schema: 1,
    id: STORIES_ID,
    name: 'Tiny stories',
    kind: 'language-modelling',
    description:
      "Short generated children's stories, one per line, that keep their characters, pronouns and objects consistent from start to end.",
    format: 'text',
    splits: descriptorSplits,
    generator: { script: GENERATOR_SCRIPT, version: GENERATOR_VERSION, seed: STORIES_SEED },
    license: LICENSE,
  };
  writeDescriptorAndCard(dir, descriptor, card(files, splits.valid[0]));
  return { descriptor, files };
}

function card(files: readonly WrittenFile[], example: string): string {
  const { train, valid, test } = STORIES_SIZES;
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  return `# tiny-stories-lm: short stories for language modelling

A language-modelling corpus of short children's stories, one story (paragraph) per line. Generated
by \`npx tsx ${GENERATOR_SCRIPT}\` (seed ${STORIES_SEED}) from hand-written templates and word lists;
no text was taken from anywhere else. License: ${LICENSE}.

## Splits

${groupThousands(train)} train, ${groupThousands(valid)} valid and ${groupThousands(test)} test stories (${formatBytes(total)} in all), every story unique across splits.

${fileTable(files, basename)}

Plain text, UTF-8, LF, one story per line; there are no references (\`references: []\`), the
metric is perplexity.

## How a story is built

Six plots (a lost toy found with a friend's help, helping a small animal, baking with a grown-up,
overcoming a fear, learning to share, growing a plant). Each story draws its characters (name and
pronouns), colours, toys, animals and places once and keeps them: the *red kite* of the second sentence
is still the red kite in the last one, and "she" always refers to the same girl. Several
sentences have alternative wordings. Predicting the local phrasing is easy; predicting the callbacks
(names, colours, the right pronoun) needs the context, which is where larger models gain.

## Example (first valid story)

> ${example}
`;
}
