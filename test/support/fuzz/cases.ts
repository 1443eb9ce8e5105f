/**
 * Turns the service's OpenAPI document into hostile requests: every documented operation
 * gets wrong types, missing and extra fields, over-long and Unicode-edge strings, deep
 * nesting, wrong shapes, malformed JSON, wrong content types, huge bodies, random bytes,
 * weird queries and headers, forged tokens, unknown methods and mangled paths. Every case
 * carries what the contract lets it answer. Deterministic for a given seed.
 */
import { gzipSync } from 'node:zlib';
import {
  ContractCode,
  FieldRule,
  FUZZ_APPS,
  OFF_UNLESS_CONFIGURED,
  ROUTE_RULES,
  RouteRule,
  Success,
} from './contract';
import { ByteString, encodeJson, Entries, JsonValue, nested, RawJson } from './json';
import { Operation, SchemaField } from './openapi';
import { ALNUM, PRINTABLE, Prng } from './prng';
import { claimsOf, craftJwt } from './tokens';
import {
  DEPTHS,
  lengthSamples,
  nestingSamples,
  Sample,
  unicodeSamples,
  Verdict,
  wrongTypeSamples,
} from './values';

export interface Session {
  token: string;
  sessionId: string;
  userId: number;
}

export interface FuzzContext {
  jwtSecret: string;
  /** The user every case that must not write is sent as; its row must never change. */
  victim: Session & { refreshToken: string };
  /** A second session of the victim, for logout requests that must fail before logging out. */
  guard: Session;
  /** The user valid-looking profile changes are sent as. */
  playground: Session;
  /** Sessions a case may log out, each used once. */
  throwaways: Session[];
}

export interface Expectation {
  /** Error codes the contract allows for this case. */
  codes: ContractCode[];
  /** A 2xx is allowed too, and must look like this. */
  success?: Success;
  /** Fields a 2xx `user` must show (what a PATCH sent). */
  echo?: Record<string, JsonValue>;
  /** The request id the answer must carry: the client's one, or one the service generated. */
  requestId?: { echo: string } | { generated: true };
  /** A route the fuzzer has no contract knowledge of: any contract code will do. */
  anyCode?: boolean;
}

export type AuthMode =
  'victim' | 'guard' | 'playground' | 'throwaway' | 'dead' | 'none' | 'crafted';

export interface FuzzCase {
  id: number;
  /** The documented operation the case aims at, e.g. `POST /auth/wechat/login`. */
  operation: string;
  family: string;
  label: string;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  chunked?: boolean;
  auth: AuthMode;
  expect: Expectation;
}

interface Target {
  op: Operation;
  key: string;
  /** The path a valid request goes to: the template with its parameters filled in. */
  path: string;
  rule: RouteRule;
  /** Known rule for the route, or loose handling for a route the fuzzer does not know. */
  known: boolean;
  /** (path in the body, rule) for every field, nested ones included. */
  fields: Array<{ path: string[]; rule: FieldRule }>;
}

/** Where a request fails: in Fastify's body parsing (before any guard), maybe there, or later. */
type ParseLevel = boolean | 'maybe';

interface Spec {
  family: string;
  label: string;
  verdict: Verdict;
  body?: Buffer;
  /** null: no Content-Type header at all. */
  contentType?: string | null;
  parseLevel?: ParseLevel;
  query?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  chunked?: boolean;
  echo?: Record<string, JsonValue>;
  /** Force the credential; by default a bearer route gets the right one, sometimes none. */
  auth?: AuthMode;
  /** Replace the computed expectation. */
  expect?: Expectation;
}

const VALIDATION: Expectation = { codes: ['VALIDATION_FAILED'] };
const MB2 = 2 * 1024 * 1024;
const BODY_LIMIT = 64 * 1024;

const merge = (...parts: Expectation[]): Expectation => ({
  codes: [...new Set(parts.flatMap((part) => part.codes))],
  anyCode: parts.some((part) => part.anyCode) || undefined,
  success: parts.find((part) => part.success)?.success,
  echo: parts.find((part) => part.echo)?.echo,
});

function ruleFromSchema(field: SchemaField): FieldRule {
  const type =
    field.type === 'object'
      ? 'object'
      : field.type === 'integer' || field.type === 'number'
        ? 'number'
        : 'string';
  return {
    name: field.name,
    type,
    required: field.required,
    max: field.maxLength,
    text: 'any',
    valid: () => (type === 'number' ? 0 : type === 'object' ? {} : 'x'),
    fields: field.fields?.map(ruleFromSchema),
  };
}

/** The contract's rules for a field, plus whatever the document declares that they lack. */
function mergeFields(known: FieldRule[], documented: SchemaField[] | undefined): FieldRule[] {
  const merged = [...known];
  for (const field of documented ?? []) {
    const rule = merged.find((candidate) => candidate.name === field.name);
    if (!rule) merged.push(ruleFromSchema(field));
    else if (rule.fields && field.fields)
      merged[merged.indexOf(rule)] = { ...rule, fields: mergeFields(rule.fields, field.fields) };
  }
  return merged;
}

function flatten(
  rules: FieldRule[],
  prefix: string[] = [],
): Array<{ path: string[]; rule: FieldRule }> {
  return rules.flatMap((rule) => [
    { path: [...prefix, rule.name], rule },
    ...(rule.fields ? flatten(rule.fields, [...prefix, rule.name]) : []),
  ]);
}

const isPlain = (value: JsonValue) => typeof value === 'string' || typeof value === 'number';

export class CaseGenerator {
  private readonly cases: FuzzCase[] = [];
  private readonly targets: Target[];
  private throwawaysUsed = 0;
  /** The victim's token with the id of a session that does not exist (RouteRule.caller). */
  private readonly dead: Session;

  constructor(
    operations: Operation[],
    private readonly ctx: FuzzContext,
    private readonly prng: Prng,
  ) {
    const sessionId = '00000000-0000-4000-8000-00000000dead';
    this.dead = {
      ...ctx.victim,
      sessionId,
      token: craftJwt(
        { alg: 'HS256', typ: 'JWT' },
        { ...claimsOf(ctx.victim.token), sid: sessionId },
        ctx.jwtSecret,
      ),
    };
    this.targets = operations.map((op) => {
      const key = `${op.method} ${op.path}`;
      const rule = ROUTE_RULES[key];
      const fields = mergeFields(rule?.fields ?? [], op.body);
      return {
        op,
        key,
        path: fillPath(op.path, rule?.pathParams ?? {}),
        known: rule !== undefined,
        rule: rule ?? {
          valid: { codes: [] },
          fields,
          body: op.body ? (prng) => this.bodyFrom(fields, prng) : undefined,
        },
        fields: flatten(fields),
      };
    });
  }

