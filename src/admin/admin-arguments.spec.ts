import { parseAccountId, parseAdminArguments, UsageError } from './admin-arguments';

describe('parseAdminArguments', () => {
  it('reads each command', () => {
    expect(parseAdminArguments(['find', ' o123 '])).toEqual({
      command: 'find',
      query: 'o123',
      json: false,
    });
    expect(parseAdminArguments(['find', '--json', '7'])).toEqual({
      command: 'find',
      query: '7',
      json: true,
    });
    expect(parseAdminArguments(['disable', '7', '--reason', ' spam '])).toEqual({
      command: 'disable',
      accountId: 7n,
      reason: 'spam',
      json: false,
    });
    expect(parseAdminArguments(['--reason=lost phone', 'revoke-sessions', '7'])).toMatchObject({
      command: 'revoke-sessions',
      reason: 'lost phone',
    });
    expect(parseAdminArguments(['enable', '7'])).toMatchObject({ reason: undefined });
    expect(parseAdminArguments(['delete', '18446744073709551615'])).toMatchObject({
      accountId: 2n ** 64n - 1n,
    });
  });

  it('answers help for --help or -h anywhere, even beside an error', () => {
    expect(parseAdminArguments(['--help'])).toEqual({ command: 'help' });
    expect(parseAdminArguments(['disable', '-h'])).toEqual({ command: 'help' });
    expect(parseAdminArguments(['frob', '--help'])).toEqual({ command: 'help' });
  });

  it('takes everything after -- as a value, even when it starts with a dash', () => {
    expect(parseAdminArguments(['find', '--', '-odd'])).toMatchObject({ query: '-odd' });
  });

  it.each([
    [[], 'a command is required'],
    [['remove', '7'], 'unknown command "remove"'],
    [['find'], 'find needs'],
    [['find', '   '], 'non-empty'],
    [['find', 'x', '--reason', 'y'], 'find takes no --reason'],
    [['disable', '7'], 'disable needs --reason'],
    [['disable', '7', '--reason'], '--reason needs a non-empty text'],
    [['disable', '7', '--reason='], '--reason needs a non-empty text'],
    [['disable', '7', '--reason', 'a', '--reason', 'b'], 'given twice'],
    [['enable', '7', '8'], 'unexpected argument "8"'],
    [['enable', '-7'], 'unknown option "-7"'],
    [['enable', '07'], 'not an account id'],
    [['enable', '7.0'], 'not an account id'],
  ])('%j → UsageError', (argv, message) => {
    expect(() => parseAdminArguments(argv)).toThrow(UsageError);
    expect(() => parseAdminArguments(argv)).toThrow(message);
  });

  it('refuses a reason audit_log.reason cannot hold instead of cutting it', () => {
    expect(parseAdminArguments(['disable', '7', '--reason', 'x'.repeat(255)])).toMatchObject({
      command: 'disable',
    });
    expect(() => parseAdminArguments(['disable', '7', '--reason', 'x'.repeat(256)])).toThrow(
      'longer than 255',
    );
  });
});

describe('parseAccountId', () => {
  it('accepts what fits BIGINT UNSIGNED and nothing else', () => {
    expect(parseAccountId('1')).toBe(1n);
    expect(() => parseAccountId('0')).toThrow(UsageError);
    expect(() => parseAccountId('18446744073709551616')).toThrow(UsageError);
    expect(() => parseAccountId('1e3')).toThrow(UsageError);
    expect(() => parseAccountId('')).toThrow(UsageError);
  });
});
