import {
  clientIpVerdict,
  debianMirror,
  demoStepBody,
  parseAccessLog,
  uidsOfStatus,
} from './checks';

describe('parseAccessLog', () => {
  it('reads the combined format and skips other lines', () => {
    const log = [
      '2026/11/24 17:31:30 [notice] 1#1: start worker processes',
      '172.28.0.1 - - [24/Nov/2026:17:31:33 +0000] "POST /auth/wechat/login HTTP/1.1" 200 871 "-" "wxauth-demo (mini-program stand-in)"',
      '172.28.0.1 - - [24/Nov/2026:17:31:33 +0000] "GET /users/me HTTP/1.1" 401 164 "https://x/\\"q\\"" "curl/8.0"',
    ].join('\n');
    expect(parseAccessLog(log)).toEqual([
      {
        remoteAddr: '172.28.0.1',
        method: 'POST',
        path: '/auth/wechat/login',
        status: 200,
        userAgent: 'wxauth-demo (mini-program stand-in)',
      },
      {
        remoteAddr: '172.28.0.1',
        method: 'GET',
        path: '/users/me',
        status: 401,
        userAgent: 'curl/8.0',
      },
    ]);
  });
});

describe('demoStepBody', () => {
  const output = [
    'Mini-program demo against https://localhost:1 (WeChat emulator at http://127.0.0.1:2)',
    '',
    '3. GET /users/me with Authorization: Bearer …',
    '   {',
    '     "id": 1,',
    '     "lastLoginIp": "172.28.0.1"',
    '   }',
    '',
    '4. PATCH /users/me from the nickname',
    '   {}',
  ].join('\n');

  it('returns the JSON printed under the step', () => {
    expect(demoStepBody(output, 'GET /users/me')).toEqual({ id: 1, lastLoginIp: '172.28.0.1' });
  });

  it('is undefined for a step the demo did not print', () => {
    expect(demoStepBody(output, 'DELETE /users/me')).toBeUndefined();
  });
});

describe('uidsOfStatus', () => {
  it('reads real, effective, saved and filesystem uid', () => {
    expect(uidsOfStatus('Name:\tnode\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\n')).toEqual([
      1000, 1000, 1000, 1000,
    ]);
    expect(uidsOfStatus('Name:\tnode\n')).toEqual([]);
  });
});

describe('clientIpVerdict', () => {
  const base = { seenByNginx: '172.28.0.1', nginxAddress: '172.28.0.10' };

  it('passes when the service recorded what nginx saw', () => {
    expect(clientIpVerdict({ ...base, recorded: '172.28.0.1' }).ok).toBe(true);
  });

  it("fails on nginx's own address: TRUST_PROXY left false", () => {
    const verdict = clientIpVerdict({ ...base, recorded: '172.28.0.10' });
    expect(verdict).toEqual({ ok: false, detail: expect.stringContaining('TRUST_PROXY') });
  });

  it('fails when the address the client claimed was believed', () => {
    const verdict = clientIpVerdict({
      ...base,
      recorded: '203.0.113.66',
      claimedByClient: '203.0.113.66',
    });
    expect(verdict).toEqual({ ok: false, detail: expect.stringContaining('too wide') });
  });

  it('fails when nothing was recorded or logged', () => {
    expect(clientIpVerdict({ ...base, recorded: null }).ok).toBe(false);
    expect(clientIpVerdict({ ...base, seenByNginx: undefined, recorded: '172.28.0.1' }).ok).toBe(
      false,
    );
  });
});

describe('debianMirror', () => {
  it('finds the mirror of the suite in deb822 and one-line sources', () => {
    const deb822 = [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://deb.debian.org/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://deb.debian.org/debian-security',
      'Suites: bookworm-security',
    ].join('\n');
    const oneLine = 'deb [signed-by=/k.gpg] https://example.org/apt cloud-sdk-bookworm main\n';
    expect(debianMirror([oneLine, deb822], 'bookworm')).toBe('http://deb.debian.org/debian');
    expect(debianMirror(['deb http://mirror.example/debian bookworm main\n'], 'bookworm')).toBe(
      'http://mirror.example/debian',
    );
    expect(debianMirror([oneLine], 'bookworm')).toBeUndefined();
  });
});
