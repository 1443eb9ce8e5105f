/**
 * Checks an answer of the service against the committed openapi.json: the status is documented
 * for the operation, and the body matches that response's schema (error bodies included, whose
 * schema lists the codes of that route and status). Client teams generate their clients from
 * that file, so every answer the tests see must be one it describes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019, { ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';

interface MediaType {
  schema?: JsonSchema;
}
interface Response {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, Response>;
}
type JsonSchema = Record<string, unknown>;
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export const OPENAPI_DOCUMENT_FILE = join(__dirname, '..', '..', 'openapi.json');
const DOCUMENT_ID = 'openapi.json';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
/** The emulator's control routes share the service's test URLs' shape but are not the service. */
const NOT_THE_SERVICE = /^\/__emulator(\/|$)/;

export interface Answer {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  text: string;
}

/**
 * Every object schema that lists its properties gets `unevaluatedProperties: false`: a field the
 * document does not name (a leaked internal, a renamed field) is a mismatch, not an extra. The
 * members of an allOf stay open: each sees only its own properties (the error schema narrows
 * `code` in a member of its own).
 */
function closeObjects(value: unknown, open = false): unknown {
  if (Array.isArray(value)) return value.map((item) => closeObjects(item, open));
  if (!value || typeof value !== 'object') return value;
  const copy = Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, closeObjects(inner, key === 'allOf')]),
  );
  if (
    !open &&
    copy.properties &&
    typeof copy.properties === 'object' &&
    !('additionalProperties' in copy)
  )
    copy.unevaluatedProperties = false;
  return copy;
}

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Compiles the document's response schemas once, and judges answers against them. */
export class OpenApiConformance {
  private readonly ajv: Ajv2019;
  private readonly routes: Array<{ template: string; matcher: RegExp }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenApiDocument) {
    // The document is OpenAPI 3.0, not plain JSON Schema: it carries `example` and other
    // OpenAPI-only keywords (not strict), and `nullable`, which Ajv implements itself.
    this.ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(closeObjects(document) as JsonSchema, DOCUMENT_ID);
    this.routes = Object.keys(document.paths).map((template) => ({
      template,
      matcher: new RegExp(
        `^${template
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}$`,
      ),
    }));
  }

  static fromFile(file = OPENAPI_DOCUMENT_FILE): OpenApiConformance {
    return new OpenApiConformance(JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument);
  }

  /** The documented operation a request goes to, or undefined (not the service, unknown route). */
  operationOf(method: string, url: string): { name: string; operation: Operation } | undefined {
    const { pathname } = new URL(url);
    const lower = method.toLowerCase();
    if (NOT_THE_SERVICE.test(pathname) || !METHODS.has(lower)) return undefined;
    const route = this.routes.find(({ matcher }) => matcher.test(pathname));
    const operation = route && this.document.paths[route.template][lower];
    return operation && { name: `${lower} ${route.template}`, operation };
  }

  /** What is wrong with the answer, or undefined when the document describes it. */
  problemWith(answer: Answer): string | undefined {
    const found = this.operationOf(answer.method, answer.url);
    if (!found) return undefined;
    const { name, operation } = found;
    const status = String(answer.status) in operation.responses ? String(answer.status) : 'default';
    const response = operation.responses[status];
    if (!response)
      return `${name}: status ${answer.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`;
    const mediaTypes = Object.keys(response.content ?? {});
    if (mediaTypes.length === 0)
      return answer.text === ''
        ? undefined
        : `${name} ${status}: documented without a body, answered ${JSON.stringify(answer.text.slice(0, 200))}`;
    const mediaType = (answer.contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!mediaTypes.includes(mediaType))
      return `${name} ${status}: content type ${JSON.stringify(answer.contentType)} is not documented (documented: ${mediaTypes.join(', ')})`;
    if (!response.content?.[mediaType].schema) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return `${name} ${status}: the body is not JSON: ${JSON.stringify(answer.text.slice(0, 200))}`;
    }
    const validate = this.validatorFor(name, status, mediaType);
    if (validate(body)) return undefined;
    const errors = (validate.errors ?? [])
      .map(
        (error) =>
          `${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
      )
      .join('; ');
    return `${name} ${status}: the body does not match the documented schema: ${errors}\nbody: ${answer.text.slice(0, 500)}`;
  }

  /** What is wrong with a value for a schema of the document (its $refs resolve), or undefined. */
  schemaProblem(schema: JsonSchema, value: unknown): string | undefined {
    // Outside the document, its local $refs name it explicitly.
    const anchored = JSON.parse(
      JSON.stringify(closeObjects(schema)).replace(/"\$ref":"#\//g, `"$ref":"${DOCUMENT_ID}#/`),
    ) as JsonSchema;
    const validate = this.ajv.compile(anchored);
    return validate(value) ? undefined : this.ajv.errorsText(validate.errors);
  }

  private validatorFor(name: string, status: string, mediaType: string): ValidateFunction {
    const key = `${name} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      const [method, template] = name.split(' ');
      const ref = `${DOCUMENT_ID}#/${pointer('paths', template, method, 'responses', status, 'content', mediaType, 'schema')}`;
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(key, validate);
    }
    return validate;
  }
}

let shared: OpenApiConformance | undefined;

/**
 * The hook every e2e HTTP helper runs on the answers it receives: throws (failing the test that
 * made the request) when openapi.json does not describe the answer.
 */
export function assertDocumentedAnswer(answer: Answer): void {
  shared ??= OpenApiConformance.fromFile();
  const problem = shared.problemWith(answer);
  if (problem)
    throw new Error(
      `${answer.method} ${answer.url} answered ${answer.status}, which openapi.json does not describe:\n${problem}`,
    );
}
