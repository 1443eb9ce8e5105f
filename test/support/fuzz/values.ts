/**
 * Hostile values for one field, each with the verdict the contract gives it in that field:
 * `invalid` (VALIDATION_FAILED), `valid` (the route's normal answer) or `either` (the
 * contract leaves it open; the fuzzer then only insists on a 4xx/2xx in the right shape).
 */
import { FieldRule } from './contract';
import { ByteString, JsonValue, nested, RawJson } from './json';
import { Prng } from './prng';

export type Verdict = 'invalid' | 'valid' | 'either' | 'too-large';

export interface Sample {
  label: string;
  value: JsonValue;
  verdict: Verdict;
  /** Set when a 2xx must echo exactly this value back (plain strings and numbers). */
  echo?: JsonValue;
  /** Invalid UTF-8 may be refused while the body is read, before any guard. */
  maybeRefusedWhileParsing?: boolean;
}

/** Unicode and encoding edge cases, as text a field might carry. */
interface TextSample {
  label: string;
  value: string | RawJson | ByteString;
  /** wellformed: valid Unicode; control: C0 or DEL; c1: C1 controls; lone: lone surrogates; bytes: invalid UTF-8. */
  kind: 'wellformed' | 'control' | 'c1' | 'lone' | 'bytes';
}

const bytes = (...values: number[]) => Buffer.from(values);

export const TEXT_SAMPLES: TextSample[] = [
  { label: 'emoji with skin tone', value: '小明😀👍🏽', kind: 'wellformed' },
  { label: 'ZWJ family emoji', value: '👨\u200d👩\u200d👧\u200d👦', kind: 'wellformed' },
  { label: 'lone zero-width joiner', value: '\u200d', kind: 'wellformed' },
  { label: 'zero-width space', value: 'a\u200bb', kind: 'wellformed' },
  { label: 'RTL override', value: '\u202eevil.exe', kind: 'wellformed' },
  { label: 'bidi isolates', value: '\u2066abc\u2069', kind: 'wellformed' },
  {
    label: 'combining marks (zalgo)',
    value: `Z${'\u0336\u0337\u0338'.repeat(10)}`,
    kind: 'wellformed',
  },
  { label: 'BOM character', value: '\ufeffname', kind: 'wellformed' },
  { label: 'noncharacter U+FFFF', value: 'a\uffffb', kind: 'wellformed' },
  { label: 'private use', value: '\ue000\uf8ff', kind: 'wellformed' },
  { label: 'astral plane letter', value: '\u{1d54f}\u{1f600}', kind: 'wellformed' },
  { label: 'line and paragraph separators', value: 'a\u2028b\u2029c', kind: 'wellformed' },
  { label: 'homoglyph (Cyrillic a)', value: '\u0430dmin', kind: 'wellformed' },
  { label: 'decomposed accent', value: 'e\u0301', kind: 'wellformed' },
  { label: 'SQL injection', value: "x'); DROP TABLE wx_user;--", kind: 'wellformed' },
  { label: 'HTML', value: '<script>alert(1)</script>', kind: 'wellformed' },
  { label: 'format string', value: '%s%n%x%d', kind: 'wellformed' },
  {
    label: 'escaped surrogate pair (valid emoji)',
    value: new RawJson('"\\ud83d\\ude00"'),
    kind: 'wellformed',
  },
  { label: 'NUL', value: 'a\u0000b', kind: 'control' },
  { label: 'escaped NUL', value: new RawJson('"a\\u0000b"'), kind: 'control' },
  { label: 'newline and tab', value: 'a\nb\tc', kind: 'control' },
  { label: 'DEL', value: 'a\u007fb', kind: 'control' },
  { label: 'ANSI escape', value: '\u001b[31mred', kind: 'control' },
  { label: 'C1 control NEL', value: 'a\u0085b', kind: 'c1' },
  { label: 'lone high surrogate', value: new RawJson('"a\\ud800b"'), kind: 'lone' },
  { label: 'lone low surrogate', value: new RawJson('"\\udc00"'), kind: 'lone' },
  { label: 'reversed surrogate pair', value: new RawJson('"\\udc00\\ud800"'), kind: 'lone' },
  { label: 'high surrogate at the end', value: new RawJson('"abc\\ud83d"'), kind: 'lone' },
  { label: 'invalid UTF-8 byte FF', value: new ByteString(['a', bytes(0xff), 'b']), kind: 'bytes' },
  { label: 'overlong slash', value: new ByteString(['a', bytes(0xc0, 0xaf)]), kind: 'bytes' },
  {
    label: 'truncated 3-byte sequence',
    value: new ByteString([bytes(0xe2, 0x82), 'x']),
    kind: 'bytes',
  },
  {
    label: 'UTF-8 encoded surrogate',
    value: new ByteString([bytes(0xed, 0xa0, 0x80)]),
    kind: 'bytes',
  },
  { label: 'lone continuation byte', value: new ByteString(['x', bytes(0x80)]), kind: 'bytes' },
  {
    label: 'code point above U+10FFFF',
    value: new ByteString([bytes(0xf4, 0x90, 0x80, 0x80)]),
    kind: 'bytes',
  },
];

