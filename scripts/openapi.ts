/*
 * `npm run openapi`: writes the OpenAPI document to openapi.json at the repository root.
 * test/openapi.e2e-spec.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createApp } from '../src/app.factory';
import { buildOpenApiDocument } from '../src/common/openapi/openapi';
import { loadAppConfig } from '../src/config/app-config';

// npm runs scripts from the package root.
export const OPENAPI_FILE = join(process.cwd(), 'openapi.json');

/** The document as the service serves it at /docs-json; building it needs no database. */
export async function generateOpenApi(): Promise<OpenAPIObject> {
  const config = loadAppConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const { app } = await createApp(config);
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

export const serialize = (document: OpenAPIObject) => `${JSON.stringify(document, null, 2)}\n`;

if (require.main === module) {
  generateOpenApi()
    .then((document) => {
      writeFileSync(OPENAPI_FILE, serialize(document));
      console.log(`Wrote ${OPENAPI_FILE} (${Object.keys(document.paths).length} paths)`);
    })
    .catch((error: unknown) => {
      console.error(`Cannot build the OpenAPI document: ${(error as Error).message}`);
      process.exit(1);
    });
}
