/**
 * JSON built as bytes, so a hostile body can say exactly what a client library would
 * never send: lone surrogates as `\ud800` escapes, raw invalid UTF-8 inside a string,
 * repeated keys, numbers JavaScript cannot hold.
 */

/** JSON text inserted verbatim, e.g. `1e400` or `"a\ud800b"`. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A JSON string literal whose Buffer parts go on the wire as they are (invalid UTF-8). */
export class ByteString {
  constructor(readonly parts: Array<string | Buffer>) {}
}

/** An object whose keys may repeat, in this order. */
export class Entries {
  constructor(readonly entries: Array<[string, JsonValue]>) {}
}

export type JsonValue =
  | null
  | boolean
  | number
  | string
  | RawJson
  | ByteString
  | Entries
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * The value's JSON bytes. Strings go through JSON.stringify, which writes a lone surrogate
 * as a `\udXXX` escape (well-formed JSON.stringify), never as re-encoded bytes.
 */
export function encodeJson(value: JsonValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts);
  return Buffer.concat(parts);
}

function write(value: JsonValue, out: Buffer[]): void {
  if (value instanceof RawJson) {
    out.push(Buffer.from(value.text, 'utf8'));
  } else if (value instanceof ByteString) {
    out.push(Buffer.from('"'));
    for (const part of value.parts) {
      out.push(typeof part === 'string' ? Buffer.from(JSON.stringify(part).slice(1, -1)) : part);
    }
    out.push(Buffer.from('"'));
  } else if (value instanceof Entries) {
    writeEntries(value.entries, out);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from('['));
    value.forEach((item, i) => {
      if (i > 0) out.push(Buffer.from(','));
      write(item, out);
    });
    out.push(Buffer.from(']'));
  } else if (value !== null && typeof value === 'object') {
    writeEntries(Object.entries(value), out);
  } else {
    out.push(Buffer.from(JSON.stringify(value), 'utf8'));
  }
}

function writeEntries(entries: Array<[string, JsonValue]>, out: Buffer[]): void {
  out.push(Buffer.from('{'));
  entries.forEach(([key, item], i) => {
    if (i > 0) out.push(Buffer.from(','));
    out.push(Buffer.from(`${JSON.stringify(key)}:`, 'utf8'));
    write(item, out);
  });
  out.push(Buffer.from('}'));
}

/** `{"a":{"a":…1…}}` or `[[…1…]]`, `depth` levels deep, written without recursion. */
export function nested(depth: number, kind: 'object' | 'array'): RawJson {
  return kind === 'object'
    ? new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)
    : new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`);
}
