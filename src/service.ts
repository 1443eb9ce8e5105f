// Before anything reads the clock: DATETIME columns hold UTC (see prisma/database-pool.ts).
process.env.TZ = 'UTC';
import 'reflect-metadata';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { ConfigError } from './config/app-config';
import { loadConfigFromEnvironment } from './config/environment';
import { DatabaseStartupError } from './prisma/database-check';

async function bootstrap(): Promise<void> {
  const config = await loadConfigFromEnvironment();
  const { app, logger } = await createApp(config);
  for (const warning of config.warnings) logger.warn(warning);
  await app.listen({ port: config.port, host: config.host });
  logger.info({ url: await app.getUrl(), nodeEnv: config.nodeEnv }, 'service listening');

  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database pool,
  // exit 0. Bounded, so a stuck request cannot keep a rolling deploy waiting for ever.
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    // Nest runs its destroy hooks (which close the database pool) before it closes the HTTP
    // server, so the server is closed first: in-flight requests still have their database.
    (app.getHttpAdapter() as FastifyAdapter)
      .close()
      .then(() => app.close())
      .then(
        () => {
          logger.info('shut down cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/**
 * Starts the service. `npm start` runs main.ts, which loads the bundle of this module and calls
 * this (the bundle's code cache is made without calling it); `npm run dev` runs this file as it
 * is, so that the TypeScript compiler's watch restarts it.
 */
export function startService(): void {
  bootstrap().catch(exitWithCause);
}

if (require.main === module) startService();

function exitWithCause(error: unknown): never {
  // One clear line per cause (every bad setting at once), then a non-zero exit: never start
  // half-configured.
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(`Cannot start: ${problem}`);
  } else if (error instanceof DatabaseStartupError) {
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(1);
}
