/**
 * The floor of the stack the user fixed: the bare baseline's two paths, with its data model and
 * its SQL (prepared), written as a NestJS 11 app on Fastify, with no request log, security
 * headers, metrics, exception filter or rate limit. Run as the bench's service
 * (`BENCH_SERVICE_ENTRY=dist/bench/floor.js BENCH_ALGORITHMS=HS256 npm run bench`) it says how
 * close to the bare baseline any service built on this stack can get on this machine;
 * bench/README.md, "The floor of the fixed stack".
 *
 * FLOOR_LAYERS (comma-separated, default all; `none` for Nest and Fastify alone) adds the fixed
 * parts one by one, each used as the service uses it:
 * - passport: GET /users/me behind AuthGuard('jwt') (@nestjs/passport), jsonwebtoken verify;
 * - validation: a global ValidationPipe (whitelist, forbidNonWhitelisted, transform) and a
 *   class-validator DTO for the login body;
 * - axios: the code exchange through @nestjs/axios, over the service's own transport;
 * - jwt: the access token signed by @nestjs/jwt.
 * Without a layer, the baseline's own code does that part (node:http, node:crypto, a RegExp).
 * Secrets are KeyObjects, as in the service (a string secret costs jsonwebtoken ~400 µs).
 */
process.env.TZ = 'UTC';
import 'reflect-metadata';
import { HttpModule, HttpService } from '@nestjs/axios';
import {
  Body,
  Controller,
  ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsString, Matches } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { verify } from 'jsonwebtoken';
