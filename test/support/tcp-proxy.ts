import { createServer, Server, Socket, connect } from 'node:net';

/**
 * A loopback TCP proxy in front of MariaDB, so a test can take "the database" away from one
 * service and give it back without touching the shared server.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private mode: 'up' | 'cut' | 'silent' = 'up';
  private readonly silenced = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.mode === 'cut') {
        client.destroy();
        return;
      }
      if (this.mode === 'silent') {
        // Accepted, never answered: like a host that froze.
        this.silenced.add(client);
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Like a stopped database: open connections are reset, new ones refused at once. */
  cut(): void {
    this.mode = 'cut';
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * Like a frozen host or a network partition: open connections stay open but nothing more
   * crosses them, and new ones are accepted and never answered.
   */
  silence(): void {
    this.mode = 'silent';
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
      this.silenced.add(socket);
    }
  }

  /** Back to normal; connections held during a silence are reset, as when a partition heals. */
  restore(): void {
    this.mode = 'up';
    for (const socket of this.silenced) socket.destroy();
    this.silenced.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    for (const socket of this.silenced) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
