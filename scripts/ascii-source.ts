import { tokenizer, tokTypes } from 'acorn';

const NON_ASCII = /[\u0080-\uffff]/g;

const escaped = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * The bundle's source with every non-ASCII character written as a `\uXXXX` escape. V8 keeps a
 * script's source for as long as it runs, one byte per character when all are ASCII and two
 * otherwise: 12 MB more for this bundle. esbuild escapes strings and identifiers but leaves
 * comments and regular expressions as they are (validator's alphabets, libphonenumber's
 * comments). An escape means the same there, except right after a backslash; any other place
 * (a tagged template's raw text) stops the build rather than change what the code does.
 * By hand because no bundler option does it; acorn tokenizes, so nothing else is touched.
 */
export function asciiSource(source: string): string {
  const escapable: Array<[start: number, end: number]> = [];
  const tokens = tokenizer(source, {
    ecmaVersion: 'latest',
    onComment: (_block, _text, start, end) => escapable.push([start, end]),
  });
  for (const token of tokens) {
    if (token.type === tokTypes.regexp) escapable.push([token.start, token.end]);
  }
  escapable.sort((a, b) => a[0] - b[0]);
  let range = 0;
  return source.replace(NON_ASCII, (char, offset: number) => {
    while (range < escapable.length && escapable[range][1] <= offset) range++;
    const inside = range < escapable.length && escapable[range][0] <= offset;
    if (!inside || source[offset - 1] === '\\') {
      const line = source.slice(0, offset).split('\n').length;
      throw new Error(`non-ASCII character that an escape would change, at line ${line}`);
    }
    return escaped(char);
  });
}
