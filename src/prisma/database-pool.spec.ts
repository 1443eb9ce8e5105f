import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from '../config/app-config';
import { connectionFailure, createDatabasePool } from './database-pool';

/** A loopback port nothing listens on (taken from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('a database connection that fails', () => {
  it('is logged with the cause in plain words, not as the pool wrapper around it', async () => {
    const port = await closedPort();
    const warnings: string[] = [];
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(
        (_context: unknown, message: unknown) => void warnings.push(String(message)),
      );
    const config = loadAppConfig({
      NODE_ENV: 'test',
      DATABASE_URL: `mysql://root@127.0.0.1:${port}/wxauth`,
    });
    const pool = createDatabasePool(config);
    try {
      await expect(pool.query('SELECT 1')).rejects.toThrow();
      for (let waited = 0; warnings.length === 0 && waited < 5000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await pool.end();
      warn.mockRestore();
    }
    expect(warnings[0]).toContain(`cannot connect to the database at 127.0.0.1:${port}`);
    expect(warnings[0]).toContain('connection refused');
    expect(warnings.join('\n')).not.toContain('ER_POOL');
  });

  it.each([
    ['ER_ACCESS_DENIED_ERROR', /access denied/],
    ['ER_BAD_DB_ERROR', /does not exist/],
    ['ETIMEDOUT', /no answer/],
  ])('names %s underneath the wrapper', (code, reason) => {
    const cause = Object.assign(new Error('low-level'), { code });
    const wrapper = Object.assign(new Error('Error during pool initialization', { cause }), {
      code: 'ER_POOL_NOT_INITIALIZED',
    });
    expect(connectionFailure(wrapper)).toEqual({ code, reason: expect.stringMatching(reason) });
  });

  it('falls back to the first line of the cause’s own message', () => {
    const cause = Object.assign(new Error('something odd\nstack-ish detail'), { code: 'EODD' });
    expect(connectionFailure(new Error('wrapper', { cause }))).toEqual({
      code: 'EODD',
      reason: 'something odd',
    });
  });
});
