/*
 * `up`, `down`, `status`, and a crash and a restart of one data node: what `npm run cluster`
 * offers, and what test/cluster drives.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection as connectToDatabase } from 'mariadb';
import { GALERA_PROVIDER, haproxyConfig, nodeConfig, PROVIDER_TIMEOUTS } from './config-files';
import {
  ClusterState,
  forgetState,
  isRunning,
  launch,
  readState,
  signalMember,
  waitFor,
  writeState,
} from './members';
import {
  CHECK_USER,
  CLUSTER_ADDRESS,
  CLUSTER_NAME,
  DATA_NODES,
  DataNode,
  dataNode,
  GARBD_GCOMM_PORT,
  HAPROXY_PORT,
  HAPROXY_STATS_PORT,
  MemberName,
  memberFiles,
} from './topology';

const MEMBER_ORDER: MemberName[] = ['node1', 'node2', 'garbd', 'haproxy'];

/** garbd and HAProxy come from Debian packages; installed when missing (as root only). */
function ensurePackages(): void {
  const missing = [
    ['garbd', 'galera-arbitrator-4'],
    ['haproxy', 'haproxy'],
  ].filter(([binary]) => !['/usr/bin', '/usr/sbin'].some((dir) => existsSync(join(dir, binary))));
  if (!existsSync('/usr/sbin/mariadbd') || !existsSync(GALERA_PROVIDER)) {
    throw new Error(
      'mariadb-server and galera-4 are needed: apt-get install mariadb-server galera-4',
    );
  }
  if (missing.length === 0) return;
  const packages = missing.map(([, name]) => name);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing packages; run: sudo apt-get install -y ${packages.join(' ')}`);
  }
  console.log(`installing ${packages.join(', ')}`);
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The mysql account Debian's mariadb-server package creates. */
function mysqlUser(): { name: string; uid: number; gid: number } {
  const [uid, gid] = ['-u', '-g'].map((flag) =>
    Number(execFileSync('id', [flag, 'mysql'], { encoding: 'utf8' }).trim()),
  );
  return { name: 'mysql', uid, gid };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const ALL_PORTS = [
  ...DATA_NODES.flatMap((n) => [n.port, n.gcommPort, n.istPort, n.sstPort]),
  GARBD_GCOMM_PORT,
  HAPROXY_PORT,
  HAPROXY_STATS_PORT,
];

/** wsrep status of a node, over TCP as root; undefined when it does not answer. */
export async function nodeStatus(port: number): Promise<Record<string, string> | undefined> {
  try {
    const connection = await connectToDatabase({
      host: '127.0.0.1',
      port,
      user: 'root',
      connectTimeout: 1000,
    });
    try {
      const rows: Array<{ Variable_name: string; Value: string }> = await connection.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_local_state_comment', 'wsrep_ready', 'wsrep_connected')",
      );
      return Object.fromEntries(rows.map((row) => [row.Variable_name, row.Value]));
    } finally {
      await connection.end();
    }
  } catch {
    return undefined;
  }
}

const isSynced = async (node: DataNode, size?: number) => {
  const status = await nodeStatus(node.port);
  return (
    status?.wsrep_local_state_comment === 'Synced' &&
    status.wsrep_cluster_status === 'Primary' &&
    (size === undefined || Number(status.wsrep_cluster_size) === size)
  );
};

function startNode(state: ClusterState, node: DataNode, bootstrap: boolean) {
  const files = memberFiles(state.root, node.name);
  const args = [`--defaults-file=${files.config}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])];
  state.members[node.name] = launch('/usr/sbin/mariadbd', args, files, files.config);
  writeState(state);
}

