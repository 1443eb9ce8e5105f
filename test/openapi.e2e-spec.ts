import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi, serialize } from '../scripts/openapi';

const committed = readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8');
const PUBLIC_OPERATIONS = [
  'post /auth/wechat/login',
  'post /auth/refresh',
  'get /health',
  'get /health/ready',
];

type Operation = { security?: unknown[]; responses: Record<string, unknown> };

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
        'post /auth/refresh',
        'post /auth/logout',
        'get /users/me',
        'patch /users/me',
        'post /users/me/profile',
        'post /users/me/phone',
        'post /wechat/decrypt',
        'get /users/me/logins',
        'get /health',
        'get /health/ready',
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
});
