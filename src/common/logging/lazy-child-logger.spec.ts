import type { FastifyBaseLogger } from 'fastify';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { lazyChildLogger } from './lazy-child-logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const parent = createLogger({ logLevel: 'info' }, destination) as unknown as FastifyBaseLogger;
  return { lines, parent };
}

describe('lazyChildLogger', () => {
  it('makes the child only when the request logs', () => {
    const { parent } = capture();
    const child = jest.spyOn(parent, 'child');
    lazyChildLogger(parent, { reqId: 'r1' }, {});
    expect(child).not.toHaveBeenCalled();
  });

  it('logs with the bindings, the level and the redaction of the parent', async () => {
    const { lines, parent } = capture();
    const logger = lazyChildLogger(parent, { reqId: 'r1' }, {});
    logger.debug('not at info');
    logger.warn({ x: { refreshToken: 'secret-value' } }, 'it went wrong');
    logger.child({ more: 1 }).error('from a grandchild');
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([
      expect.objectContaining({
        reqId: 'r1',
        msg: 'it went wrong',
        x: { refreshToken: '[redacted]' },
      }),
      expect.objectContaining({ reqId: 'r1', more: 1, msg: 'from a grandchild' }),
    ]);
    expect(logger.level).toBe('info');
  });
});