  /** Every family for every operation, then random mixes until there are `target` cases. */
  generate(target: number): FuzzCase[] {
    for (const t of this.targets) {
      if (OFF_UNLESS_CONFIGURED.has(t.key)) {
        this.offRouteFamily(t);
        continue;
      }
      if (this.hasBody(t)) {
        this.fieldFamilies(t);
        this.shapeFamilies(t);
      }
      if (t.op.method !== 'GET') this.rawBodyFamilies(t);
      if (t.rule.pathParams) this.pathParamFamily(t);
      this.queryFamily(t);
      this.headerFamilies(t);
    }
    this.methodAndPathFamilies();
    while (this.cases.length < target) this.randomMix(this.prng.pick(this.targets));
    return this.cases;
  }

  get throwawaysNeeded(): number {
    return this.throwawaysUsed;
  }

  // ---------------------------------------------------------------- families

  private fieldFamilies(t: Target): void {
    for (const { path, rule } of t.fields) {
      const samples: Array<[string, Sample]> = [
        ...wrongTypeSamples(rule).map((s): [string, Sample] => ['wrong-type', s]),
        ...unicodeSamples(rule).map((s): [string, Sample] => ['unicode', s]),
        ...lengthSamples(rule, this.prng).map((s): [string, Sample] => ['length', s]),
        ...nestingSamples(rule).map((s): [string, Sample] => ['nesting', s]),
      ];
      for (const [family, sample] of samples) this.addFieldCase(t, family, path, sample);
    }
  }

  private addFieldCase(t: Target, family: string, path: string[], sample: Sample): void {
    const body = this.validBody(t);
    this.setPath(t, body, path, sample.value);
    const echo = sample.echo !== undefined ? this.echoOf(t, body) : undefined;
    this.add(t, {
      family,
      label: sample.label,
      verdict: sample.verdict,
      body: encodeJson(body),
      parseLevel:
        sample.verdict === 'too-large' ? true : sample.maybeRefusedWhileParsing ? 'maybe' : false,
      echo,
    });
  }

  private shapeFamilies(t: Target): void {
    const required = t.fields.filter(({ path, rule }) => path.length === 1 && rule.required);
    for (const { path } of required) {
      const body = this.validBody(t);
      delete body[path[0]];
      this.add(t, {
        family: 'missing',
        label: `without ${path[0]}`,
        verdict: 'invalid',
        body: encodeJson(body),
      });
    }
    this.add(t, {
      family: 'missing',
      label: 'empty object',
      verdict: 'invalid',
      body: encodeJson({}),
    });
    for (const { path, rule } of t.fields) {
      if (!rule.pairedWith) continue;
      const body = this.validBody(t);
      body[path[0]] = rule.valid(this.prng);
      delete body[rule.pairedWith];
      this.add(t, {
        family: 'missing',
        label: `${path[0]} without ${rule.pairedWith}`,
        verdict: 'invalid',
        body: encodeJson(body),
      });
    }

    const extraNames = [
      'isAdmin',
      'id',
      'openid',
      'status',
      'phone',
      '',
      ' ',
      'ＩＤ',
      '😀',
      'a'.repeat(1000),
      '$where',
      'nickname.',
      'code\u0000',
    ];
    const nestedObjects = t.fields
      .filter(({ rule }) => rule.type === 'object')
      .map(({ path }) => path);
    // Names Object.prototype already has: a plain-object lookup of "known fields" finds them.
    const prototypeNames = Object.getOwnPropertyNames(Object.prototype).filter(
      (name) => name !== '__proto__',
    );
    for (const name of [...extraNames, ...prototypeNames]) {
      for (const where of [[], ...nestedObjects]) {
        const body = this.validBody(t);
        this.setPath(
          t,
          body,
          [...where, name],
          this.prng.pick<JsonValue>([true, 1, 'x', null, {}]),
        );
        this.add(t, {
          family: 'extra-field',
          label: `extra ${JSON.stringify(name.slice(0, 20))} in ${where.join('.') || 'body'}`,
          verdict: 'invalid',
          body: encodeJson(body),
        });
      }
    }
    // Fastify refuses prototype poisoning while parsing; either way it must not get through.
    for (const raw of [
      '{"__proto__":{"isAdmin":true}',
      '{"constructor":{"prototype":{"isAdmin":true}}',
    ]) {
      const body = encodeJson(this.validBody(t)).toString('utf8');
      this.add(t, {
        family: 'extra-field',
        label: `prototype key ${raw.slice(2, 15)}`,
        verdict: 'invalid',
        parseLevel: 'maybe',
        body: Buffer.from(`${raw},${body.slice(1)}`),
      });
    }

    for (const { path, rule } of t.fields.filter(({ path }) => path.length === 1)) {
      const valid = rule.valid(this.prng);
      const wrong = rule.type === 'number' ? 'one' : 12345;
      const rest = Object.entries(this.validBody(t)).filter(([key]) => key !== path[0]);
      this.add(t, {
        family: 'duplicate-key',
        label: `${path[0]} twice, wrong one last`,
        verdict: 'invalid',
        body: encodeJson(new Entries([...rest, [path[0], valid], [path[0], wrong]])),
      });
      this.add(t, {
        family: 'duplicate-key',
        label: `${path[0]} twice, valid one last`,
        verdict: 'either',
        body: encodeJson(new Entries([...rest, [path[0], wrong], [path[0], valid]])),
      });
    }

    const valid = this.validBody(t);
    const shapes: Array<[string, JsonValue]> = [
      ['array of the body', [valid]],
      ['empty array', []],
      ['array of arrays', [[]]],
      ['array of numbers', [1, 2, 3]],
      ['string', 'hello'],
      ['empty string', ''],
      ['number', 42],
      ['true', true],
      ['null', null],
    ];
    for (const [label, value] of shapes) {
      this.add(t, {
        family: 'shape',
        label: `body is ${label}`,
        verdict: 'invalid',
        body: encodeJson(value),
      });
    }
    for (const depth of DEPTHS) {
      for (const kind of ['object', 'array'] as const) {
        this.add(t, {
          family: 'nesting',
          label: `body is ${kind} nested ${depth} deep`,
          verdict: 'invalid',
          body: encodeJson(nested(depth, kind)),
        });
      }
    }

    if (t.key === 'POST /auth/refresh') this.realRefreshTokenFamily(t);
  }

