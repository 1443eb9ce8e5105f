import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi, serialize } from '../scripts/openapi';

const committed = readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8');
const PUBLIC_OPERATIONS = [
  'post /auth/wechat/login',
  'post /auth/wechat/oauth',
  'post /auth/refresh',
  'get /health',
  'get /health/ready',
  'get /.well-known/jwks.json',
  'post /auth/introspect',
];

type Operation = {
  security?: unknown[];
  responses: Record<string, { description?: string }>;
};

describe('openapi.json', () => {
  it('is up to date (run `npm run openapi` after changing routes or DTOs)', async () => {
    expect(serialize(await generateOpenApi())).toBe(committed);
  });

  it('documents every contract route; bearer routes carry the bearer requirement, public ones none', () => {
    const document = JSON.parse(committed) as { paths: Record<string, Record<string, Operation>> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => [`${method} ${path}`, operation] as const),
    );
    expect(operations.map(([name]) => name).sort()).toEqual(
      [
        'post /auth/wechat/login',
        'post /auth/wechat/oauth',
        'post /auth/refresh',
        'post /auth/logout',
        'get /users/me',
        'patch /users/me',
        'post /users/me/profile',
        'post /users/me/phone',
        'post /users/me/identities',
        'delete /users/me/identities/{appId}',
        'post /wechat/decrypt',
        'get /users/me/logins',
        'get /users/me/sessions',
        'delete /users/me/sessions',
        'delete /users/me/sessions/{id}',
        'get /users/me/export',
        'delete /users/me',
        'get /health',
        'get /health/ready',
        'get /.well-known/jwks.json',
        'post /auth/introspect',
      ].sort(),
    );
    for (const [name, operation] of operations) {
      const isPublic = PUBLIC_OPERATIONS.includes(name);
      expect({ name, security: operation.security }).toEqual({
        name,
        security: isPublic ? [] : [{ bearer: [] }],
      });
      expect(Object.keys(operation.responses).some((status) => status.startsWith('4'))).toBe(true);
      if (!isPublic) expect(operation.responses['401']).toBeDefined();
    }
  });

  // docs/api.md Part 2: each new code is documented, with its status, on the routes that answer it.
  it.each([
    ['post /auth/wechat/oauth', '403', 'WECHAT_SNAPSHOT_USER'],
    ['post /users/me/identities', '403', 'WECHAT_SNAPSHOT_USER'],
    ['patch /users/me', '400', 'CONTENT_REJECTED'],
    ['post /users/me/profile', '400', 'CONTENT_REJECTED'],
    ['post /users/me/phone', '409', 'PHONE_TAKEN'],
    ['post /users/me/identities', '409', 'IDENTITY_TAKEN'],
    ['delete /users/me/identities/{appId}', '409', 'IDENTITY_IN_USE'],
    ['delete /users/me/identities/{appId}', '404', 'NOT_FOUND'],
    ['delete /users/me/sessions/{id}', '404', 'NOT_FOUND'],
  ])('%s documents %s %s', (name, status, code) => {
    const document = JSON.parse(committed) as { paths: Record<string, Record<string, Operation>> };
    const [method, path] = name.split(' ');
    const description = document.paths[path]?.[method]?.responses[status]?.description ?? '';
    expect(description.split(/[\s:,]+/)).toContain(code);
  });
});
