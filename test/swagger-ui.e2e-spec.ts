import { call } from './support/http';
import { useTestStack } from './support/stack';

// Swagger UI's files are served by @fastify/static, which needs content-disposition: this is
// what breaks when that package cannot be loaded (an ESM-only version on an older Node 20).
describe('GET /docs', () => {
  const stack = useTestStack();

  it('serves Swagger UI: the page and its static files', async () => {
    const page = await call(`${stack.service.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('swagger-ui');

    for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
      expect(page.text).toContain(file);
      const asset = await call(`${stack.service.url}/docs/${file}`);
      expect({ file, status: asset.status }).toEqual({ file, status: 200 });
      expect(asset.text.length).toBeGreaterThan(1000);
    }
  });
});
