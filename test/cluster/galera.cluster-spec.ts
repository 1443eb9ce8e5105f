import { crashNode, restartNode } from '../../scripts/cluster/control';
import { DATA_NODES, serverUrl } from '../../scripts/cluster/topology';
import { loadAppConfig } from '../../src/config/app-config';
import { createDatabasePool } from '../../src/prisma/database-pool';
import { call, HttpResult } from '../support/http';
import { mintLoginCode } from '../support/wechat';
import { DEFAULT_APP, SECOND_APP, useClusterStack } from './cluster-stack';

/*
 * The service on a MariaDB Galera cluster (docs/scaling.md): what a single server made true
 * must stay true when two instances write through two nodes at once, and when a node dies.
 */

const stack = useClusterStack();
let unique = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(unique++).toString(36)}`;

async function login(instanceUrl: string, appId: string, openid: string, unionid?: string) {
  const minted = await mintLoginCode(stack.emulator.url, { appId, openid, unionid });
  return call(`${instanceUrl}/auth/wechat/login`, { body: { code: minted.code, appId } });
}

describe('one person, many logins at once over both nodes', () => {
  it('50 first logins over two instances and two apps make one account and one identity per app', async () => {
    const unionid = nextId('u');
    const openids = { [DEFAULT_APP.appId]: nextId('oA'), [SECOND_APP.appId]: nextId('oB') };
    const instances = [stack.onNode1.url, stack.onNode2.url];
    const apps = [DEFAULT_APP.appId, SECOND_APP.appId];
    // Codes first, so the logins themselves start together.
    const codes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        mintLoginCode(stack.emulator.url, {
          appId: apps[i % 2],
          openid: openids[apps[i % 2]],
          unionid,
        }).then((minted) => ({
          ...minted,
          appId: apps[i % 2],
          at: instances[Math.floor(i / 2) % 2],
        })),
      ),
    );
    const results = await Promise.all(
      codes.map(({ code, appId, at }) =>
        call(`${at}/auth/wechat/login`, { body: { code, appId } }),
      ),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    expect(results.filter((r) => r.body.isNewUser)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);

    for (const node of DATA_NODES) {
      const identities = await stack.queryNode<{
        app_id: string;
        login_count: number;
        account_id: number;
      }>(
        node.port,
        'SELECT app_id, login_count, account_id FROM wx_user WHERE unionid = ? ORDER BY app_id',
        [unionid],
      );
      expect(identities.map((row) => [row.app_id, row.login_count])).toEqual(
        apps.map((appId) => [appId, 25]).sort(),
      );
      const [account] = await stack.queryNode<{ login_count: number }>(
        node.port,
        'SELECT login_count FROM account WHERE id = ?',
        [identities[0].account_id],
      );
      expect(account.login_count).toBe(50);
      const [logged] = await stack.queryNode<{ n: number; fresh: number }>(
        node.port,
        'SELECT COUNT(*) AS n, CAST(SUM(is_new_user) AS UNSIGNED) AS fresh FROM login_log l JOIN wx_user w ON w.id = l.wx_user_id WHERE w.unionid = ?',
        [unionid],
      );
      expect(logged).toEqual({ n: 50, fresh: 1 });
    }
  }, 60000);
});

describe('a session across instances on different nodes', () => {
  it('of two refreshes of one token at once on the two instances, exactly one succeeds; a replay then revokes the session everywhere', async () => {
    for (let round = 0; round < 30; round++) {
      const first = await login(stack.onNode1.url, DEFAULT_APP.appId, nextId('o'));
      const refreshToken: string = first.body.refreshToken;
      const both = await Promise.all(
        [stack.onNode1.url, stack.onNode2.url].map((url) =>
          call(`${url}/auth/refresh`, { body: { refreshToken } }),
        ),
      );
      const won = both.filter((r) => r.status === 200);
      const lost = both.filter((r) => r.status !== 200);
      expect(won).toHaveLength(1);
      // The loser either lost the spend, or came just after it and saw a used token.
      expect(lost.map((r) => [r.status, r.body.code])).toEqual([
        [401, expect.stringMatching(/^REFRESH_TOKEN_(INVALID|REUSED)$/)],
      ]);

      const replay = await call(`${stack.onNode2.url}/auth/refresh`, { body: { refreshToken } });
      expect(replay.status).toBe(401);
      for (const url of [stack.onNode1.url, stack.onNode2.url, stack.behindProxy.url]) {
        const me = await call(`${url}/users/me`, { token: won[0].body.accessToken });
        expect(me.body.code).toBe('SESSION_REVOKED');
        const next = await call(`${url}/auth/refresh`, {
          body: { refreshToken: won[0].body.refreshToken },
        });
        expect(next.body.code).toBe('REFRESH_TOKEN_INVALID');
      }
    }
  }, 60000);

  it('a logout on one instance is refused at once on the other, whose node just received it', async () => {
    for (let round = 0; round < 20; round++) {
      const [from, to] =
        round % 2 ? [stack.onNode1, stack.onNode2] : [stack.onNode2, stack.onNode1];
      const session = await login(from.url, SECOND_APP.appId, nextId('o'));
      const token: string = session.body.accessToken;
      expect((await call(`${to.url}/users/me`, { token })).status).toBe(200);
      expect((await call(`${from.url}/auth/logout`, { method: 'POST', token })).status).toBe(204);
      const refused = await call(`${to.url}/users/me`, { token });
      expect([refused.status, refused.body.code]).toEqual([401, 'SESSION_REVOKED']);
    }
  }, 60000);
});

describe("the service's database pool when Galera aborts its transaction", () => {
  it('answers the next statement with a lock conflict and runs nothing else in its place', async () => {
    const [node1, node2] = DATA_NODES;
    await stack.queryNode(node1.port, 'CREATE TABLE pool_probe (id INT PRIMARY KEY, v INT)');
    await stack.queryNode(node1.port, 'INSERT INTO pool_probe VALUES (1, 0)');
    const pool = createDatabasePool(
      loadAppConfig({
        NODE_ENV: 'test',
        DATABASE_URL: `${serverUrl(node2.port)}/${stack.database}`,
        DATABASE_CAUSAL_READS: 'on',
      }),
    );
    const connection = await pool.getConnection();
    try {
      // Prepared on this connection, and the last statement prepared there: v = 1.
      await connection.execute('UPDATE pool_probe SET v = v + 1 WHERE id = ?', [1]);
      await connection.beginTransaction();
      await connection.execute('UPDATE pool_probe SET v = v + 1 WHERE id = ?', [1]);
      // Committed through the other node: Galera aborts the open transaction on node2 (v = 11).
      await stack.queryNode(node1.port, 'UPDATE pool_probe SET v = v + 10 WHERE id = 1');
      // Applied on node2 (so the abort has happened) once another connection there reads it.
      for (let waited = 0; waited < 5000; waited += 20) {
        const [row] = await stack.queryNode<{ v: number }>(node2.port, 'SELECT v FROM pool_probe');
        if (row.v === 11) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // A statement not yet prepared on this connection, which would change nothing.
      await expect(
        connection.execute('DELETE FROM pool_probe WHERE id = ? AND v < 0', [1]),
      ).rejects.toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
      await connection.rollback();
    } finally {
      await connection.release();
      await pool.end();
    }
    // With the driver's pipelining the abort made the UPDATE run again in the DELETE's place.
    const rows = await stack.queryNode<{ v: number }>(node1.port, 'SELECT v FROM pool_probe');
    expect(rows).toEqual([{ v: 11 }]);
  }, 30000);
});

interface Outcome {
  /** When the request was sent. */
  at: number;
  /** When its answer (or failure) came back. */
  answeredAt: number;
  status: number;
  code?: string;
  openid?: string;
}

/** Logins and /users/me calls, a few at a time, until stopped; every answer recorded. */
function steadyTraffic(url: string, token: string) {
  const outcomes: Outcome[] = [];
  let running = true;
  const worker = async (kind: 'login' | 'me') => {
    while (running) {
      const at = Date.now();
      let result: HttpResult;
      let openid: string | undefined;
      try {
        if (kind === 'login') {
          openid = nextId('steady');
          result = await login(url, DEFAULT_APP.appId, openid);
        } else {
          result = await call(`${url}/users/me`, { token });
        }
        outcomes.push({
          at,
          answeredAt: Date.now(),
          status: result.status,
          code: result.body?.code,
          openid,
        });
      } catch (error) {
        outcomes.push({ at, answeredAt: Date.now(), status: 0, code: (error as Error).message });
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const workers = [worker('login'), worker('login'), worker('me'), worker('me')];
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe('a data node dies under steady traffic through HAProxy', () => {
  it('costs a few seconds of DATABASE_UNAVAILABLE, then every request succeeds; no accepted login is lost; the node rejoins with every row', async () => {
    const proxy = stack.behindProxy.url;
    const session = await login(proxy, DEFAULT_APP.appId, nextId('o'));
    const traffic = steadyTraffic(proxy, session.body.accessToken);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const crashedAt = Date.now();
    await crashNode('node1');
    await new Promise((resolve) => setTimeout(resolve, 15000));
    await traffic.stop();
    const { outcomes } = traffic;

    const failures = outcomes.filter((o) => o.status !== 200);
    // Every failure is the contract's answer for a database outage, none a 500.
    expect(failures.filter((o) => o.status !== 503 || o.code !== 'DATABASE_UNAVAILABLE')).toEqual(
      [],
    );
    // Answered before the crash: all succeeded. (A request sent just before it may still be in
    // flight when the node dies, and fail with DATABASE_UNAVAILABLE like any during the outage.)
    const before = outcomes.filter((o) => o.answeredAt < crashedAt);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((o) => o.status === 200)).toBe(true);
    const lastFailure = Math.max(crashedAt, ...failures.map((o) => o.at));
    console.log(
      `node crash: ${failures.length} of ${outcomes.length} requests DATABASE_UNAVAILABLE, the last ${lastFailure - crashedAt} ms after the crash`,
    );
    expect(lastFailure - crashedAt).toBeLessThan(6000);
    // And then every request succeeds, for the rest of the run (seconds, not one lucky call).
    const after = outcomes.filter((o) => o.at > lastFailure);
    expect(after.length).toBeGreaterThan(50);
    expect(after.every((o) => o.status === 200)).toBe(true);

    await restartNode('node1');
    const accepted = outcomes.filter((o) => o.openid && o.status === 200).map((o) => o.openid);
    expect(accepted.length).toBeGreaterThan(50);
    for (const node of DATA_NODES) {
      const rows = await stack.queryNode<{ openid: string }>(
        node.port,
        "SELECT openid FROM wx_user WHERE openid LIKE 'steady%'",
      );
      const stored = new Set(rows.map((row) => row.openid));
      expect(accepted.filter((openid) => !stored.has(openid as string))).toEqual([]);
    }
    // The instance on the node that died serves again without a restart.
    const back = await login(stack.onNode1.url, DEFAULT_APP.appId, nextId('o'));
    expect(back.status).toBe(200);
  }, 120000);
});
