import {
  PrismaClientInitializationError,
  PrismaClientKnownRequestError,
} from '@prisma/client/runtime/client';
import { SqlError } from 'mariadb';
import { isDatabaseUnavailable } from './database-errors';

const CLIENT_VERSION = '7.10.1';

/** The mariadb driver's own error, as it builds it (errno 45xxx are driver errors). */
function driverError(message: string, errno: number, sqlState = '08S01'): SqlError {
  return new SqlError(message, undefined, true, undefined, sqlState, errno);
}

/** The shape of Prisma's DriverAdapterError: the adapter's classification sits in `cause`. */
function adapterError(cause: Record<string, unknown>): Error {
  return Object.assign(new Error(String(cause.kind)), { name: 'DriverAdapterError', cause });
}

function knownRequestError(code: string, message: string): PrismaClientKnownRequestError {
  return new PrismaClientKnownRequestError(message, { code, clientVersion: CLIENT_VERSION });
}

describe('isDatabaseUnavailable', () => {
  describe('recognises an unreachable database', () => {
    it.each<[string, unknown]>([
      [
        'mariadb: pool timeout',
        driverError('retrieve connection from pool timeout after 10001ms', 45028),
      ],
      [
        'mariadb: connect timeout',
        driverError('Connection timeout: failed to create socket after 1000ms', 45012),
      ],
      ['mariadb: socket closed', driverError('socket has unexpectedly been closed', 45009)],
      ['mariadb: pool closed', driverError('pool is closed', 45027)],
      [
        'mariadb: too many connections',
        Object.assign(new Error('Too many connections'), {
          code: 'ER_CON_COUNT_ERROR',
          errno: 1040,
        }),
      ],
      [
        'node: refused',
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED' }),
      ],
      ['node: reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
      [
        'node: host unreachable',
        Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' }),
      ],
      [
        'adapter: DatabaseNotReachable',
        adapterError({ kind: 'DatabaseNotReachable', host: 'db', port: 3306 }),
      ],
      ['adapter: ConnectionClosed', adapterError({ kind: 'ConnectionClosed' })],
      ['adapter: SocketTimeout', adapterError({ kind: 'SocketTimeout' })],
      [
        'adapter: TooManyConnections',
        adapterError({ kind: 'TooManyConnections', cause: 'max 151' }),
      ],
      ['prisma: P1001', knownRequestError('P1001', "Can't reach database server at db:3306")],
      ['prisma: P1008', knownRequestError('P1008', 'Operation has timed out')],
      ['prisma: P1017', knownRequestError('P1017', 'Server has closed the connection.')],
      [
        'prisma: P2024',
        knownRequestError('P2024', 'Timed out fetching a new connection from the connection pool.'),
      ],
      [
        'prisma: initialization',
        new PrismaClientInitializationError(
          "Can't reach database server at `db:3306`",
          CLIENT_VERSION,
          'P1001',
        ),
      ],
      [
        'a bare message',
        new Error(
          'pool timeout: failed to retrieve a connection from pool after 10000ms (pool connections: active=0 idle=0 limit=10)',
        ),
      ],
    ])('%s', (_name, error) => {
      expect(isDatabaseUnavailable(error)).toBe(true);
    });
  });

  describe('follows the cause chain', () => {
    it('finds the driver error under the adapter error under the client error', () => {
      const driver = driverError('retrieve connection from pool timeout after 10001ms', 45028);
      const adapter = Object.assign(new Error('adapter'), {
        name: 'DriverAdapterError',
        cause: { kind: 'GenericJs', id: 1, cause: driver },
      });
      const client = new Error('Invalid `prisma.wxUser.upsert()` invocation', { cause: adapter });
      expect(isDatabaseUnavailable(client)).toBe(true);
    });

    it('finds a kind several levels down', () => {
      const deep = { cause: { cause: { cause: { kind: 'ConnectionClosed' } } } };
      expect(isDatabaseUnavailable(new Error('outer', { cause: deep }))).toBe(true);
    });

    it('stops on a cycle', () => {
      const a: { message: string; cause?: unknown } = { message: 'a' };
      const b = { message: 'b', cause: a };
      a.cause = b;
      expect(isDatabaseUnavailable(a)).toBe(false);
    });
  });

  describe('leaves other errors alone', () => {
    it.each<[string, unknown]>([
      [
        'unique violation (P2002)',
        knownRequestError('P2002', 'Unique constraint failed on the fields: (`app_id`,`openid`)'),
      ],
      [
        'record not found (P2025)',
        knownRequestError('P2025', 'No record was found for an update.'),
      ],
      [
        'mariadb duplicate entry',
        Object.assign(new Error("Duplicate entry 'x' for key 'wx_user_app_id_openid_key'"), {
          code: 'ER_DUP_ENTRY',
          errno: 1062,
        }),
      ],
      [
        'mariadb syntax error',
        Object.assign(new Error('You have an error in your SQL syntax'), {
          code: 'ER_PARSE_ERROR',
        }),
      ],
      [
        'adapter: UniqueConstraintViolation',
        adapterError({ kind: 'UniqueConstraintViolation', constraint: { index: 'x' } }),
      ],
      ['a numeric code', Object.assign(new Error('x'), { code: 1001 })],
      ['an unrelated error', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['null', null],
      ['undefined', undefined],
      ['a string', 'ECONNREFUSED'],
      ['an empty object', {}],
    ])('%s', (_name, error) => {
      expect(isDatabaseUnavailable(error)).toBe(false);
    });
  });
});
