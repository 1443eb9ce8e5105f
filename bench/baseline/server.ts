/**
 * The benchmark's yardstick: the two hot routes written by hand on bare Fastify, doing the
 * same work as the service (same tables and SQL, same mariadb driver and pool size, same
 * AES-256-GCM sealing, HS256 JWTs, keep-alive HTTP towards WeChat) without Nest, Prisma,
 * passport, class-validator or per-request logging. Not a product: errors are minimal.
 *
 * Environment: PORT, HOST, DATABASE_URL, WECHAT_APP_ID, WECHAT_APP_SECRET,
 * WECHAT_API_BASE_URL, JWT_SECRET, SESSION_KEY_SECRET (64 hex), DB_POOL_SIZE (10).
 */
import Fastify, { FastifyReply } from 'fastify';
import { createCipheriv, createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { Agent, get } from 'node:http';
import { createPool } from 'mariadb';
import { connectionSettings } from '../../src/prisma/database-url';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const appId = env('WECHAT_APP_ID');
const appSecret = env('WECHAT_APP_SECRET');
const wechatUrl = env('WECHAT_API_BASE_URL');
const jwtKey = Buffer.from(env('JWT_SECRET'), 'utf8');
const sealKey = Buffer.from(env('SESSION_KEY_SECRET'), 'hex');
const sealKid = createHash('sha256').update(sealKey).digest('hex').slice(0, 8);
const ACCESS_TTL = 7200;
const REFRESH_TTL = 2592000;

const pool = createPool({
  ...connectionSettings(env('DATABASE_URL')),
  connectionLimit: Number(process.env.DB_POOL_SIZE ?? 10),
  timezone: 'Z',
});
const wechatAgent = new Agent({ keepAlive: true, maxSockets: 64 });

interface UserRow {
  id: bigint;
  openid: string;
  unionid: string | null;
  nickname: string | null;
  avatar_url: string | null;
  gender: number;
  phone: string | null;
  status: 'active' | 'disabled';
  created_at: Date;
  last_login_at: Date | null;
  last_login_ip: string | null;
  login_count: number;
}

const userView = (u: UserRow) => ({
  id: Number(u.id),
  openid: u.openid,
  unionid: u.unionid,
  nickname: u.nickname,
  avatarUrl: u.avatar_url,
  gender: u.gender,
  phone: u.phone,
  status: u.status,
  createdAt: u.created_at.toISOString(),
  lastLoginAt: u.last_login_at?.toISOString() ?? null,
  lastLoginIp: u.last_login_ip,
  loginCount: u.login_count,
});

function code2Session(code: string): Promise<Record<string, unknown>> {
  const query = new URLSearchParams({
    appid: appId,
    secret: appSecret,
    js_code: code,
    grant_type: 'authorization_code',
  });
  return new Promise((resolve, reject) => {
    const request = get(
      `${wechatUrl}/sns/jscode2session?${query.toString()}`,
      { agent: wechatAgent },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text) as Record<string, unknown>);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    request.setTimeout(5000, () => request.destroy(new Error('WeChat timeout')));
    request.on('error', reject);
  });
}

