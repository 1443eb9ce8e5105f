import {
  EmulatorOptions,
  RunningEmulator,
  startWechatEmulator,
} from '../../emulator/wechat-emulator';
import { createTestDatabase, TestDatabase } from './database';
import { RunningService, startService } from './service';

export interface TestStack {
  db: TestDatabase;
  emulator: RunningEmulator;
  service: RunningService;
  /** The environment the service was started with. */
  env: Record<string, string>;
}

/**
 * One test file's world: a fresh migrated database, the WeChat emulator and the service
 * (login rate limit out of the way unless `env` sets it), started before its tests and
 * torn down after them.
 */
export function useTestStack(
  env: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    stack.db = await createTestDatabase();
    stack.emulator = await startWechatEmulator({ port: 0, ...emulatorOptions });
    stack.env = {
      DATABASE_URL: stack.db.url,
      WECHAT_API_BASE_URL: stack.emulator.url,
      LOGIN_RATE_LIMIT: '100000',
      ...env,
    };
    stack.service = await startService(stack.env);
  });
  afterAll(async () => {
    await stack.service?.close();
    await stack.emulator?.close();
    await stack.db?.drop();
  });
  return stack;
}
