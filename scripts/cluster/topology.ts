/*
 * The local Galera cluster of `npm run cluster`: two MariaDB data nodes, the garbd arbitrator
 * (a third vote, so one data node may die without the survivor losing quorum) and HAProxy in
 * front. Every port is on 127.0.0.1 and clear of the machine's own MariaDB on 3306.
 */
import { join } from 'node:path';

export const CLUSTER_NAME = 'wxauth-local';
export const HAPROXY_PORT = 3310;
/** HAProxy's statistics page (HTTP): which node is up, how many connections each holds. */
export const HAPROXY_STATS_PORT = 3311;
/** A user with no privileges at all: HAProxy's `mysql-check` only logs in with it. */
export const CHECK_USER = 'haproxy_check';

export interface DataNode {
  name: 'node1' | 'node2';
  /** Where clients connect (MySQL protocol). */
  port: number;
  /** Group communication (gcomm). */
  gcommPort: number;
  /** Incremental state transfer: a rejoining node receives the write-sets it missed here. */
  istPort: number;
  /** Full state transfer (rsync) into a node that has nothing usable. */
  sstPort: number;
}

export const DATA_NODES: readonly DataNode[] = [
  { name: 'node1', port: 3307, gcommPort: 4567, istPort: 4568, sstPort: 4444 },
  { name: 'node2', port: 3308, gcommPort: 4577, istPort: 4578, sstPort: 4454 },
];
export const GARBD_GCOMM_PORT = 4587;

export type MemberName = DataNode['name'] | 'garbd' | 'haproxy';

/** Every member's gcomm address: where a starting node or garbd looks for the group. */
export const CLUSTER_ADDRESS = `gcomm://${DATA_NODES.map((n) => `127.0.0.1:${n.gcommPort}`).join(',')}`;

export function dataNode(name: string): DataNode {
  const node = DATA_NODES.find((each) => each.name === name);
  if (!node)
    throw new Error(`no data node named ${name} (${DATA_NODES.map((n) => n.name).join(', ')})`);
  return node;
}

/** A server URL (no database) for a node, or for HAProxy. */
export function serverUrl(port: number): string {
  return `mysql://root@127.0.0.1:${port}`;
}

/** Files of one member under the cluster's temporary directory. */
export function memberFiles(root: string, name: MemberName) {
  return {
    dir: join(root, name),
    data: join(root, name, 'data'),
    config: join(root, name, `${name}.cnf`),
    socket: join(root, name, `${name}.sock`),
    log: join(root, name, `${name}.log`),
  };
}
