import { randomBytes } from 'node:crypto';
import { createConnection } from 'mariadb';
import { RunningEmulator, startWechatEmulator } from '../../emulator/wechat-emulator';
import { down, restartNode, status, up } from '../../scripts/cluster/control';
import { DATA_NODES, HAPROXY_PORT, serverUrl } from '../../scripts/cluster/topology';
import { connectionSettings } from '../../src/prisma/database-url';
import { applyMigrations, dropDatabase } from '../../src/prisma/migration-runner';
import { ServiceProcess, spawnService, waitForOk } from '../support/process';

/*
 * The world of test/cluster: the local Galera cluster of `npm run cluster` (brought up here
 * when it is not already, and then down again afterwards), one migrated database on it, the
 * WeChat emulator with two mini-programs, and the compiled service as real processes: one
 * instance on each data node and one behind HAProxy.
 */

export const SECOND_APP = { appId: 'wx00000000000000b2', secret: '2'.repeat(32) };
export const DEFAULT_APP = {
  appId: 'wx0f1e2d3c4b5a6978',
  secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
};

export interface Instance {
  name: string;
  url: string;
  process: ServiceProcess;
}

export interface ClusterStack {
  database: string;
  emulator: RunningEmulator;
  /** On node1, on node2, behind HAProxy. */
  onNode1: Instance;
  onNode2: Instance;
  behindProxy: Instance;
  /** Runs SQL on one data node directly (BigInts as numbers). */
  queryNode<T>(port: number, sql: string, params?: unknown[]): Promise<T[]>;
}

const clusterIsUp = async () => {
  const members = await status();
  return members.every((member) => member.running);
};

function serviceEnv(databaseUrl: string, emulatorUrl: string, port: number) {
  return {
    NODE_ENV: 'production',
    WECHAT_APP_ID: DEFAULT_APP.appId,
    WECHAT_APP_SECRET: DEFAULT_APP.secret,
    WECHAT_APPS: JSON.stringify([{ ...SECOND_APP, type: 'miniprogram' }]),
    JWT_SECRET: 'cluster-tests-jwt-secret-0123456789abcdef',
    SESSION_KEY_SECRET: '00112233445566778899aabbccddeeff'.repeat(2),
    DATABASE_URL: databaseUrl,
    DATABASE_CAUSAL_READS: 'on',
    WECHAT_API_BASE_URL: emulatorUrl,
    LOGIN_RATE_LIMIT: '100000',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
  };
}

export function useClusterStack(): ClusterStack {
  const stack = {} as ClusterStack;
  let startedCluster = false;
  const instances: Instance[] = [];

  beforeAll(async () => {
    if (!(await clusterIsUp())) {
      await up();
      startedCluster = true;
    }
    // A node crashed by an earlier, interrupted run is brought back first.
    for (const node of DATA_NODES) await restartNode(node.name);
    stack.database = `wxauth_cluster_${randomBytes(5).toString('hex')}`;
    await applyMigrations(`${serverUrl(DATA_NODES[0].port)}/${stack.database}`);
    stack.emulator = await startWechatEmulator({
      port: 0,
      apps: [DEFAULT_APP, SECOND_APP].map(({ appId, secret }) => ({ appId, appSecret: secret })),
    });
    const base = 20000 + Math.floor(Math.random() * 20000);
    const targets = [
      ['onNode1', DATA_NODES[0].port],
      ['onNode2', DATA_NODES[1].port],
      ['behindProxy', HAPROXY_PORT],
    ] as const;
    for (const [index, [name, port]] of targets.entries()) {
      const url = `${serverUrl(port)}/${stack.database}`;
      const env = serviceEnv(url, stack.emulator.url, base + index);
      const instance = {
        name,
        url: `http://127.0.0.1:${base + index}`,
        process: spawnService(env),
      };
      instances.push(instance);
      stack[name] = instance;
    }
    await Promise.all(
      instances.map((each) =>
        waitForOk(`${each.url}/health/ready`, 20000).catch((error: Error) => {
          throw new Error(`${each.name}: ${error.message}\n${each.process.output()}`);
        }),
      ),
    );
    stack.queryNode = async <T>(port: number, sql: string, params: unknown[] = []) => {
      const settings = connectionSettings(`${serverUrl(port)}/${stack.database}`);
      const connection = await createConnection({ ...settings, bigIntAsNumber: true });
      try {
        return await connection.query<T[]>(sql, params);
      } finally {
        await connection.end();
      }
    };
  }, 240000);

  afterAll(async () => {
    for (const instance of instances) instance.process.child.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.process.exited));
    await stack.emulator?.close();
    if (stack.database) {
      for (const node of DATA_NODES) await restartNode(node.name).catch(() => undefined);
      await dropDatabase(`${serverUrl(DATA_NODES[0].port)}/${stack.database}`);
    }
    if (startedCluster) await down();
  }, 120000);

  return stack;
}