const codePoints = (text: string) => [...text].length;
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const C0_OR_DEL = /[\u0000-\u001f\u007f]/;

/** How a field's text rule judges a plain string. */
function judgeString(rule: FieldRule, text: string): Verdict {
  const max = rule.max ?? Infinity;
  switch (rule.text) {
    case 'ascii':
      return /^[\x21-\x7e]+$/.test(text) && text.length <= max ? 'valid' : 'invalid';
    case 'hex40':
      return /^[0-9a-fA-F]{40}$/.test(text) ? 'valid' : 'invalid';
    case 'appid':
      // Well-formed, it may still name no app of the route's kind.
      return /^wx[0-9a-f]{16}$/i.test(text) ? 'either' : 'invalid';
    case 'nickname':
      if (!text.isWellFormed() || C0_OR_DEL.test(text)) return 'invalid';
      if (codePoints(text) < 1 || codePoints(text) > max) return 'invalid';
      return /[\u0080-\u009f]/.test(text) ? 'either' : 'valid';
    case 'url':
      return 'either';
    default:
      return codePoints(text) <= max ? 'either' : 'invalid';
  }
}

/** A text sample put in this field: URLs get it as their path, other fields as the value. */
function textValue(rule: FieldRule, sample: TextSample): Sample {
  const prefix = rule.text === 'url' ? 'https://example.com/' : '';
  const { value, kind } = sample;
  let verdict: Verdict;
  let wire: JsonValue;
  if (typeof value === 'string') {
    wire = prefix + value;
    verdict = judgeString(rule, prefix + value);
  } else {
    wire =
      value instanceof RawJson
        ? new RawJson(`"${prefix}${value.text.slice(1)}`)
        : new ByteString([prefix, ...value.parts]);
    if (rule.text === 'ascii' || rule.text === 'hex40' || rule.text === 'appid')
      verdict = 'invalid';
    else if (rule.text === 'nickname')
      verdict = kind === 'wellformed' ? 'valid' : kind === 'bytes' ? 'either' : 'invalid';
    else verdict = 'either';
  }
  return {
    label: `${rule.name}: ${sample.label}`,
    value: wire,
    verdict,
    ...(verdict === 'valid' && typeof wire === 'string' && { echo: wire }),
    ...(kind === 'bytes' && { maybeRefusedWhileParsing: true }),
  };
}

export function unicodeSamples(rule: FieldRule): Sample[] {
  if (rule.type !== 'string') return [];
  return TEXT_SAMPLES.map((sample) => textValue(rule, sample));
}

const WRONG_FOR_STRING: Array<[string, JsonValue]> = [
  ['number', 123],
  ['zero', 0],
  ['negative', -1],
  ['float', 1.5],
  ['true', true],
  ['false', false],
  ['empty array', []],
  ['array of the string', ['abc']],
  ['empty object', {}],
  ['object', { value: 'abc' }],
  ['1e400 (Infinity)', new RawJson('1e400')],
  ['-0', new RawJson('-0')],
  ['30-digit integer', new RawJson('123456789012345678901234567890')],
];

const WRONG_FOR_NUMBER: Array<[string, JsonValue]> = [
  ['numeric string', '1'],
  ['empty string', ''],
  ['word', 'one'],
  ['true', true],
  ['false', false],
  ['empty array', []],
  ['array of a number', [1]],
  ['object', { value: 1 }],
  ['3', 3],
  ['-1', -1],
  ['1.5', 1.5],
  ['255', 255],
  ['256', 256],
  ['-128', -128],
  ['0.1', 0.1],
  ['1e400 (Infinity)', new RawJson('1e400')],
  ['-1e400', new RawJson('-1e400')],
  ['2^53 + 1', new RawJson('9007199254740993')],
];

