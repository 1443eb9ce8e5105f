import { runInNewContext } from 'node:vm';
import { asciiSource } from './ascii-source';

const run = (source: string): unknown => runInNewContext(source);

describe('asciiSource', () => {
  it('escapes comments and regular expressions, which then match what they matched', () => {
    const source = [
      '// Zürich, 北京 ☺',
      '/* Wärting */',
      'const latin = /^[A-ZÄÖÜß]+$/i, astral = /^😀+$/u, plain = /^😀$/;',
      // Strings come escaped from esbuild.
      String.raw`[latin.test('Gr\u00f6\u00dfe'), latin.test('Grosse'), latin.test('\u0393'),`,
      String.raw`  astral.test('\u{1f600}\u{1f600}'), plain.test('\u{1f600}')]`,
    ].join('\n');
    const ascii = asciiSource(source);
    expect(ascii).not.toMatch(/[\u0080-\uffff]/);
    expect(run(ascii)).toEqual([true, true, false, true, true]);
    expect(run(ascii)).toEqual(run(source));
  });

  it('leaves ASCII source as it is', () => {
    const source = "const a = 'x' / 2; // plain\n/[a-z]/.test('q')";
    expect(asciiSource(source)).toBe(source);
  });

  it('refuses what an escape would change: a raw template, an escaped character', () => {
    expect(() => asciiSource('String.raw`é`')).toThrow(/line 1/);
    expect(() => asciiSource('const a = 1;\n/\\é/.test("é")')).toThrow(/line 2/);
  });
});