function seal(sessionKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
  const ciphertext = Buffer.concat([cipher.update(sessionKey, 'utf8'), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url')).join('.');
}

const JWT_HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const hmac = (data: string): Buffer => createHmac('sha256', jwtKey).update(data).digest();

function signJwt(sub: string, sid: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(JSON.stringify({ sub, sid, iat, exp: iat + ACCESS_TTL }));
  const unsigned = `${JWT_HEADER}.${payload.toString('base64url')}`;
  return `${unsigned}.${hmac(unsigned).toString('base64url')}`;
}

function verifyJwt(header: string | undefined): { sub: string; sid: string } | undefined {
  const parts = header?.startsWith('Bearer ') ? header.slice(7).split('.') : [];
  if (parts.length !== 3) return undefined;
  try {
    const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as { alg?: string };
    const signature = Buffer.from(parts[2], 'base64url');
    const expected = hmac(`${parts[0]}.${parts[1]}`);
    if (head.alg !== 'HS256' || signature.length !== expected.length) return undefined;
    if (!timingSafeEqual(signature, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as {
      sub?: unknown;
      sid?: unknown;
      exp?: number;
    };
    if (typeof claims.sub !== 'string' || !/^\d{1,20}$/.test(claims.sub)) return undefined;
    if (typeof claims.sid !== 'string' || !(Number(claims.exp) > Date.now() / 1000))
      return undefined;
    return { sub: claims.sub, sid: claims.sid };
  } catch {
    return undefined;
  }
}

const fail = (reply: FastifyReply, statusCode: number, code: string) =>
  reply.status(statusCode).send({ statusCode, code, message: code, requestId: reply.request.id });

const LOGIN_FIELDS = new Set(['code', 'userInfo', 'rawData', 'signature']);
const UPSERT = `INSERT INTO wx_user (app_id, openid, unionid, session_key_cipher, session_key_kid,
    session_key_updated_at, nickname, avatar_url, gender, login_count, last_login_at,
    last_login_ip, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
  ON DUPLICATE KEY UPDATE unionid = COALESCE(?, unionid), session_key_cipher = ?,
    session_key_kid = ?, session_key_updated_at = ?, nickname = COALESCE(?, nickname),
    avatar_url = COALESCE(?, avatar_url), gender = COALESCE(?, gender),
    login_count = login_count + 1, last_login_at = ?, last_login_ip = ?, updated_at = ?`;

const app = Fastify({ logger: false, genReqId: () => randomUUID() });
app.addHook('onRequest', (request, reply, done) => {
  void reply.header('x-request-id', request.id);
  done();
});

app.get('/health', () => ({ status: 'ok' }));

app.post('/auth/wechat/login', async (request, reply) => {
  const body = request.body as Record<string, unknown> | null;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return fail(reply, 400, 'VALIDATION_FAILED');
  const code = body.code;
  if (
    typeof code !== 'string' ||
    !/^[\x21-\x7e]{1,128}$/.test(code) ||
    Object.keys(body).some((k) => !LOGIN_FIELDS.has(k))
  ) {
    return fail(reply, 400, 'VALIDATION_FAILED');
  }
  const wx = await code2Session(code);
  if (typeof wx.openid !== 'string' || typeof wx.session_key !== 'string') {
    return fail(reply, 401, 'WECHAT_CODE_INVALID');
  }
  const openid = wx.openid;
  const unionid = typeof wx.unionid === 'string' ? wx.unionid : null;
  const cipher = seal(wx.session_key);
  const now = new Date();
  const ip = request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
  const upsert = await pool.query<{ affectedRows: number }>(UPSERT, [
    appId,
    openid,
    unionid,
    cipher,
    sealKid,
    now,
    null,
    null,
    0,
    now,
    ip,
    now,
    now,
    unionid,
    cipher,
    sealKid,
    now,
    null,
    null,
    null,
    now,
    ip,
    now,
  ]);
  const isNewUser = upsert.affectedRows === 1;
  const [user] = await pool.query<UserRow[]>(
    'SELECT * FROM wx_user WHERE app_id = ? AND openid = ?',
    [appId, openid],
  );
  const userAgent = request.headers['user-agent']?.slice(0, 512) ?? null;
  await pool.query(
    'INSERT INTO login_log (user_id, at, ip, user_agent, is_new_user) VALUES (?, ?, ?, ?, ?)',
    [user.id, now, ip, userAgent, isNewUser],
  );
  if (user.status === 'disabled') return fail(reply, 403, 'USER_DISABLED');
  const sessionId = randomUUID();
  const refreshToken = randomBytes(32).toString('base64url');
  const refreshHash = createHash('sha256').update(refreshToken).digest('hex');
  const expiresAt = new Date(now.getTime() + REFRESH_TTL * 1000);
  await pool.query(
    'INSERT INTO auth_session (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    [sessionId, user.id, now, expiresAt],
  );
  await pool.query(
    'INSERT INTO refresh_token (session_id, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?)',
    [sessionId, refreshHash, expiresAt, now],
  );
  return {
    accessToken: signJwt(user.id.toString(), sessionId),
    tokenType: 'Bearer',
    expiresIn: ACCESS_TTL,
    refreshToken,
    refreshExpiresIn: REFRESH_TTL,
    isNewUser,
    user: userView(user),
  };
});

app.get('/users/me', async (request, reply) => {
  const claims = verifyJwt(request.headers.authorization);
  if (!claims) return fail(reply, 401, 'UNAUTHORIZED');
  const userId = BigInt(claims.sub);
  // Both reads at once, as the service's guard does.
  const [[session], [user]] = await Promise.all([
    pool.query<Array<{ user_id: bigint; revoked_at: Date | null; expires_at: Date }>>(
      'SELECT user_id, revoked_at, expires_at FROM auth_session WHERE id = ?',
      [claims.sid],
    ),
    pool.query<UserRow[]>('SELECT * FROM wx_user WHERE id = ?', [userId]),
  ]);
  if (
    !session ||
    session.user_id !== userId ||
    session.revoked_at ||
    session.expires_at <= new Date()
  ) {
    return fail(reply, 401, 'SESSION_REVOKED');
  }
  if (!user) return fail(reply, 401, 'SESSION_REVOKED');
  if (user.status === 'disabled') return fail(reply, 403, 'USER_DISABLED');
  return userView(user);
});

app.listen({ port: Number(process.env.PORT ?? 3100), host: process.env.HOST ?? '127.0.0.1' }).then(
  (url) => console.log(`baseline listening on ${url}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
