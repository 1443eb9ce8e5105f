import { describeDatabaseFailure } from './database-failure';

const URL_WITH_PASSWORD = 'mysql://admin:s3cret@db.internal:3307/wxauth';

describe('describeDatabaseFailure', () => {
  it('names the database and the cause of a failed connection, never the password', () => {
    const poolTimeout = Object.assign(new Error('pool timeout: failed to retrieve a connection'), {
      code: 'ER_GET_CONNECTION_TIMEOUT',
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const line = describeDatabaseFailure(poolTimeout, URL_WITH_PASSWORD);
    expect(line).toBe(
      'cannot connect to the database at db.internal:3307/wxauth: connection refused (is MySQL running and listening there?)',
    );
    expect(line).not.toContain('s3cret');
  });

  it("keeps the driver's message without its connection prefix or statement", () => {
    const missingTable = Object.assign(
      new Error(
        "(conn:12, no: 1146, SQLState: 42S02) Table 'wxauth.account' doesn't exist\nsql: SELECT …",
      ),
      { code: 'ER_NO_SUCH_TABLE' },
    );
    expect(describeDatabaseFailure(missingTable, URL_WITH_PASSWORD)).toBe(
      "database error at db.internal:3307/wxauth: Table 'wxauth.account' doesn't exist (run `npm run db:migrate`)",
    );
  });

  it('leaves errors that did not come from the database to the caller', () => {
    expect(describeDatabaseFailure(new TypeError('x is undefined'), URL_WITH_PASSWORD)).toBe(
      undefined,
    );
  });
});
