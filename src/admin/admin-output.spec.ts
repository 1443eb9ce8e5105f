import type { FoundAccount } from './account-search';
import { describeAccounts, describeChange, toJson } from './admin-output';

const account = (overrides: Partial<FoundAccount> = {}): FoundAccount => ({
  id: 7n,
  matchedBy: ['openid'],
  status: 'active',
  nickname: '小明😀',
  avatarUrl: null,
  gender: 1,
  phone: '13800138000',
  phoneCountryCode: '86',
  loginCount: 3,
  lastLoginAt: new Date('2026-11-24T10:05:00Z'),
  lastLoginIp: '203.0.113.9',
  createdAt: new Date('2026-11-24T10:00:00Z'),
  liveSessions: 2,
  identities: [
    {
      appId: 'wx0123456789abcdef',
      openid: 'o-one',
      unionid: null,
      loginCount: 1,
      lastLoginAt: new Date('2026-11-24T10:00:00Z'),
      createdAt: new Date('2026-11-24T10:00:00Z'),
    },
  ],
  audit: [{ at: new Date('2026-11-24T11:00:00Z'), actor: 'alice', action: 'enable', reason: null }],
  ...overrides,
});

describe('describeAccounts', () => {
  it('prints one aligned block per account', () => {
    expect(describeAccounts([account()])).toBe(
      [
        'account 7  active  created 2026-11-24T10:00:00.000Z  (matched by openid)',
        '  nickname  小明😀',
        '  avatar    -',
        '  phone     +86 13800138000',
        '  logins    3, last 2026-11-24T10:05:00.000Z from 203.0.113.9',
        '  sessions  2 live',
        '  identity  wx0123456789abcdef  openid o-one  unionid -  1 login, last 2026-11-24T10:00:00.000Z',
        '  audit     2026-11-24T11:00:00.000Z  enable by alice',
      ].join('\n'),
    );
  });

  it('counts several matches and says when live sessions are refused', () => {
    const text = describeAccounts([account(), account({ id: 8n, status: 'disabled' })]);
    expect(text.startsWith('2 accounts match\n\naccount 7')).toBe(true);
    expect(text).toContain('\n\naccount 8  disabled');
    expect(text).toContain('sessions  2 live (refused while disabled)');
  });
});

describe('describeChange', () => {
  it('says what was done, or that nothing needed doing', () => {
    const found = { found: true as const };
    expect(describeChange(7n, { found: false })).toBe('no account 7');
    expect(describeChange(7n, { ...found, changed: true, command: 'disable' })).toContain(
      'disabled account 7',
    );
    expect(describeChange(7n, { ...found, changed: false, command: 'enable' })).toBe(
      'account 7 was already active; nothing changed',
    );
    expect(
      describeChange(7n, {
        ...found,
        changed: true,
        command: 'revoke-sessions',
        revokedSessions: 1,
      }),
    ).toBe('revoked 1 session of account 7');
    expect(
      describeChange(7n, {
        ...found,
        changed: true,
        command: 'delete',
        removed: { identities: 2, sessions: 1, logins: 0 },
      }),
    ).toBe('deleted account 7 with 2 identities, 1 session and 0 logins');
  });
});

describe('toJson', () => {
  it('writes bigint ids as numbers while they are exact, as strings beyond', () => {
    expect(JSON.parse(toJson({ id: 7n, big: 2n ** 60n, at: new Date(0) }))).toEqual({
      id: 7,
      big: String(2n ** 60n),
      at: '1970-01-01T00:00:00.000Z',
    });
  });
});
