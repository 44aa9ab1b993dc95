/**
 * @file The 30 prompts the tokenizer tests compare on: punctuation, case, contractions, accents, emoji,
 * CJK and other scripts, numbers, odd whitespace, and prompts longer than 77 and 512 tokens. None needs
 * ftfy's repairs (no mojibake, no HTML entities), so openai's cleaning reduces to NFC here.
 */

const LONG_SCENE =
  'A cozy reading nook by a rain-streaked window at dusk, with a worn leather armchair, a knitted blanket in ' +
  'mustard yellow, a stack of hardcover books with cracked spines, a steaming mug of tea on a small walnut side ' +
  'table, warm light from a brass floor lamp, a sleeping tabby cat curled on a cushion, potted ferns and a fiddle-leaf ' +
  'fig in the corner, framed botanical prints on the wall, soft shadows, film grain, 35mm photograph, shallow depth ' +
  'of field, muted autumn palette, highly detailed, cinematic composition';

/** Prompts for the id comparisons (index = prompt number − 1). */
export const TOKENIZER_TEST_PROMPTS: readonly string[] = [
  'a photo of a cat',
  'Make the car RED and the sky Blue.',
  'Turn the dog into a cat, please!',
  'Add a hat; remove the glasses: done? Yes... maybe?!',
  "What's the cat's name? It's Tom, isn't it? We'll see; they've said I'd say you're right, I'm sure.",
  "don't DON'T Don't — \"quoted\" and 'single'",
  'Price: $19.99 - 50% off!!! (limited) [sale] {now} <today>',
  'Year 2024, pi 3.14159, 1,000,000 pixels at 1920x1080 and 4K',
  'Café crème brûlée à la façade, naïve résumé, jalapeño piñata',
  'Straße über Größe, Ærøskøbing, Łódź, Dvořák',
  'Make it look like a Van Gogh painting 🎨🌻',
  'Add a 🐱 wearing a 🎩 next to the 🌈 👍🏽 👨‍👩‍👧',
  '把天空变成夜晚，添加星星',
  '猫を青くして、背景を夕焼けに',
  '하늘을 파랗게 만들어 주세요',
  'Сделай небо синим и добавь луну',
  'Κάνε τον ουρανό ΜΠΛΕ, ΟΔΟΣ',
  'اجعل السماء زرقاء',
  '   leading and trailing spaces   ',
  'multiple    spaces\tand\ttabs\nand\nnew lines\u00a0with nbsp',
  'hyphen-ated well-known e-mail user@example.com https://example.com/path?x=1',
  'snake_case and CamelCase and ALLCAPS_WITH_UNDERSCORES',
  '#hashtag @mention ~tilde ^caret |pipe \\backslash *stars* +plus= /slash',
  'Ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ １２３ and ｶﾀｶﾅ',
  'ellipsis… “curly quotes” ‘single’ – en dash — em dash',
  'Tiếng Việt có dấu, हिन्दी, ภาษาไทย',
  'x',
  '',
  `${LONG_SCENE}, with a second armchair and a record player`, // > 77 CLIP tokens
  Array.from({ length: 8 }, (_, i) => `Scene ${i + 1}: ${LONG_SCENE}.`).join(' '), // > 512 tokens for both
];
