/*
 * The configuration each member starts from: the settings a Galera node needs to run the
 * service correctly, and failure detection tuned for one machine (see docs/scaling.md).
 */
import {
  CHECK_USER,
  CLUSTER_ADDRESS,
  CLUSTER_NAME,
  DATA_NODES,
  DataNode,
  HAPROXY_PORT,
  HAPROXY_STATS_PORT,
  memberFiles,
} from './topology';

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';

/**
 * Failure detection: a member silent for 2 s is suspected and, once the others agree, evicted;
 * the defaults (5 s / 15 s) suit a network, not a loopback. Until the eviction the survivor's
 * commits wait, which is the window a killed node costs the service.
 */
export const PROVIDER_TIMEOUTS =
  'evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S';

/** A data node's my.cnf; read with --defaults-file, so nothing of the machine's own server leaks in. */
export function nodeConfig(root: string, node: DataNode, user: string | undefined): string {
  const files = memberFiles(root, node.name);
  const provider = [
    `gmcast.listen_addr=tcp://127.0.0.1:${node.gcommPort}`,
    `ist.recv_addr=127.0.0.1:${node.istPort}`,
    'gcache.size=64M',
    PROVIDER_TIMEOUTS,
  ].join(';');
  return `[mariadbd]
${user ? `user=${user}\n` : ''}datadir=${files.data}
socket=${files.socket}
pid-file=${files.dir}/${node.name}.pid
log-error=${files.log}
port=${node.port}
bind-address=127.0.0.1
# Small: two nodes share a small machine with the service and its tests.
innodb_buffer_pool_size=64M
innodb_log_file_size=32M
performance_schema=OFF
max_connections=200
# What Galera requires: row-based replication, InnoDB, interleaved auto-increment locks.
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
# Galera's durability is the group: a commit is on every node's queue before it returns.
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider=${GALERA_PROVIDER}
wsrep_cluster_name=${CLUSTER_NAME}
wsrep_cluster_address=${CLUSTER_ADDRESS}
wsrep_node_name=${node.name}
wsrep_node_address=127.0.0.1:${node.gcommPort}
wsrep_node_incoming_address=127.0.0.1:${node.port}
wsrep_provider_options="${provider}"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${node.sstPort}
wsrep_slave_threads=2
# An autocommit statement that loses certification to a concurrent write on the other node is
# run again by the server (default 1); the service retries whole transactions itself.
wsrep_retry_autocommit=4
`;
}

/**
 * HAProxy in TCP mode: connections alternate between the nodes; a node that stops answering
 * the MySQL handshake is out within a second and its open connections are cut, so clients
 * reconnect to the survivor instead of waiting on a dead socket.
 */
export function haproxyConfig(): string {
  const servers = DATA_NODES.map(
    (node) =>
      `    server ${node.name} 127.0.0.1:${node.port} check inter 500 fall 2 rise 2 on-marked-down shutdown-sessions`,
  ).join('\n');
  return `global
    maxconn 512

defaults
    mode tcp
    timeout connect 1s
    timeout client 1h
    timeout server 1h
    retries 2
    option redispatch

listen galera
    bind 127.0.0.1:${HAPROXY_PORT}
    balance roundrobin
    option mysql-check user ${CHECK_USER} post-41
${servers}

listen stats
    bind 127.0.0.1:${HAPROXY_STATS_PORT}
    mode http
    stats enable
    stats uri /
`;
}