  /** The victim's real refresh token in bodies that must be refused: it must not rotate. */
  private realRefreshTokenFamily(t: Target): void {
    const real = this.ctx.victim.refreshToken;
    const cases: Array<[string, Buffer, string | null, Verdict, ParseLevel]> = [
      [
        'with an extra field',
        encodeJson({ refreshToken: real, extra: 1 }),
        'application/json',
        'invalid',
        false,
      ],
      ['in an array', encodeJson([{ refreshToken: real }]), 'application/json', 'invalid', false],
      ['as an array', encodeJson({ refreshToken: [real] }), 'application/json', 'invalid', false],
      [
        'as an object',
        encodeJson({ refreshToken: { value: real } }),
        'application/json',
        'invalid',
        false,
      ],
      [
        'twice, a number last',
        encodeJson(
          new Entries([
            ['refreshToken', real],
            ['refreshToken', 1],
          ]),
        ),
        'application/json',
        'invalid',
        false,
      ],
      ['as text/plain', encodeJson({ refreshToken: real }), 'text/plain', 'invalid', true],
      [
        'as a form',
        Buffer.from(`refreshToken=${real}`),
        'application/x-www-form-urlencoded',
        'invalid',
        true,
      ],
      ['without a content type', encodeJson({ refreshToken: real }), null, 'invalid', true],
      [
        'truncated JSON',
        Buffer.from(`{"refreshToken":"${real}"`),
        'application/json',
        'invalid',
        true,
      ],
    ];
    for (const [label, body, contentType, verdict, parseLevel] of cases) {
      this.add(t, {
        family: 'real-refresh-token',
        label: `real refresh token ${label}`,
        verdict,
        body,
        contentType,
        parseLevel,
      });
    }
    for (const [label, token] of [
      ['with a trailing space', `${real} `],
      ['with a leading space', ` ${real}`],
      ['upper-cased', real.toUpperCase()],
      ['cut short', real.slice(0, -1)],
      ['with a NUL', `${real}\u0000`],
    ]) {
      this.add(t, {
        family: 'real-refresh-token',
        label: `real refresh token ${label}`,
        verdict: 'either',
        body: encodeJson({ refreshToken: token }),
      });
    }
  }

  private rawBodyFamilies(t: Target): void {
    const malformed = [
      '{',
      '}',
      '{"',
      '{"code"',
      '{"code":',
      '{"code":"abc"',
      '{"code":"abc",}',
      "{'code':'abc'}",
      '{code:"abc"}',
      '{"code":"abc"}}',
      '{"code":"abc"} x',
      '{"code":"abc"}{"code":"abc"}',
      '[',
      '[1,]',
      'nul',
      'tru',
      'NaN',
      'Infinity',
      '-',
      '01',
      '{"code":NaN}',
      '{"code":undefined}',
      '{"code":0x10}',
      '{"code":.5}',
      '/*x*/{"code":"abc"}',
      '{"code":"abc"//x\n}',
      '{"code":"\\x41"}',
      '{"code":"\\u12"}',
      '{"code":"\\uZZZZ"}',
      '{"code":"a\nb"}',
      '{"code":"a\u0000b"}',
      '"unterminated',
      ' ',
      '\t\r\n',
      '\u0000',
      '{"a":1e}',
      '{"code"::"abc"}',
      '{,}',
      '{"code":"abc",,"x":1}',
      '\u00a0{"code":"abc"}',
      '{"code":"abc"}\u0000',
      '{"a":[1,2}',
      '{"a":"\\"}',
    ];
    for (const text of malformed) {
      this.add(t, {
        family: 'malformed-json',
        label: `malformed ${JSON.stringify(text.slice(0, 24))}`,
        verdict: 'invalid',
        parseLevel: true,
        body: Buffer.from(text),
      });
    }
    for (let i = 0; i < 12; i++) {
      const length = this.prng.pick([1, 2, 7, 64, 512, 4096]);
      let bytes = this.prng.bytes(length);
      while (parses(bytes)) bytes = this.prng.bytes(length);
      this.add(t, {
        family: 'random-bytes',
        label: `${length} random bytes as JSON`,
        verdict: 'invalid',
        parseLevel: true,
        body: bytes,
      });
    }
    this.add(t, {
      family: 'random-bytes',
      label: '512 random bytes, no content type',
      verdict: 'invalid',
      parseLevel: true,
      body: this.prng.bytes(512),
      contentType: null,
    });

    const body = this.hasBody(t) ? encodeJson(this.validBody(t)) : Buffer.from('{}');
    const bodyVerdict: Verdict = this.hasBody(t) ? 'valid' : 'either';
    const contentTypes: Array<[string | null, Verdict, ParseLevel, Buffer?]> = [
      ['text/plain', 'invalid', true],
      ['text/plain; charset=utf-8', 'invalid', true],
      ['application/x-www-form-urlencoded', 'invalid', true],
      [
        'application/x-www-form-urlencoded',
        'invalid',
        true,
        Buffer.from('code=abc&refreshToken=abc&nickname=x'),
      ],
      [
        'multipart/form-data; boundary=XyZ',
        'invalid',
        true,
        Buffer.from(
          '--XyZ\r\nContent-Disposition: form-data; name="code"\r\n\r\nabc\r\n--XyZ--\r\n',
        ),
      ],
      [null, 'invalid', true],
      ['', 'invalid', true],
      ['application/xml', 'invalid', true],
      ['application/vnd.api+json', 'invalid', true],
      ['application/json-patch+json', 'invalid', true],
      ['*/*', 'invalid', true],
      ['application/octet-stream', 'invalid', true],
      ['application/json; charset=utf-8', bodyVerdict, false],
      ['application/json;charset=UTF-8', bodyVerdict, false],
      ['APPLICATION/JSON', 'either', 'maybe'],
      ['application/json; charset=latin1', 'either', 'maybe'],
      [
        'application/json; charset=utf-16le',
        'either',
        'maybe',
        Buffer.from(body.toString('utf8'), 'utf16le'),
      ],
      ['application/jsonx', 'either', 'maybe'],
      ['application/json, text/plain', 'either', 'maybe'],
      [' application/json', 'either', 'maybe'],
    ];
    for (const [contentType, verdict, parseLevel, custom] of contentTypes) {
      const combined: Verdict = verdict === 'valid' ? bodyVerdict : verdict;
      this.add(t, {
        family: 'content-type',
        label: `content-type ${JSON.stringify(contentType)}`,
        verdict: combined,
        parseLevel,
        body: custom ?? body,
        contentType,
      });
    }
    this.add(t, {
      family: 'content-type',
      label: 'gzip-encoded JSON, undeclared by content-type',
      verdict: 'either',
      parseLevel: 'maybe',
      body: gzipSync(body),
      headers: { 'content-encoding': 'gzip' },
    });
    this.add(t, {
      family: 'chunked',
      label: 'valid body sent chunked',
      verdict: bodyVerdict,
      body,
      chunked: true,
    });
    this.add(t, {
      family: 'chunked',
      label: 'malformed body sent chunked',
      verdict: 'invalid',
      parseLevel: true,
      body: Buffer.from('{"code":"a'),
      chunked: true,
    });

    const empty: Verdict = this.hasBody(t) ? 'invalid' : 'either';
    this.add(t, {
      family: 'empty-body',
      label: 'empty body with JSON content type',
      verdict: empty,
      body: Buffer.alloc(0),
    });
    this.add(t, {
      family: 'empty-body',
      label: 'no body, no content type',
      verdict: empty,
      contentType: null,
    });

    const bigString = 'x'.repeat(MB2);
    const huge: Array<[string, Buffer, string | null, boolean?]> = [
      [
        '2 MB JSON',
        encodeJson({ ...(this.hasBody(t) ? this.validBody(t) : {}), pad: bigString }),
        'application/json',
      ],
      ['2 MB random bytes', this.prng.bytes(MB2), 'application/json'],
      ['2 MB JSON, chunked', encodeJson({ pad: bigString }), 'application/json', true],
      ['2 MB of [', Buffer.alloc(MB2, '['), 'application/json'],
      ['65 KB JSON', encodeJson({ pad: 'y'.repeat(65 * 1024) }), 'application/json'],
    ];
    for (const [label, hugeBody, contentType, chunked] of huge) {
      this.add(t, {
        family: 'huge',
        label,
        verdict: 'too-large',
        parseLevel: true,
        body: hugeBody,
        contentType,
        chunked,
      });
    }
    this.add(t, {
      family: 'huge',
      label: '2 MB as text/plain',
      verdict: 'either',
      parseLevel: true,
      body: Buffer.alloc(MB2, 'a'),
      contentType: 'text/plain',
      expect: { codes: ['VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE'] },
    });
  }

