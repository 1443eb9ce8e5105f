import type { PrismaMariaDb } from '@prisma/adapter-mariadb';

type Connected = ReturnType<PrismaMariaDb['connect']>;

/**
 * Prisma's adapter factory, connected at most once and then handed out as it is. Connecting
 * reads the server's version (which SQL features Prisma may use) with a statement on the
 * pool; done at start, while the database is known to answer, Prisma's first query later
 * waits for nothing but itself. Connected on that first query instead, during a database
 * outage, the version read would wait out the pool's acquire timeout before the query waited
 * out its own: 8 s instead of the contract's 5.
 */
export class ConnectOnceAdapter {
  readonly provider: PrismaMariaDb['provider'];
  readonly adapterName: string;
  private connection: Connected | undefined;

  constructor(private readonly factory: PrismaMariaDb) {
    this.provider = factory.provider;
    this.adapterName = factory.adapterName;
  }

  connect(): Connected {
    return (this.connection ??= this.factory.connect());
  }
}