import { createPool } from 'mariadb';
import {
  createCipheriv,
  createHash,
  createHmac,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { Agent, get } from 'node:http';
import { firstValueFrom } from 'rxjs';
import { BearerTokenStrategy } from '../src/auth/bearer-token.strategy';
import { connectionSettings } from '../src/prisma/database-url';
import { wechatHttpAdapter } from '../src/wechat/wechat-http.adapter';

const LAYERS = ['passport', 'validation', 'axios', 'jwt'] as const;
const chosen = (process.env.FLOOR_LAYERS ?? LAYERS.join(',')).split(',');
const unknown = chosen.filter(
  (name) => name !== 'none' && !(LAYERS as readonly string[]).includes(name),
);
if (unknown.length)
  throw new Error(`FLOOR_LAYERS: unknown ${unknown.join(', ')} (${LAYERS.join(', ')} or none)`);
/** Settled at start, so that the requests measured do no work to tell. */
const uses = {
  passport: chosen.includes('passport'),
  validation: chosen.includes('validation'),
  axios: chosen.includes('axios'),
  jwt: chosen.includes('jwt'),
} satisfies Record<(typeof LAYERS)[number], boolean>;

const need = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const WECHAT = new URL(need('WECHAT_API_BASE_URL'));
const APP_ID = need('WECHAT_APP_ID');
const APP_SECRET = need('WECHAT_APP_SECRET');
const JWT_KEY = createSecretKey(Buffer.from(need('JWT_SECRET'), 'utf8'));
const SESSION_KEY_KEY = createHash('sha256').update(need('SESSION_KEY_SECRET')).digest();
const ACCESS_TTL = 7200;
const CODE = /^[\x21-\x7e]{1,128}$/;

const pool = createPool({ ...connectionSettings(need('DATABASE_URL')), connectionLimit: 10 });

interface UserRow {
  id: bigint;
  openid: string;
  unionid: string | null;
  nickname: string | null;
  avatar_url: string | null;
  gender: number | null;
  phone: string | null;
  status: string;
  created_at: Date;
  last_login_at: Date;
  last_login_ip: string;
  login_count: number;
}
type CallerRow = UserRow & { revoked_at: Date | null; user_id: bigint };
interface WriteResult {
  insertId: bigint;
  affectedRows: number;
}
interface Code2Session {
  openid?: string;
  unionid?: string;
  session_key?: string;
  errcode?: number;
}
interface Claims {
  sub: string;
  sid: string;
  exp: number;
}

const userJson = (u: UserRow) => ({
  id: Number(u.id),
  openid: u.openid,
  unionid: u.unionid,
  nickname: u.nickname,
  avatarUrl: u.avatar_url,
  gender: u.gender,
  phone: u.phone,
  status: u.status,
  createdAt: u.created_at,
  lastLoginAt: u.last_login_at,
  lastLoginIp: u.last_login_ip,
  loginCount: u.login_count,
});

/* Without the jwt and passport layers: the baseline's HS256, by hand. */
const JWT_HEAD = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const hmac = (data: string) => createHmac('sha256', JWT_KEY).update(data).digest('base64url');
function signByHand(claims: { sub: string; sid: string }): string {
  const iat = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(JSON.stringify({ ...claims, iat, exp: iat + ACCESS_TTL }));
  const body = `${JWT_HEAD}.${payload.toString('base64url')}`;
  return `${body}.${hmac(body)}`;
}
function verifyByHand(token: string): Claims | null {
  const [head, payload, signature] = token.split('.');
  if (head !== JWT_HEAD || !payload || !signature) return null;
  const expected = Buffer.from(hmac(`${head}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  return claims.exp > Date.now() / 1000 ? claims : null;
}

/* Without the axios layer: the baseline's code exchange over node:http. */
const wechatAgent = new Agent({ keepAlive: true, maxSockets: 256 });
function code2SessionByHand(query: URLSearchParams): Promise<Code2Session> {
  return new Promise((resolve, reject) => {
    const request = get(
      {
        host: WECHAT.hostname,
        port: WECHAT.port,
        path: `/sns/jscode2session?${query.toString()}`,
        agent: wechatAgent,
        timeout: 5000,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse(text) as Code2Session);
          } catch {
            reject(new Error('WeChat answered non-JSON'));
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('WeChat timeout')));
    request.on('error', reject);
  });
}

/** The session and user of a valid token, or UnauthorizedException. */
async function caller(claims: Claims | null): Promise<CallerRow> {
  if (!claims) throw new UnauthorizedException();
  const [row] = await pool.execute<CallerRow[]>(
    'SELECT s.revoked_at, s.user_id, u.* FROM bl_session s JOIN bl_user u ON u.id = s.user_id WHERE s.id = ?',
    [claims.sid],
  );
  if (!row || String(row.user_id) !== claims.sub || row.revoked_at) {
    throw new UnauthorizedException();
  }
  return row;
}

/** The service's own bearer strategy, with the baseline's check behind it. */
@Injectable()
class FloorJwtStrategy extends PassportStrategy(BearerTokenStrategy, 'jwt') {
  validate(token: string): Promise<CallerRow> {
    let claims: Claims | null = null;
    try {
      claims = verify(token, JWT_KEY, { algorithms: ['HS256'] }) as Claims;
    } catch {
      // refused below, as an invalid token is by hand
    }
    return caller(claims);
  }
}

@Injectable()
class FloorGuard extends AuthGuard('jwt') {
  override canActivate(context: ExecutionContext) {
    return uses.passport ? super.canActivate(context) : true;
  }
}

class LoginBody {
  @IsString()
  @Matches(CODE)
  code!: string;
}

@Injectable()
class FloorLogin {
  constructor(
    private readonly http: HttpService,
    private readonly jwt: JwtService,
  ) {}

  async login(code: string, ip: string, userAgent: string) {
    const query = new URLSearchParams({
      appid: APP_ID,
      secret: APP_SECRET,
      js_code: code,
      grant_type: 'authorization_code',
    });
    const wx = uses.axios
      ? (
          await firstValueFrom(
            this.http.get<Code2Session>(`/sns/jscode2session?${query.toString()}`),
          )
        ).data
      : await code2SessionByHand(query);
    if (wx.errcode || !wx.openid || !wx.session_key) throw new UnauthorizedException();
    const upsert = await pool.execute<WriteResult>(
      `INSERT INTO bl_user (openid, unionid, created_at, last_login_at, last_login_ip, login_count)
       VALUES (?, ?, NOW(3), NOW(3), ?, 1)
       ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id), last_login_at = VALUES(last_login_at),
         last_login_ip = VALUES(last_login_ip), login_count = login_count + 1,
         unionid = COALESCE(VALUES(unionid), unionid)`,
      [wx.openid, wx.unionid ?? null, ip],
    );
    const userId = upsert.insertId;
    const isNewUser = upsert.affectedRows === 1;
    const refreshToken = randomBytes(32).toString('base64url');
    const [[user], session] = await Promise.all([
      pool.execute<UserRow[]>('SELECT * FROM bl_user WHERE id = ?', [userId]),
      pool.execute<WriteResult>(
        'INSERT INTO bl_session (user_id, session_key_enc, refresh_hash, created_at) VALUES (?, ?, ?, NOW(3))',
        [
          userId,
          sealSessionKey(wx.session_key),
          createHash('sha256').update(refreshToken).digest(),
        ],
      ),
      pool.execute(
        'INSERT INTO bl_login (user_id, at, ip, user_agent, is_new_user) VALUES (?, NOW(3), ?, ?, ?)',
        [userId, ip, userAgent.slice(0, 512), isNewUser ? 1 : 0],
      ),
    ]);
    const claims = { sub: String(user.id), sid: String(session.insertId) };
    return {
      accessToken: uses.jwt ? this.jwt.sign(claims) : signByHand(claims),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TTL,
      refreshToken,
      isNewUser,
      user: userJson(user),
    };
  }
}

function sealSessionKey(sessionKey: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', SESSION_KEY_KEY, iv);
  const sealed = Buffer.concat([cipher.update(Buffer.from(sessionKey, 'base64')), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
}

@Controller()
class FloorController {
  constructor(private readonly logins: FloorLogin) {}

  @Post('auth/wechat/login')
  @HttpCode(200)
  login(@Body() body: LoginBody, @Req() request: FastifyRequest) {
    if (!uses.validation && (typeof body?.code !== 'string' || !CODE.test(body.code))) {
      throw new UnauthorizedException();
    }
    return this.logins.login(body.code, request.ip, request.headers['user-agent'] ?? '');
  }

  @Get('users/me')
  @UseGuards(FloorGuard)
  async me(@Req() request: FastifyRequest & { user?: CallerRow }) {
    if (uses.passport) return userJson(request.user!);
    const header = request.headers.authorization ?? '';
    return userJson(
      await caller(header.startsWith('Bearer ') ? verifyByHand(header.slice(7)) : null),
    );
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}

@Module({
  imports: [
    HttpModule.register({
      baseURL: WECHAT.href,
      timeout: 5000,
      httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }),
      maxRedirects: 0,
      adapter: wechatHttpAdapter,
    }),
    JwtModule.register({
      secret: JWT_KEY,
      signOptions: { algorithm: 'HS256', expiresIn: ACCESS_TTL },
    }),
  ],
  controllers: [FloorController],
  providers: [FloorLogin, FloorJwtStrategy],
})
class FloorModule {}

async function main(): Promise<void> {
  for (const table of TABLES) await pool.query(table);
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, new FastifyAdapter(), {
    logger: ['error'],
  });
  if (uses.validation) {
    app.useGlobalPipes(
      new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    );
  }
  await app.listen({ port: Number(need('PORT')), host: process.env.HOST ?? '127.0.0.1' });
}

/** The baseline's tables (bench/baseline.mjs), in the service's database. */
const TABLES = [
  `CREATE TABLE IF NOT EXISTS bl_user (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    openid VARCHAR(64) NOT NULL UNIQUE, unionid VARCHAR(64) NULL, nickname VARCHAR(64) NULL,
    avatar_url VARCHAR(512) NULL, gender TINYINT NULL, phone VARCHAR(32) NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'active', created_at DATETIME(3) NOT NULL,
    last_login_at DATETIME(3) NOT NULL, last_login_ip VARCHAR(45) NOT NULL,
    login_count INT NOT NULL DEFAULT 1) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  `CREATE TABLE IF NOT EXISTS bl_session (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL, session_key_enc VARBINARY(64) NOT NULL,
    refresh_hash BINARY(32) NOT NULL UNIQUE, created_at DATETIME(3) NOT NULL,
    revoked_at DATETIME(3) NULL, KEY (user_id))`,
  `CREATE TABLE IF NOT EXISTS bl_login (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
    user_id BIGINT UNSIGNED NOT NULL, at DATETIME(3) NOT NULL, ip VARCHAR(45) NOT NULL,
    user_agent VARCHAR(512) NULL, is_new_user TINYINT NOT NULL, KEY (user_id, id))
    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
];

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