  /** Hostile values in each path parameter, e.g. the app id of an identity to unlink. */
  private pathParamFamily(t: Target): void {
    const refused: ContractCode[] = ['VALIDATION_FAILED', 'NOT_FOUND'];
    // Raw path segments, percent-encoded where a URL needs it.
    const junk = [
      '',
      'x',
      'wx',
      'wx123',
      `wx${'a'.repeat(15)}`,
      `wx${'a'.repeat(17)}`,
      `wx${'g'.repeat(16)}`,
      'a'.repeat(300),
      '%00',
      `wx${'0'.repeat(16)}%00`,
      '%F0%9F%98%80',
      '%E5%B0%8F%E6%98%8E',
      '%ED%A0%80',
      '%zz',
      '.',
      '..',
      '%2e%2e',
      '%2F',
      `wx%2F..%2F${'0'.repeat(14)}`,
      '%20',
      "'%20OR%20'1'='1",
      '%7BappId%7D',
      '__proto__',
      'constructor',
      'toString',
    ];
    for (const name of Object.keys(t.rule.pathParams ?? {})) {
      const valid = t.rule.pathParams![name];
      const samples: Array<[string, string, Expectation]> = [
        ['upper-cased', valid.toUpperCase(), merge(this.outcome(t, 'valid'), { codes: refused })],
        ['of an app the caller has no identity of', FUZZ_APPS.website[0], { codes: ['NOT_FOUND'] }],
        ['of an app not configured', `wx${'0'.repeat(13)}fff`, { codes: refused }],
        ...junk.map((value): [string, string, Expectation] => [
          JSON.stringify(value.slice(0, 24)),
          value,
          { codes: refused },
        ]),
      ];
      for (const [label, value, expect] of samples) {
        this.add(t, {
          family: 'path-param',
          label: `${name} ${label}`,
          verdict: 'invalid',
          path: fillPath(t.op.path, { ...t.rule.pathParams, [name]: value }),
          body: this.defaultBody(t),
          expect,
        });
      }
    }
  }

  private queryFamily(t: Target): void {
    const declared = t.rule.query;
    const valid = declared?.valid.map((value) => `${declared.name}=${value}`) ?? [];
    const weird = [
      'limit=-1',
      'limit=0',
      'limit=1e2',
      'limit=1.5',
      'limit[]=1',
      'limit[0]=1',
      'limit[a]=1',
      'limit=%00',
      'limit=1%00',
      'limit=',
      'limit',
      'limit=1&limit=2',
      'limit=%zz',
      'limit=%E0%A4%A',
      'limit=%EF%BC%91',
      'limit=99999999999999999999999',
      'limit=0x10',
      'limit=+5',
      'limit=%205',
      'limit=5%20',
      'limit=abc',
      'limit=null',
      'limit=true',
      'limit=[1]',
      'limit={}',
      'LIMIT=5',
      '%00=1',
      '__proto__[x]=1',
      'constructor[prototype][x]=1',
      'a[b][c][d]=1',
      `x=${'a'.repeat(3000)}`,
      'a=%F0%9F%98%80',
      'a=%ED%A0%80',
      'access_token=abc',
      'limit=101',
      'limit=1.0',
      'limit=01',
    ];
    const samples: Array<[string, Verdict]> = [
      ...valid.map((query): [string, Verdict] => [query, 'valid']),
      ...weird.map((query): [string, Verdict] => [query, declared ? 'invalid' : 'either']),
      ['&&&', declared ? 'valid' : 'either'],
      ['=', 'either'],
      ['?', 'either'],
    ];
    for (const [query, verdict] of samples) {
      this.add(t, {
        family: 'query',
        label: `?${query.slice(0, 40)}`,
        verdict,
        query,
        body: this.defaultBody(t),
      });
    }
    this.add(t, {
      family: 'query',
      label: 'query string over 16 KB',
      verdict: 'invalid',
      // Refused while the request line is read, before any guard.
      parseLevel: true,
      query: `x=${'q'.repeat(17 * 1024)}`,
      body: this.defaultBody(t),
      expect: { codes: ['VALIDATION_FAILED'] },
    });
  }

