import { userInfo } from 'node:os';
import { adminActor } from './admin-actor';

describe('adminActor', () => {
  it('is ADMIN_ACTOR when set, cut to audit_log.actor', () => {
    expect(adminActor({ ADMIN_ACTOR: ' alice ' })).toBe('alice');
    expect(adminActor({ ADMIN_ACTOR: 'a'.repeat(80) })).toHaveLength(64);
  });

  it('is the OS user otherwise', () => {
    expect(adminActor({})).toBe(userInfo().username);
    expect(adminActor({ ADMIN_ACTOR: '  ' })).toBe(userInfo().username);
  });
});
