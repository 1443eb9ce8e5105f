import type { PoolConfig } from 'mariadb';

/**
 * Turns a mysql:// URL into mariadb driver settings (utf8mb4 on every connection).
 * Understood options: `allowPublicKeyRetrieval=true` (MySQL 8's caching_sha2_password
 * without TLS needs it) and `sslaccept=strict|accept_invalid_certs` (TLS, as Prisma spells it).
 */
export function connectionSettings(databaseUrl: string): PoolConfig & { database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const sslaccept = url.searchParams.get('sslaccept');
  return {
    allowPublicKeyRetrieval: url.searchParams.get('allowPublicKeyRetrieval') === 'true',
    ...(sslaccept && { ssl: { rejectUnauthorized: sslaccept === 'strict' } }),
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
    charset: 'utf8mb4',
    collation: 'UTF8MB4_UNICODE_CI',
  };
}