/** The first node's system tables; the others receive theirs from it by state transfer. */
function prepareFirstNode(root: string, node: DataNode, user: string | undefined): void {
  const files = memberFiles(root, node.name);
  execFileSync(
    '/usr/bin/mariadb-install-db',
    [
      `--defaults-file=${files.config}`,
      ...(user ? [`--user=${user}`] : []),
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { stdio: 'ignore' },
  );
}

/** root over TCP without a password (as on the machine's own server) and HAProxy's check user. */
async function bootstrapUsers(root: string, node: DataNode): Promise<void> {
  const connection = await connectToDatabase({
    socketPath: memberFiles(root, node.name).socket,
    user: 'root',
  });
  try {
    await connection.query("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
    await connection.query("GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
    await connection.query(`CREATE USER IF NOT EXISTS '${CHECK_USER}'@'127.0.0.1'`);
  } finally {
    await connection.end();
  }
}

export async function up(): Promise<void> {
  const previous = readState();
  if (previous && MEMBER_ORDER.some((name) => isRunning(previous.members[name]))) {
    throw new Error(
      'the cluster is already up (npm run cluster -- status; npm run cluster -- down)',
    );
  }
  forgetState();
  ensurePackages();
  const taken = [];
  for (const port of ALL_PORTS) if (!(await portIsFree(port))) taken.push(port);
  if (taken.length > 0) throw new Error(`ports in use: ${taken.join(', ')}`);

  const state: ClusterState = { root: mkdtempSync(join(tmpdir(), 'wxauth-cluster-')), members: {} };
  writeState(state);
  try {
    await startMembers(state);
  } catch (error) {
    // Half a cluster is no use: report the log of what failed, then stop what did start.
    const failed = MEMBER_ORDER.find((name) => !isRunning(state.members[name])) ?? 'node1';
    const log = logTail(memberFiles(state.root, failed).log);
    await down();
    throw new Error(`${(error as Error).message}\n--- last lines of ${failed}'s log ---\n${log}`, {
      cause: error,
    });
  }
}

function logTail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-25).join('\n') : '';
}

async function startMembers(state: ClusterState): Promise<void> {
  // Started by root, the nodes run as mysql: the state-transfer rsync daemon of a root node
  // would drop to `nobody` and could not write the joiner's datadir.
  const owner = process.getuid?.() === 0 ? mysqlUser() : undefined;
  if (owner) chmodSync(state.root, 0o755);
  for (const node of DATA_NODES) {
    const files = memberFiles(state.root, node.name);
    mkdirSync(files.data, { recursive: true });
    writeFileSync(files.config, nodeConfig(state.root, node, owner?.name));
    if (owner) for (const path of [files.dir, files.data]) chownSync(path, owner.uid, owner.gid);
  }
  const [first, ...others] = DATA_NODES;
  prepareFirstNode(state.root, first, owner?.name);
  startNode(state, first, true);
  const firstUp = async () => (await bootstrapUsers(state.root, first), true);
  await waitFor(`${first.name} accepts connections`, firstUp, 60000, state.members[first.name]);
  await waitFor(`${first.name} Synced`, () => isSynced(first), 30000, state.members[first.name]);
  // The others receive everything, users included, from the first by state transfer.
  for (const node of others) {
    startNode(state, node, false);
    const synced = () => isSynced(node);
    await waitFor(`${node.name} joined and Synced`, synced, 120000, state.members[node.name]);
  }

  const garbd = memberFiles(state.root, 'garbd');
  mkdirSync(garbd.dir, { recursive: true });
  state.members.garbd = launch(
    '/usr/bin/garbd',
    [
      ...['--address', CLUSTER_ADDRESS, '--group', CLUSTER_NAME],
      ...[
        '--options',
        `gmcast.listen_addr=tcp://127.0.0.1:${GARBD_GCOMM_PORT};${PROVIDER_TIMEOUTS}`,
      ],
      ...['--log', garbd.log],
    ],
    garbd,
    garbd.log,
  );
  writeState(state);
  const withArbitrator = () => isSynced(first, DATA_NODES.length + 1);
  await waitFor('garbd joined', withArbitrator, 30000, state.members.garbd);

  const haproxy = memberFiles(state.root, 'haproxy');
  mkdirSync(haproxy.dir, { recursive: true });
  writeFileSync(haproxy.config, haproxyConfig());
  state.members.haproxy = launch(
    '/usr/sbin/haproxy',
    ['-db', '-f', haproxy.config],
    haproxy,
    haproxy.config,
  );
  writeState(state);
  const through = async () => (await nodeStatus(HAPROXY_PORT)) !== undefined;
  await waitFor('HAProxy reaches a node', through, 15000, state.members.haproxy);
}

/** Stops everything `up` started (the pids it recorded), then removes its directory. */
export async function down(): Promise<void> {
  const state = readState();
  if (!state) return;
  for (const name of [...MEMBER_ORDER].reverse())
    await signalMember(state.members[name], 'SIGTERM');
  if (state.root.startsWith(join(tmpdir(), 'wxauth-cluster-'))) {
    rmSync(state.root, { recursive: true, force: true });
  }
  forgetState();
}

export interface MemberStatus {
  name: MemberName;
  pid?: number;
  running: boolean;
  /** Data nodes: wsrep_cluster_size, wsrep_cluster_status, wsrep_local_state_comment, …; HAProxy: each node UP/DOWN. */
  details: Record<string, string>;
}

export async function status(): Promise<MemberStatus[]> {
  const state = readState();
  const result: MemberStatus[] = [];
  for (const name of MEMBER_ORDER) {
    const member = state?.members[name];
    const running = isRunning(member);
    let details: Record<string, string> = {};
    if (running && (name === 'node1' || name === 'node2')) {
      details = (await nodeStatus(dataNode(name).port)) ?? { answer: 'none' };
    } else if (running && name === 'haproxy') {
      details = await haproxyBackends();
    }
    result.push({ name, pid: member?.pid, running, details });
  }
  return result;
}

/** Each node as HAProxy sees it (UP, DOWN, …), from its statistics page. */
async function haproxyBackends(): Promise<Record<string, string>> {
  try {
    const csv = await (await fetch(`http://127.0.0.1:${HAPROXY_STATS_PORT}/;csv`)).text();
    const rows = csv.split('\n').map((line) => line.split(','));
    return Object.fromEntries(
      rows
        .filter((row) => row[0] === 'galera' && row[1].startsWith('node'))
        .map((row) => [row[1], row[17]]),
    );
  } catch {
    return { answer: 'none' };
  }
}

/** A crash: SIGKILL, no clean shutdown. */
export async function crashNode(name: string): Promise<void> {
  const state = requireState();
  await signalMember(state.members[dataNode(name).name], 'SIGKILL');
}

/** Starts a stopped data node again; it rejoins (IST from the gcache, else a full SST) and syncs. */
export async function restartNode(name: string): Promise<void> {
  const state = requireState();
  const node = dataNode(name);
  if (isRunning(state.members[node.name])) return;
  startNode(state, node, false);
  const synced = () => isSynced(node);
  await waitFor(`${node.name} rejoined and Synced`, synced, 120000, state.members[node.name]);
}

function requireState(): ClusterState {
  const state = readState();
  if (!state) throw new Error('the cluster is not up (npm run cluster -- up)');
  return state;
}

/** Whether a port answers (for tests waiting on HAProxy). */
export { accepts };