  private headerFamilies(t: Target): void {
    const body = this.defaultBody(t);
    const requestIds: Array<[string, boolean]> = [
      ['trace-123.abc', true],
      ['a'.repeat(128), true],
      ['a'.repeat(129), false],
      ['has spaces', false],
      ['semi;colon', false],
      ['caf\u00e9', false],
      ['', false],
    ];
    for (const [sent, echoed] of requestIds) {
      this.add(t, {
        family: 'header',
        label: `x-request-id ${JSON.stringify(sent.slice(0, 20))}`,
        verdict: 'valid',
        body,
        headers: { 'x-request-id': sent },
        expect: {
          ...this.outcome(t, 'valid'),
          requestId: echoed ? { echo: sent } : { generated: true },
        },
      });
    }
    const misc: Array<[string, Record<string, string | string[]>]> = [
      [
        'garbage X-Forwarded-For',
        { 'x-forwarded-for': '1.1.1.1, <script>, ::ffff:999.1.1.1, ' + 'z'.repeat(500) },
      ],
      ['Accept text/html', { accept: 'text/html' }],
      ['8 KB cookie', { cookie: `a=${'c'.repeat(8000)}` }],
      ['long Latin-1 user agent', { 'user-agent': '\u00e9\u00ff'.repeat(2000) }],
      ['Connection: close', { connection: 'close' }],
      ['weird Host', { host: 'evil.example.com:99999' }],
      ['Accept-Encoding junk', { 'accept-encoding': 'gzip, br, x-junk;q=2, *;q=-1' }],
      [
        'Content-Language and Origin',
        { 'content-language': 'zh-CN', origin: 'https://evil.example.com' },
      ],
    ];
    for (const [label, headers] of misc) {
      this.add(t, { family: 'header', label, verdict: 'valid', body, headers });
    }
    // Node sends the headers at once, so even an empty body goes chunked: without a body
    // type it may be refused as a body that is not JSON.
    this.add(t, {
      family: 'header',
      label: 'Expect: 100-continue',
      verdict: body ? 'valid' : 'either',
      parseLevel: body ? false : 'maybe',
      body,
      headers: { expect: '100-continue' },
    });
    this.add(t, {
      family: 'header',
      label: 'Authorization over 16 KB',
      verdict: 'invalid',
      body,
      headers: { authorization: `Bearer ${'A'.repeat(20 * 1024)}` },
      auth: 'crafted',
      expect: { codes: ['VALIDATION_FAILED', 'UNAUTHORIZED'] },
    });

    if (!t.op.bearer) {
      for (const [label, value] of this.forgedTokens(t).slice(0, 10)) {
        this.add(t, {
          family: 'auth',
          label: `public route with ${label}`,
          verdict: 'valid',
          body,
          headers: { authorization: value },
          auth: 'crafted',
        });
      }
      return;
    }
    // An accepted credential must get the route's answer but must not change the victim:
    // PATCH gets an empty body (VALIDATION_FAILED), logout a throwaway session.
    const session =
      t.key === 'POST /auth/logout'
        ? undefined
        : t.rule.caller
          ? this.sessionOf(t.rule.caller)
          : this.ctx.victim;
    const acceptedBody = t.rule.writesProfile ? encodeJson({}) : body;
    const accepted = t.rule.writesProfile ? VALIDATION : this.outcome(t, 'valid');
    for (const [label, value, codes, mayBeAccepted] of this.authVariants(session)) {
      this.add(t, {
        family: 'auth',
        label,
        verdict: 'valid',
        body: acceptedBody,
        headers: value === undefined ? {} : { authorization: value },
        auth: value === undefined ? 'none' : 'crafted',
        expect: mayBeAccepted ? merge({ codes }, accepted) : { codes },
      });
    }
  }

