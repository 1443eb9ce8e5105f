import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { createLogger } from '../../src/common/logging/logger';
import { loadAppConfig } from '../../src/config/app-config';

export interface RunningService {
  url: string;
  app: NestFastifyApplication;
  /** Every log line the service wrote, when started with captureLogs. */
  logs: string[];
  close(): Promise<void>;
}

/** Starts the real service (the same factory service.ts uses) on a random loopback port. */
export async function startService(
  env: Record<string, string>,
  options: { captureLogs?: boolean } = {},
): Promise<RunningService> {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: options.captureLogs ? 'trace' : 'silent',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  const { app } = await createApp(config, createLogger(config, sink));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, app, logs, close: () => app.close() };
}
