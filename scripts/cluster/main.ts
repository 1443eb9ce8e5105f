/*
 * npm run cluster -- up | down | status | crash <node> | restart <node>
 * A local MariaDB Galera cluster on 127.0.0.1 (docs/scaling.md): node1 :3307, node2 :3308,
 * garbd, HAProxy :3310 (statistics on http://127.0.0.1:3311/). The machine's own server on
 * 3306 is never touched.
 */
import { crashNode, down, restartNode, status, up } from './control';
import { DATA_NODES, HAPROXY_PORT } from './topology';

async function printStatus(): Promise<void> {
  for (const member of await status()) {
    const details = Object.entries(member.details)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
    const pid = member.pid === undefined ? '' : ` pid ${member.pid}`;
    console.log(
      `${member.name.padEnd(8)}${member.running ? 'running' : 'stopped'}${pid} ${details}`,
    );
  }
}

async function main(command: string | undefined, argument: string | undefined): Promise<void> {
  switch (command) {
    case 'up': {
      const started = Date.now();
      await up();
      console.log(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await printStatus();
      const nodes = DATA_NODES.map((n) => `${n.name} mysql://root@127.0.0.1:${n.port}`).join(', ');
      console.log(`through HAProxy: mysql://root@127.0.0.1:${HAPROXY_PORT}/<db>; ${nodes}`);
      return;
    }
    case 'down':
      await down();
      console.log('cluster down');
      return;
    case 'status':
      return printStatus();
    case 'crash':
      await crashNode(argument ?? '');
      return printStatus();
    case 'restart':
      await restartNode(argument ?? '');
      return printStatus();
    default:
      console.error('usage: npm run cluster -- up | down | status | crash <node> | restart <node>');
      process.exitCode = 2;
  }
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