  /** Authorization values with the codes they must get; `true`: a valid token may be accepted. */
  private authVariants(
    fixed?: Session,
  ): Array<[string, string | string[] | undefined, ContractCode[], boolean]> {
    const session = () => fixed ?? this.throwaway();
    const claims = (s: Session) => claimsOf(s.token);
    // Someone other than the session's user (RouteRule.caller may make that the playground).
    const anotherUser = String(
      (fixed === this.ctx.playground ? this.ctx.victim : this.ctx.playground).userId,
    );
    const secret = this.ctx.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const hs = (payload: JsonValue) => craftJwt({ alg: 'HS256', typ: 'JWT' }, payload, secret);
    const variants: Array<[string, string | string[] | undefined, ContractCode[], boolean]> = [];
    const unauthorized = (label: string, value: string | string[] | undefined) =>
      variants.push([label, value, ['UNAUTHORIZED'], false]);
    unauthorized('no Authorization', undefined);
    unauthorized('"Bearer" with no token', 'Bearer');
    unauthorized('"Bearer " with no token', 'Bearer ');
    unauthorized('"Bearer null"', 'Bearer null');
    unauthorized('Basic credentials', 'Basic dXNlcjpwYXNz');
    unauthorized('8 KB garbage token', `Bearer ${'A'.repeat(8 * 1024)}`);
    unauthorized('token without a scheme', session().token);
    unauthorized('Token scheme', `Token ${session().token}`);
    unauthorized('refresh token as bearer', `Bearer ${this.ctx.victim.refreshToken}`);
    unauthorized('two segments', 'Bearer abc.def');
    unauthorized('four segments', 'Bearer a.b.c.d');
    unauthorized(
      'non-JSON header',
      `Bearer ${Buffer.from('not json').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`,
    );
    {
      const s = session();
      const [header, payload, signature] = s.token.split('.');
      const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
      unauthorized('tampered signature', `Bearer ${header}.${payload}.${flipped}`);
      unauthorized(
        'signature of another token',
        `Bearer ${header}.${Buffer.from(JSON.stringify({ ...claims(s), sub: anotherUser })).toString('base64url')}.${signature}`,
      );
    }
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const s = session();
      unauthorized(
        `alg ${alg}`,
        `Bearer ${craftJwt({ alg, typ: 'JWT' }, claims(s), secret, null)}`,
      );
    }
    {
      const s = session();
      const [, , signature] = s.token.split('.');
      unauthorized(
        'alg none with a real signature',
        `Bearer ${craftJwt({ alg: 'none', typ: 'JWT' }, claims(s), secret, null)}${signature}`,
      );
    }
    for (const [alg, hmac] of [
      ['HS384', 'sha384'],
      ['HS512', 'sha512'],
    ] as const) {
      const s = session();
      unauthorized(
        `${alg} with the right secret`,
        `Bearer ${craftJwt({ alg, typ: 'JWT' }, claims(s), secret, hmac)}`,
      );
    }
    unauthorized(
      'RS256 header, HMAC signature',
      `Bearer ${craftJwt({ alg: 'RS256', typ: 'JWT' }, claims(session()), secret)}`,
    );
    unauthorized(
      'HS256 with another secret',
      `Bearer ${craftJwt({ alg: 'HS256', typ: 'JWT' }, claims(session()), `${secret}-not`)}`,
    );
    {
      const s = session();
      variants.push([
        'expired',
        `Bearer ${hs({ ...claims(s), iat: now - 7300, exp: now - 100 })}`,
        ['TOKEN_EXPIRED'],
        false,
      ]);
    }
    const malformedClaims: Array<
      [string, (c: Record<string, JsonValue>) => JsonValue, ContractCode[]]
    > = [
      ['nbf in the future', (c) => ({ ...c, nbf: now + 3600 }), ['UNAUTHORIZED']],
      ['no sub', ({ sub: _sub, ...c }) => c, ['UNAUTHORIZED']],
      ['numeric sub', (c) => ({ ...c, sub: Number(c.sub) }), ['UNAUTHORIZED']],
      ['sub "abc"', (c) => ({ ...c, sub: 'abc' }), ['UNAUTHORIZED']],
      ['sub "-1"', (c) => ({ ...c, sub: '-1' }), ['UNAUTHORIZED']],
      ['sub "1e3"', (c) => ({ ...c, sub: '1e3' }), ['UNAUTHORIZED']],
      ['sub of 21 digits', (c) => ({ ...c, sub: '1'.repeat(21) }), ['UNAUTHORIZED']],
      [
        'sub 2^64',
        (c) => ({ ...c, sub: '18446744073709551616' }),
        ['SESSION_REVOKED', 'UNAUTHORIZED'],
      ],
      ['sub of another user', (c) => ({ ...c, sub: anotherUser }), ['SESSION_REVOKED']],
      ['no sid', ({ sid: _sid, ...c }) => c, ['UNAUTHORIZED']],
      ['numeric sid', (c) => ({ ...c, sid: 7 }), ['UNAUTHORIZED']],
      ['object sid', (c) => ({ ...c, sid: { $ne: null } }), ['UNAUTHORIZED']],
      [
        'unknown sid',
        (c) => ({ ...c, sid: '00000000-0000-4000-8000-000000000000' }),
        ['SESSION_REVOKED'],
      ],
      ['SQL in sid', (c) => ({ ...c, sid: "' OR '1'='1" }), ['SESSION_REVOKED', 'UNAUTHORIZED']],
      [
        '5000-character sid',
        (c) => ({ ...c, sid: 's'.repeat(5000) }),
        ['SESSION_REVOKED', 'UNAUTHORIZED'],
      ],
      [
        'lone surrogate in sid',
        (c) =>
          new Entries([
            ...Object.entries(c).filter(([k]) => k !== 'sid'),
            ['sid', new RawJson('"\\ud800"')],
          ]),
        ['SESSION_REVOKED', 'UNAUTHORIZED'],
      ],
      [
        'invalid UTF-8 in sid',
        (c) =>
          new Entries([
            ...Object.entries(c).filter(([k]) => k !== 'sid'),
            ['sid', new ByteString([Buffer.from([0xff, 0xfe])])],
          ]),
        ['SESSION_REVOKED', 'UNAUTHORIZED'],
      ],
      [
        'exp as a string',
        (c) => ({ ...c, exp: typeof c.exp === 'number' ? String(c.exp) : '1' }),
        ['UNAUTHORIZED'],
      ],
      ['payload is an array', () => [1, 2], ['UNAUTHORIZED']],
    ];
    for (const [label, change, codes] of malformedClaims) {
      const s = session();
      variants.push([label, `Bearer ${hs(change(claims(s)))}`, codes, false]);
    }
    const maybe: Array<[string, (s: Session) => string | string[]]> = [
      ['lower-case scheme', (s) => `bearer ${s.token}`],
      ['upper-case scheme', (s) => `BEARER ${s.token}`],
      ['two spaces after the scheme', (s) => `Bearer  ${s.token}`],
      ['trailing text after the token', (s) => `Bearer ${s.token} extra`],
      ['two Authorization headers', (s) => [`Bearer ${s.token}`, 'Bearer garbage']],
      [
        'a kid with path traversal',
        (s) =>
          `Bearer ${craftJwt({ alg: 'HS256', typ: 'JWT', kid: '../../../dev/null' }, claims(s), secret)}`,
      ],
      ['iat in the future', (s) => `Bearer ${hs({ ...claims(s), iat: now + 86400 })}`],
      ['exp far away', (s) => `Bearer ${hs({ ...claims(s), exp: 32503680000 })}`],
    ];
    for (const [label, make] of maybe)
      variants.push([label, make(session()), ['UNAUTHORIZED'], true]);
    return variants;
  }

  /** Garbage credentials for public routes, which must ignore them. */
  private forgedTokens(_t: Target): Array<[string, string]> {
    const claims = claimsOf(this.ctx.victim.token);
    return [
      ['alg none token', `Bearer ${craftJwt({ alg: 'none' }, claims, this.ctx.jwtSecret, null)}`],
      ['garbage token', 'Bearer garbage'],
      ['"Bearer" alone', 'Bearer'],
      ['Basic credentials', 'Basic dXNlcjpwYXNz'],
      ['8 KB token', `Bearer ${'B'.repeat(8 * 1024)}`],
      [
        'expired token',
        `Bearer ${craftJwt({ alg: 'HS256' }, { ...claims, exp: 1 }, this.ctx.jwtSecret)}`,
      ],
      ['HS512 token', `Bearer ${craftJwt({ alg: 'HS512' }, claims, this.ctx.jwtSecret, 'sha512')}`],
    ];
  }

  private methodAndPathFamilies(): void {
    const byPath = new Map<string, Target[]>();
    for (const t of this.targets) byPath.set(t.path, [...(byPath.get(t.path) ?? []), t]);
    const methods = [
      'GET',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'TRACE',
      'PROPFIND',
      'MKCOL',
      'COPY',
      'LOCK',
      'SEARCH',
      'PURGE',
      'REPORT',
      'UNLINK',
    ];
    for (const [path, targets] of byPath) {
      const first = targets[0];
      const documented = targets.map((t) => t.op.method);
      for (const method of methods.filter((m) => !documented.includes(m))) {
        for (const auth of ['victim', 'none'] as const) {
          this.add(first, {
            family: 'method',
            label: `${method} ${path}`,
            verdict: 'invalid',
            method,
            path,
            auth,
            expect: { codes: ['NOT_FOUND'] },
            body: method === 'GET' ? undefined : encodeJson({ code: 'abc' }),
          });
        }
      }
      // docs/api.md: "known paths with another method answer 404", and no route declares HEAD.
      this.add(first, {
        family: 'method',
        label: `HEAD ${path}`,
        verdict: 'invalid',
        method: 'HEAD',
        expect: { codes: ['NOT_FOUND'] },
      });
      this.add(first, {
        family: 'method',
        label: `FOO ${path} (no such method)`,
        verdict: 'invalid',
        method: 'FOO',
        expect: { codes: ['NOT_FOUND', 'VALIDATION_FAILED'] },
      });

      const variants: Array<[string, string, boolean?]> = [
        ['trailing slash', `${path}/`],
        ['double slash', `/${path}`],
        ['upper case', path.toUpperCase()],
        ['encoded slash', path.replace(/\/(?=[^/]*$)/, '%2F')],
        ['dot segment', path.replace('/', '/./')],
        ['dot-dot segment', `${path}/../${path.split('/').pop()}`],
        ['matrix parameter', `${path};x=1`],
        ['NUL', `${path}%00`],
        [
          'percent-encoded letters',
          path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
        ],
        ['invalid percent escape', `${path}/%zz`, true],
        ['truncated UTF-8 escape', `${path}%E0%A4%A`, true],
      ];
      for (const t of targets) {
        // A mangled path may still match the route, its last segment then being the parameter.
        const matched = merge(
          { codes: ['NOT_FOUND'] },
          this.outcome(t, 'valid'),
          t.rule.pathParams ? VALIDATION : { codes: [] },
        );
        for (const [label, variant, bug] of variants) {
          // Not a path at all on the request line (Node's HTTP parser refuses it), or a URL
          // Fastify cannot decode: refused before any guard.
          const unparsable = bug || !variant.startsWith('/');
          this.add(t, {
            family: 'path',
            label: `${t.op.method} ${label}`,
            verdict: 'either',
            path: variant,
            body: this.defaultBody(t),
            expect: unparsable ? { codes: ['NOT_FOUND', 'VALIDATION_FAILED'] } : matched,
            ...(unparsable && { parseLevel: 'maybe' as const }),
          });
        }
      }
    }
  }

  /** Several mutations at once on a random operation, with a random credential. */
  private randomMix(t: Target): void {
    const label: string[] = [];
    let verdict: Verdict = 'valid';
    let body: Buffer | undefined = this.defaultBody(t);
    if (this.hasBody(t)) {
      const value = this.validBody(t);
      const rounds = this.prng.int(1, 3);
      const used: string[][] = [];
      const related = (a: string[], b: string[]) =>
        a.slice(0, b.length).join('.') === b.slice(0, a.length).join('.');
      for (let i = 0; i < rounds; i++) {
        const free = t.fields.filter(({ path }) => !used.some((other) => related(path, other)));
        if (free.length === 0) break;
        const { path, rule } = this.prng.pick(free);
        used.push(path);
        const pool = [
          ...wrongTypeSamples(rule),
          ...unicodeSamples(rule),
          ...lengthSamples(rule, this.prng).filter((s) => s.verdict !== 'too-large'),
        ];
        const sample = this.prng.pick(pool);
        this.setPath(t, value, path, sample.value);
        label.push(sample.label);
        verdict = combine(verdict, sample.verdict);
      }
      if (this.prng.chance(0.3)) {
        value[`x${this.prng.string(4, ALNUM)}`] = 1;
        label.push('extra field');
        verdict = 'invalid';
      }
      body = encodeJson(value);
      const echo = verdict === 'valid' ? this.echoOf(t, value) : undefined;
      const query = this.prng.chance(0.2)
        ? `${this.prng.string(3, ALNUM)}=${encodeURIComponent(this.prng.string(5, PRINTABLE))}`
        : undefined;
      const finalVerdict = query ? combine(verdict, 'either') : verdict;
      this.add(t, {
        family: 'random-mix',
        label: label.join(' + '),
        verdict: finalVerdict,
        body,
        query,
        echo: finalVerdict === 'valid' ? echo : undefined,
      });
      return;
    }
    const query = `${this.prng.pick(['limit', 'x', 'a[b]', '%00'])}=${encodeURIComponent(this.prng.string(this.prng.int(0, 6), PRINTABLE))}`;
    const limit = /^limit=([1-9][0-9]?|100)$/.test(query);
    const declared = t.rule.query !== undefined;
    this.add(t, {
      family: 'random-mix',
      label: `?${query}`,
      verdict: declared ? (limit ? 'valid' : 'invalid') : 'either',
      query,
      body,
    });
  }

  // ---------------------------------------------------------------- building blocks

  private hasBody(t: Target): boolean {
    return t.rule.body !== undefined;
  }

  private validBody(t: Target): Record<string, JsonValue> {
    return t.rule.body ? t.rule.body(this.prng) : {};
  }

  private defaultBody(t: Target): Buffer | undefined {
    if (this.hasBody(t)) return encodeJson(this.validBody(t));
    return undefined;
  }

  private bodyFrom(fields: FieldRule[], prng: Prng): Record<string, JsonValue> {
    return Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.name, f.valid(prng)]));
  }

  /** Sets a (possibly nested) field; a field that comes in a pair gets a valid partner. */
  private setPath(
    t: Target,
    body: Record<string, JsonValue>,
    path: string[],
    value: JsonValue,
  ): void {
    let holder = body;
    for (const key of path.slice(0, -1)) {
      const next = holder[key];
      if (
        next === null ||
        typeof next !== 'object' ||
        Array.isArray(next) ||
        next instanceof RawJson ||
        next instanceof Entries ||
        next instanceof ByteString
      ) {
        holder[key] = {};
      }
      holder = holder[key] as Record<string, JsonValue>;
    }
    const name = path[path.length - 1];
    holder[name] = value;
    const partner =
      path.length === 1
        ? t.fields.find(({ path: p }) => p.length === 1 && p[0] === name)?.rule.pairedWith
        : undefined;
    if (partner && body[partner] === undefined) {
      body[partner] = t.fields.find(({ path: p }) => p[0] === partner)!.rule.valid(this.prng);
    }
  }

  /** What a 2xx user must show for a PATCH body: its plain top-level values. */
  private echoOf(
    t: Target,
    body: Record<string, JsonValue>,
  ): Record<string, JsonValue> | undefined {
    if ('success' in t.rule.valid && t.rule.valid.success === 'user') {
      return Object.fromEntries(Object.entries(body).filter(([, value]) => isPlain(value)));
    }
    return undefined;
  }

  private outcome(t: Target, verdict: Verdict): Expectation {
    if (!t.known) return { codes: [], anyCode: true };
    const valid: Expectation =
      'codes' in t.rule.valid
        ? { codes: t.rule.valid.codes }
        : { codes: [], success: t.rule.valid.success };
    switch (verdict) {
      case 'invalid':
        return VALIDATION;
      case 'too-large':
        return { codes: ['PAYLOAD_TOO_LARGE'] };
      case 'valid':
        return valid;
      default:
        return merge(valid, VALIDATION);
    }
  }

  private throwaway(): Session {
    const session = this.ctx.throwaways[this.throwawaysUsed++];
    if (!session) throw new Error('the fuzz context needs more throwaway sessions');
    return session;
  }

  /** The credential a case goes out with, and how it changes what the case may answer. */
  private credential(
    t: Target,
    spec: Spec,
    expect: Expectation,
  ): { auth: AuthMode; headers: Record<string, string | string[]>; expect: Expectation } {
    if (!t.op.bearer) return { auth: 'none', headers: {}, expect };
    let auth = spec.auth;
    if (!auth) {
      // One in ten requests to a bearer route goes without a token.
      if (this.prng.chance(0.1)) auth = 'none';
      else if (t.key === 'POST /auth/logout')
        auth = spec.parseLevel === true ? 'guard' : 'throwaway';
      else if (t.rule.caller) auth = t.rule.caller;
      else if (!t.known) auth = 'playground';
      else if (t.rule.writesProfile && spec.verdict !== 'invalid' && spec.verdict !== 'too-large')
        auth = 'playground';
      else auth = 'victim';
    }
    if (auth === 'crafted') return { auth, headers: {}, expect };
    if (auth === 'none') {
      // Body parsing happens before the guard; everything after it needs the token first.
      if (spec.family === 'method' && spec.expect) return { auth, headers: {}, expect };
      const unauthorized: Expectation = { codes: ['UNAUTHORIZED'] };
      const parseCodes = expect.codes.filter(
        (code) => code === 'VALIDATION_FAILED' || code === 'PAYLOAD_TOO_LARGE',
      );
      let next =
        spec.parseLevel === true
          ? expect
          : spec.parseLevel === 'maybe'
            ? merge(unauthorized, { codes: parseCodes })
            : unauthorized;
      if (expect.codes.includes('NOT_FOUND')) next = merge(next, { codes: ['NOT_FOUND'] });
      return { auth, headers: {}, expect: { ...next, requestId: expect.requestId } };
    }
    const session = auth === 'throwaway' ? this.throwaway() : this.sessionOf(auth);
    return { auth, headers: { authorization: `Bearer ${session.token}` }, expect };
  }

  /** A route switched off in this configuration answers as an unknown path, whatever is sent. */
  private offRouteFamily(t: Target): void {
    for (const [label, body] of [
      ['a well-formed body', encodeJson({ token: 'abc' })],
      ['a huge body', Buffer.alloc(MB2, 'a')],
      ['malformed JSON', Buffer.from('{"token":')],
    ] as const) {
      this.add(t, {
        family: 'off-route',
        label,
        verdict: 'invalid',
        body,
        expect: { codes: ['NOT_FOUND'] },
      });
    }
  }

  private sessionOf(auth: 'victim' | 'guard' | 'playground' | 'dead'): Session {
    return auth === 'dead' ? this.dead : this.ctx[auth];
  }

  private add(t: Target, spec: Spec): void {
    const method = spec.method ?? t.op.method;
    const body = method === 'GET' || method === 'HEAD' ? undefined : spec.body;
    // Whatever else is wrong with it, a body over BODY_LIMIT (64 KB) is refused for its size first.
    if (body && body.length > BODY_LIMIT && spec.verdict !== 'too-large' && !spec.expect) {
      spec = { ...spec, verdict: 'too-large', parseLevel: true };
    }
    let expect = spec.expect ?? this.outcome(t, spec.verdict);
    if (spec.echo && expect.success === 'user') expect = { ...expect, echo: spec.echo };
    const credential = this.credential(t, spec, expect);
    const headers: Record<string, string | string[]> = { ...credential.headers };
    const contentType =
      spec.contentType === undefined
        ? body !== undefined
          ? 'application/json'
          : null
        : spec.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    Object.assign(headers, spec.headers);
    const path = spec.path ?? t.path;
    this.cases.push({
      id: this.cases.length,
      operation: t.key,
      family: spec.family,
      label: spec.label,
      method,
      path: spec.query !== undefined ? `${path}?${spec.query}` : path,
      headers,
      body,
      chunked: spec.chunked,
      auth: credential.auth,
      expect: credential.expect,
    });
  }
}

/** The path template with each `{name}` replaced (by `x` where the contract gives no value). */
function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? 'x');
}

function combine(a: Verdict, b: Verdict): Verdict {
  if (a === 'too-large' || b === 'too-large') return 'too-large';
  if (a === 'invalid' || b === 'invalid') return 'invalid';
  if (a === 'either' || b === 'either') return 'either';
  return 'valid';
}

function parses(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
