/**
 * Hand-written word lists for `tiny-stories-lm`: children, grown-ups, pets, toys and places,
 * each with the details a story needs to mention them consistently (pronouns, where a toy gets
 * lost and found, what a pet eats).
 */

/** A child or friend in a story. */
export interface Character {
  name: string;
  he: 'he' | 'she';
  him: 'him' | 'her';
  his: 'his' | 'her';
  kind: 'girl' | 'boy';
}

const girl = (name: string): Character => ({
  name,
  he: 'she',
  him: 'her',
  his: 'her',
  kind: 'girl',
});
const boy = (name: string): Character => ({ name, he: 'he', him: 'him', his: 'his', kind: 'boy' });

export const CHILDREN: readonly Character[] = [
  ...'Mira Lily Ada Zoe Nell Ruby Ivy Maya Tess Elsie Poppy June Hazel Wren Nina Lucy'
    .split(' ')
    .map(girl),
  ...'Tom Ben Sam Max Leo Finn Theo Jack Owen Noah Eli Hugo Alfie Kit Rory Dan'.split(' ').map(boy),
];

/** Grown-ups named by their role. */
export const GROWN_UPS: readonly { who: string; he: 'he' | 'she' }[] = [
  { who: 'Mom', he: 'she' },
  { who: 'Dad', he: 'he' },
  { who: 'Grandma', he: 'she' },
  { who: 'Grandpa', he: 'he' },
  { who: 'Aunt Rose', he: 'she' },
  { who: 'Uncle Bill', he: 'he' },
];

/** Toys that can be lost, with how they get lost and where they turn up. */
export const TOYS: readonly { toy: string; lost: string; found: readonly string[] }[] = [
  {
    toy: 'kite',
    lost: 'the wind pulled the kite out of {his} hands',
    found: ['stuck in an old tree', 'caught on a fence'],
  },
  {
    toy: 'ball',
    lost: 'the ball rolled down the hill and out of sight',
    found: ['under a big bush', 'in the tall grass'],
  },
  {
    toy: 'hat',
    lost: 'the wind blew the hat off {his} head',
    found: ['on top of a bench', 'beside the pond'],
  },
  {
    toy: 'toy boat',
    lost: 'the toy boat floated away down the stream',
    found: ['between two rocks', 'near the old bridge'],
  },
  {
    toy: 'teddy bear',
    lost: '{he} left the teddy bear on a bench and forgot it',
    found: ['under the bench', 'with a kind old lady'],
  },
  {
    toy: 'scarf',
    lost: 'the wind blew the scarf away',
    found: ['on a low branch', 'in a pile of leaves'],
  },
  {
    toy: 'balloon',
    lost: 'the balloon slipped out of {his} hand',
    found: ['tangled in a tree', 'on the roof of a shed'],
  },
  {
    toy: 'toy car',
    lost: 'the toy car rolled under the fence',
    found: ["in the neighbour's garden", 'behind a flower pot'],
  },
];

export const COLOURS: readonly string[] =
  'red blue green yellow purple orange pink white shiny striped'.split(' ');

/** Places a story can happen in. */
export const PLACES: readonly { home: string; outing: string }[] = [
  { home: 'in a small house near the river', outing: 'the park' },
  { home: 'in a yellow house at the end of the lane', outing: 'the hill' },
  { home: 'on a farm with many animals', outing: 'the meadow' },
  { home: 'in a tall building in the city', outing: 'the playground' },
  { home: 'in a little cottage by the sea', outing: 'the beach' },
  { home: 'in a village near a big forest', outing: 'the forest path' },
];

/** Small animals a child can help, with what they need. */
export const ANIMALS: readonly { animal: string; need: string; give: string; sound: string }[] = [
  {
    animal: 'kitten',
    need: 'cold and shaking',
    give: 'wrapped it in a warm blanket',
    sound: 'purred',
  },
  {
    animal: 'puppy',
    need: 'hungry and alone',
    give: 'gave it some bread and water',
    sound: 'wagged its tail',
  },
  {
    animal: 'bird',
    need: 'hurt and could not fly',
    give: 'made it a soft bed in a box',
    sound: 'chirped',
  },
  {
    animal: 'rabbit',
    need: 'lost and scared',
    give: 'gave it a fresh carrot',
    sound: 'twitched its nose',
  },
  {
    animal: 'duckling',
    need: 'far from its mother',
    give: 'carried it back to the pond',
    sound: 'quacked',
  },
  { animal: 'hedgehog', need: 'stuck in a hole', give: 'lifted it out gently', sound: 'sniffed' },
];

export const PET_NAMES: readonly string[] =
  'Button Pip Biscuit Pepper Sunny Muffin Bean Clover Nutmeg Pebble Tuffy Dot'.split(' ');

/** Things to bake, and who to share them with. */
export const BAKES: readonly { thing: string; it: 'it' | 'them'; fruit: string }[] = [
  { thing: 'cake', it: 'it', fruit: 'strawberries' },
  { thing: 'pie', it: 'it', fruit: 'apples' },
  { thing: 'cookies', it: 'them', fruit: 'raisins' },
  { thing: 'muffins', it: 'them', fruit: 'blueberries' },
  { thing: 'bread', it: 'it', fruit: 'nuts' },
];

/** Fears and what makes them go away. */
export const FEARS: readonly { fear: string; comfort: string; lesson: string }[] = [
  {
    fear: 'the dark',
    comfort: 'turned on a small night light',
    lesson: 'the dark was just the same room without the light',
  },
  {
    fear: 'thunder',
    comfort: 'counted the seconds between the flash and the boom',
    lesson: 'the storm was far away',
  },
  {
    fear: 'the big dog next door',
    comfort: 'showed {him} how to hold out a hand slowly',
    lesson: 'the big dog only wanted to play',
  },
  {
    fear: 'the deep water',
    comfort: 'held {his} hand in the shallow part',
    lesson: 'the water was fun when you go slowly',
  },
  {
    fear: 'the first day of school',
    comfort: 'walked with {him} to the gate',
    lesson: 'school was full of new friends',
  },
];

/** Seeds and what they grow into. */
export const SEEDS: readonly { seed: string; plant: string }[] = [
  { seed: 'sunflower seed', plant: 'a tall sunflower' },
  { seed: 'bean', plant: 'a climbing bean plant' },
  { seed: 'pumpkin seed', plant: 'a big round pumpkin' },
  { seed: 'tomato seed', plant: 'a plant full of tomatoes' },
  { seed: 'tulip bulb', plant: 'a bright tulip' },
];

export const WEATHER: readonly string[] = 'sunny windy rainy cloudy snowy'.split(' ');
export const TIMES: readonly string[] = 'morning afternoon evening'.split(' ');
export const FEELINGS_SAD: readonly string[] = 'sad upset worried'.split(' ');
export const FEELINGS_HAPPY: readonly string[] = 'happy glad proud'.split(' ');
