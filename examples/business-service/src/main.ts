import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { BusinessServiceModule } from './app.module';
import { loadSettings } from './settings';

async function main(): Promise<void> {
  const settings = loadSettings(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    BusinessServiceModule.forRoot(settings),
    new FastifyAdapter(),
    { logger: ['error', 'warn'] },
  );
  app.enableShutdownHooks();
  await app.listen({ port: settings.port, host: '127.0.0.1' });
  console.log(`business service listening on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
