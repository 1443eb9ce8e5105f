/** The parts of a served OpenAPI 3 document the fuzzer walks. */

export interface SchemaField {
  name: string;
  type?: string;
  required: boolean;
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
  /** Fields of a nested object (e.g. userInfo). */
  fields?: SchemaField[];
}

export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. `/users/me/identities/{appId}`. */
  path: string;
  /** True when the operation carries a bearer security requirement. */
  bearer: boolean;
  /** Body fields when the document declares a JSON body schema, else undefined. */
  body?: SchemaField[];
  queryParameters: string[];
}

interface JsonSchema {
  $ref?: string;
  allOf?: JsonSchema[];
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  maxLength?: number;
  pattern?: string;
  enum?: unknown[];
}

interface OpenApiOperation {
  security?: Array<Record<string, string[]>>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: Array<{ name: string; in: string }>;
}

export interface OpenApiDocument {
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Follows $ref and single-entry allOf (Nest's way of referencing a nested DTO). */
function resolve(document: OpenApiDocument, schema: JsonSchema | undefined, depth = 0): JsonSchema {
  if (!schema || depth > 10) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolve(document, document.components?.schemas?.[name], depth + 1);
  }
  if (schema.allOf?.length) {
    return Object.assign({}, ...schema.allOf.map((part) => resolve(document, part, depth + 1)), {
      ...schema,
      allOf: undefined,
    }) as JsonSchema;
  }
  return schema;
}

function fieldsOf(document: OpenApiDocument, schema: JsonSchema, depth = 0): SchemaField[] {
  const resolved = resolve(document, schema);
  return Object.entries(resolved.properties ?? {}).map(([name, raw]) => {
    const property = resolve(document, raw);
    const nested =
      depth < 3 && (property.properties || property.type === 'object')
        ? fieldsOf(document, property, depth + 1)
        : undefined;
    return {
      name,
      type: property.type ?? (property.properties ? 'object' : undefined),
      required: (resolved.required ?? []).includes(name),
      maxLength: property.maxLength,
      pattern: property.pattern,
      enum: property.enum,
      ...(nested && { fields: nested }),
    };
  });
}

/** Every operation of the document, with its security requirement and body fields. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const schemes = Object.keys(document.components?.securitySchemes ?? {});
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const security = operation.security ?? document.security ?? [];
      const bearer = security.some((requirement) =>
        Object.keys(requirement).some((name) => schemes.includes(name)),
      );
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        bearer,
        body: schema ? fieldsOf(document, schema) : undefined,
        queryParameters: (operation.parameters ?? [])
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => parameter.name),
      });
    }
  }
  return operations;
}