/** Spellings of 0, 1 and 2 that JSON reads as those numbers. */
const NUMERIC_SPELLINGS: Array<[string, RawJson]> = [
  ['1.0', new RawJson('1.0')],
  ['-0', new RawJson('-0')],
  ['0e10', new RawJson('0e10')],
  ['2E0', new RawJson('2E0')],
  ['1.0000000000000000001', new RawJson('1.0000000000000000001')],
];

const WRONG_FOR_OBJECT: Array<[string, JsonValue]> = [
  ['string', 'x'],
  ['number', 1],
  ['true', true],
  ['empty array', []],
  ['array of an object', [{ nickName: 'x' }]],
  ['nested arrays', new RawJson('[[[]]]')],
];

export function wrongTypeSamples(rule: FieldRule): Sample[] {
  const table =
    rule.type === 'string'
      ? WRONG_FOR_STRING
      : rule.type === 'number'
        ? WRONG_FOR_NUMBER
        : WRONG_FOR_OBJECT;
  const samples: Sample[] = table.map(([label, value]) => ({
    label: `${rule.name}: ${label}`,
    value,
    verdict: 'invalid',
  }));
  samples.push({
    label: `${rule.name}: null`,
    value: null,
    verdict: rule.nullMeansAbsent ? 'either' : 'invalid',
  });
  if (rule.oneOf) {
    for (const [label, value] of NUMERIC_SPELLINGS) {
      samples.push({ label: `${rule.name}: ${label}`, value, verdict: 'either' });
    }
  }
  return samples;
}

/** Just too long, far too long, and (with the rest of the body) over the 64 KB body limit. */
export function lengthSamples(rule: FieldRule, prng: Prng): Sample[] {
  if (rule.type !== 'string') return [];
  const samples: Sample[] = [];
  const fill = (length: number): string => {
    if (rule.text === 'url') return `https://e.com/${'a'.repeat(Math.max(0, length - 14))}`;
    if (rule.text === 'hex40') return 'a'.repeat(length);
    if (rule.text === 'appid') return `wx${'a'.repeat(Math.max(0, length - 2))}`;
    return prng.string(length, 'abcdefghijklmnopqrstuvwxyz0123456789');
  };
  if (rule.text === 'hex40') {
    for (const length of [0, 39, 41, 400]) {
      samples.push({
        label: `${rule.name}: ${length} hex`,
        value: 'a'.repeat(length),
        verdict: 'invalid',
      });
    }
  }
  if (rule.max !== undefined) {
    const atMax = fill(rule.max);
    samples.push({
      label: `${rule.name}: exactly ${rule.max}`,
      value: atMax,
      verdict: judgeString(rule, atMax),
      ...(judgeString(rule, atMax) === 'valid' && { echo: atMax }),
    });
    samples.push({
      label: `${rule.name}: ${rule.max + 1}`,
      value: fill(rule.max + 1),
      verdict: 'invalid',
    });
    if (rule.text === 'nickname') {
      samples.push({
        label: `${rule.name}: 64 emoji`,
        value: '😀'.repeat(64),
        verdict: 'valid',
        echo: '😀'.repeat(64),
      });
      samples.push({ label: `${rule.name}: 65 emoji`, value: '😀'.repeat(65), verdict: 'invalid' });
    }
  }
  samples.push({
    label: `${rule.name}: empty`,
    value: '',
    verdict: rule.text === 'any' ? 'either' : 'invalid',
  });
  samples.push({
    label: `${rule.name}: 60000 characters`,
    value: fill(60_000),
    verdict: rule.max !== undefined ? 'invalid' : 'either',
  });
  samples.push({
    label: `${rule.name}: 70000 characters`,
    value: fill(70_000),
    verdict: 'too-large',
  });
  return samples;
}

/** Nesting depths: the deepest once overflowed the validator's recursion (a 500). */
export const DEPTHS = [2, 32, 256, 1024, 4096, 16000];

export function nestingSamples(rule: FieldRule): Sample[] {
  return DEPTHS.flatMap((depth) =>
    (['object', 'array'] as const).map((kind): Sample => ({
      label: `${rule.name}: ${kind} nested ${depth} deep`,
      value: nested(depth, kind),
      verdict: 'invalid',
    })),
  );
}
