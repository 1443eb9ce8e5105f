import { createServer, Server } from 'node:http';
import { DEV_APP_ID } from '../emulator/wechat-emulator';
import { call } from './support/http';
import { OpenApiConformance } from './support/openapi-conformance';
import { useTestStack } from './support/stack';
import { mintLoginCode } from './support/wechat';

type Schema = Record<string, any>;
const conformance = OpenApiConformance.fromFile();
const document = conformance.document;
const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
const USER = schemas.UserViewSchema;

/** A server that answers every request with the given status and body, as a broken service would. */
async function fakeService(
  status: number,
  body: unknown,
): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, text ? { 'content-type': 'application/json' } : {});
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

const error = (statusCode: number, code: string) => ({
  statusCode,
  code,
  message: 'text',
  requestId: 'b59ea0cd-2c00-49e0-a7e0-f524fcdc8db5',
});
/** Every example of the user object's own fields: a user the document says the service answers. */
const exampleOf = (schema: Schema): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(schema.properties as Record<string, Schema>)
      .filter(([, property]) => 'example' in property)
      .map(([name, property]) => [name, property.example]),
  );

describe('the openapi.json hook of call()', () => {
  const user = { ...exampleOf(USER), createdAt: '2024-01-01T00:00:00.000Z', lastLoginAt: null };
  const identities = [
    {
      appId: DEV_APP_ID,
      type: 'miniprogram',
      openid: 'o1',
      unionid: null,
      createdAt: '2024-01-01T00:00:00.000Z',
      lastLoginAt: null,
    },
  ];
  it.each([
    [
      'an undocumented status',
      'GET',
      '/users/me',
      418,
      { status: 'teapot' },
      /status 418 is not documented/,
    ],
    ['a body of the wrong shape', 'GET', '/users/me', 200, { id: 'one' }, /does not match/],
    [
      'a field the document does not name',
      'GET',
      '/users/me',
      200,
      { ...user, identities, sessionKey: 'x' },
      /unevaluated/,
    ],
    [
      'an error code not listed for the route and status',
      'GET',
      '/users/me',
      401,
      error(401, 'REFRESH_TOKEN_REUSED'),
      /does not match/,
    ],
    [
      'an error without requestId',
      'POST',
      '/auth/refresh',
      401,
      { statusCode: 401, code: 'REFRESH_TOKEN_INVALID', message: 'm' },
      /does not match/,
    ],
  ])('fails the test that receives %s', async (_name, method, path, status, body, message) => {
    const fake = await fakeService(status, body);
    try {
      const request = call(`${fake.url}${path}`, {
        method,
        body: method === 'POST' ? {} : undefined,
      });
      await expect(request).rejects.toThrow(message);
    } finally {
      fake.server.close();
    }
  });

  it('passes the answers the document describes, and leaves the emulator and undocumented routes alone', async () => {
    const fake = await fakeService(200, { ...user, identities });
    try {
      expect((await call(`${fake.url}/users/me`)).status).toBe(200);
      expect((await call(`${fake.url}/__emulator/users/me`)).status).toBe(200);
      expect((await call(`${fake.url}/orders`)).status).toBe(200);
    } finally {
      fake.server.close();
    }
  });

  it('fails a 204 route that answers a body', () => {
    expect(
      conformance.problemWith({
        method: 'POST',
        url: 'http://h/auth/logout',
        status: 204,
        contentType: 'application/json',
        text: '{}',
      }),
    ).toMatch(/documented without a body/);
  });
});

const INTROSPECTION_TOKEN = 'openapi-examples-introspection-token-0123456789';
/** The document's examples name these apps: the service runs with them configured. */
const EXAMPLE_APPS = [{ appId: 'wx00000000000000e7', secret: 'e7'.repeat(16), type: 'website' }];

/** A request body from the examples: the operation's own first example, else its fields' examples. */
function requestExample(operation: Schema): unknown {
  const media = operation.requestBody?.content?.['application/json'];
  if (!media) return undefined;
  const own = media.example ?? Object.values<Schema>(media.examples ?? {})[0]?.value;
  if (own !== undefined) return own;
  const schema = schemas[String(media.schema.$ref).split('/').pop() as string];
  return exampleOf(schema);
}

describe('the examples of openapi.json', () => {
  const stack = useTestStack({ INTROSPECTION_TOKEN, WECHAT_APPS: JSON.stringify(EXAMPLE_APPS) });
  const operations: Array<{ method: string; path: string; operation: Schema }> = Object.entries(
    document.paths,
  ).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method, path, operation })),
  );

  it.each(
    operations
      .filter(({ operation }) => operation.requestBody)
      .map((o) => [`${o.method} ${o.path}`, o]),
  )(
    '%s: the request body example is accepted (no VALIDATION_FAILED)',
    async (_name, { method, path, operation }) => {
      const body = requestExample(operation) as Record<string, unknown>;
      const required: string[] =
        schemas[
          String(operation.requestBody.content['application/json'].schema.$ref)
            .split('/')
            .pop() as string
        ].required ?? ([] as string[]);
      expect(Object.keys(body)).toEqual(expect.arrayContaining(required));
      const login = await call(`${stack.service.url}/auth/wechat/login`, {
        body: { code: (await mintLoginCode(stack.emulator.url)).code },
      });
      const token = path === '/auth/introspect' ? INTROSPECTION_TOKEN : login.body.accessToken;
      const result = await call(`${stack.service.url}${path}`, {
        method: method.toUpperCase(),
        body,
        token,
      });
      expect({ status: result.status, code: result.body?.code }).not.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    },
  );

  it('every path parameter example is accepted', async () => {
    const login = await call(`${stack.service.url}/auth/wechat/login`, {
      body: { code: (await mintLoginCode(stack.emulator.url)).code },
    });
    for (const { method, path, operation } of operations) {
      const parameters = ((operation.parameters ?? []) as Schema[]).filter((p) => p.in === 'path');
      if (parameters.length === 0) continue;
      let url = path;
      for (const parameter of parameters)
        url = url.replace(
          `{${parameter.name}}`,
          encodeURIComponent(parameter.schema.example ?? parameter.example),
        );
      const result = await call(`${stack.service.url}${url}`, {
        method: method.toUpperCase(),
        token: login.body.accessToken,
      });
      expect({ url, code: result.body?.code }).not.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it.each(Object.keys(schemas))(
    'every example in schema %s matches the schema it sits on',
    (name) => {
      for (const [field, property] of Object.entries(
        (schemas[name].properties ?? {}) as Record<string, Schema>,
      )) {
        if (!('example' in property)) continue;
        expect({ field, problem: conformance.schemaProblem(property, property.example) }).toEqual({
          field,
          problem: undefined,
        });
      }
    },
  );

  it('the user object example, with the dates the service answers, is a user the document describes', () => {
    const user = {
      ...exampleOf(USER),
      createdAt: '2024-01-01T00:00:00.000Z',
      lastLoginAt: '2024-01-02T00:00:00.000Z',
      identities: [],
    };
    expect(
      conformance.schemaProblem({ $ref: '#/components/schemas/UserViewSchema' }, user),
    ).toBeUndefined();
  });

  it('the error body example is an answer some route documents under its status', () => {
    const example = exampleOf(schemas.ErrorBodySchema) as { statusCode: number };
    const documented = operations.filter(
      ({ method, path }) =>
        !conformance.problemWith({
          method,
          url: `http://h${path}`,
          status: example.statusCode,
          contentType: 'application/json',
          text: JSON.stringify(example),
        }),
    );
    expect(documented.length).toBeGreaterThan(0);
  });
});
