import { Inject, Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import type { WxUser } from '../generated/prisma/client';
import { DATABASE_POOL, DatabasePool } from '../prisma/database-pool';
import { PrismaService } from '../prisma/prisma.service';
import { decryptWechatData, EncryptedWechatData } from '../wechat/wechat-data-cipher';
import { toLoginView, type LoginView } from './login.view';
import { SessionKeyCipher } from './session-key.cipher';

export interface Profile {
  nickname?: string;
  avatarUrl?: string;
  gender?: number;
}

export interface StoredPhone {
  /** As WeChat gives it: bare for mainland numbers, `+<country><number>` otherwise. */
  phoneNumber: string;
  countryCode: string;
}

export interface LoginRecord {
  openid: string;
  unionid?: string;
  sessionKey: string;
  profile?: Profile;
  ip: string;
  userAgent?: string;
}

/*
 * The login and every bearer request run the statements below. They go to the mariadb pool
 * that Prisma's adapter also uses, as plain SQL: measured with `npm run bench`, Prisma 7's
 * query compiler costs about 0.5 ms of CPU per query, which alone halved the throughput of
 * these two paths. Everything else uses the Prisma client.
 */
const WX_USER_COLUMNS = `id, app_id AS appId, openid, unionid, session_key_cipher AS sessionKeyCipher,
  session_key_kid AS sessionKeyKid, session_key_updated_at AS sessionKeyUpdatedAt, nickname,
  avatar_url AS avatarUrl, gender, phone, phone_country_code AS phoneCountryCode, status,
  login_count AS loginCount, last_login_at AS lastLoginAt, last_login_ip AS lastLoginIp,
  created_at AS createdAt, updated_at AS updatedAt`;

const UPSERT_LOGIN = `INSERT INTO wx_user (app_id, openid, unionid, session_key_cipher, session_key_kid,
    session_key_updated_at, nickname, avatar_url, gender, login_count, last_login_at,
    last_login_ip, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
  ON DUPLICATE KEY UPDATE
    unionid = COALESCE(?, unionid),
    session_key_cipher = ?,
    session_key_kid = ?,
    session_key_updated_at = ?,
    nickname = COALESCE(?, nickname),
    avatar_url = COALESCE(?, avatar_url),
    gender = COALESCE(?, gender),
    login_count = login_count + 1,
    last_login_at = ?,
    last_login_ip = ?,
    updated_at = ?`;

/** InnoDB may pick concurrent upserts of one key as deadlock victims (the mariadb driver's codes); the statement is safe to repeat. */
async function retryOnDeadlock<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT')) {
        throw error;
      }
    }
  }
}

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(DATABASE_POOL) private readonly pool: DatabasePool,
    private readonly cipher: SessionKeyCipher,
    private readonly config: AppConfig,
  ) {}

  /**
   * Creates or updates the user of a WeChat login and writes the login log.
   *
   * One INSERT … ON DUPLICATE KEY UPDATE decides atomically whether the row is new, so
   * concurrent first logins of one openid create exactly one row and all succeed
   * (Prisma's upsert on MySQL is a read then a write, and races into P2002). MySQL
   * reports 1 affected row for an insert and 2 for an update; login_count always
   * changes, so an update is never reported as 0 or 1.
   */
  async recordLogin(login: LoginRecord): Promise<{ user: WxUser; isNewUser: boolean }> {
    const sealed = this.cipher.seal(login.sessionKey);
    const profile = login.profile ?? {};
    const now = new Date();
    const appId = this.config.wechat.appId;
    const nickname = profile.nickname ?? null;
    const avatarUrl = profile.avatarUrl ?? null;
    const gender = profile.gender ?? null;
    const unionid = login.unionid ?? null;
    const result: { affectedRows: number } = await retryOnDeadlock(() =>
      this.pool.query(UPSERT_LOGIN, [
        ...[appId, login.openid, unionid, sealed.cipher, sealed.kid, now],
        ...[nickname, avatarUrl, gender ?? 0, now, login.ip, now, now],
        ...[
          unionid,
          sealed.cipher,
          sealed.kid,
          now,
          nickname,
          avatarUrl,
          gender,
          now,
          login.ip,
          now,
        ],
      ]),
    );
    const isNewUser = result.affectedRows === 1;
    const [user]: WxUser[] = await this.pool.query(
      `SELECT ${WX_USER_COLUMNS} FROM wx_user WHERE app_id = ? AND openid = ?`,
      [appId, login.openid],
    );
    await this.pool.query(
      'INSERT INTO login_log (user_id, at, ip, user_agent, is_new_user) VALUES (?, ?, ?, ?, ?)',
      [user.id, now, login.ip, login.userAgent?.slice(0, 512) ?? null, isNewUser],
    );
    return { user, isNewUser };
  }

  async findById(id: bigint): Promise<WxUser | null> {
    const [user]: Array<WxUser | undefined> = await this.pool.query(
      `SELECT ${WX_USER_COLUMNS} FROM wx_user WHERE id = ?`,
      [id],
    );
    return user ?? null;
  }

  /** The user of an authenticated request: must exist and be active. */
  async requireActive(id: bigint): Promise<WxUser> {
    const user = await this.findById(id);
    if (!user)
      throw new ApiException('SESSION_REVOKED', 'The session no longer exists; log in again');
    if (user.status === 'disabled')
      throw new ApiException('USER_DISABLED', 'This account has been disabled');
    return user;
  }

  /** The stored session key of a user, decrypted; undefined when there is none usable. */
  sessionKeyOf(user: WxUser): string | undefined {
    if (!user.sessionKeyCipher || !user.sessionKeyKid) return undefined;
    return this.cipher.open({ cipher: user.sessionKeyCipher, kid: user.sessionKeyKid });
  }

  /** Changes the given profile fields and answers the row as it is now. */
  async updateProfile(id: bigint, profile: Profile): Promise<WxUser> {
    const { nickname, avatarUrl, gender } = profile;
    if (nickname === undefined && avatarUrl === undefined && gender === undefined) {
      throw new ApiException(
        'VALIDATION_FAILED',
        'Send at least one of nickname, avatarUrl, gender',
      );
    }
    return this.prisma.wxUser.update({ where: { id }, data: { nickname, avatarUrl, gender } });
  }

  async setPhone(id: bigint, phone: StoredPhone): Promise<void> {
    await this.prisma.wxUser.update({
      where: { id },
      data: { phone: phone.phoneNumber, phoneCountryCode: phone.countryCode },
    });
  }

  /** Newest first; logins of the same millisecond in reverse order of insertion. */
  async recentLogins(userId: bigint, limit: number): Promise<LoginView[]> {
    const logins = await this.prisma.loginLog.findMany({
      where: { userId },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
      select: { at: true, ip: true, userAgent: true, isNewUser: true },
    });
    return logins.map(toLoginView);
  }

  /** Data the mini-program got from WeChat, decrypted with the user's stored session key. */
  decryptData(user: WxUser, input: EncryptedWechatData): Record<string, unknown> {
    const sessionKey = this.sessionKeyOf(user);
    if (sessionKey === undefined) {
      throw new ApiException(
        'WECHAT_DECRYPT_FAILED',
        'No usable WeChat session key is stored for this user; log in again with a new wx.login() code',
      );
    }
    return decryptWechatData(input, sessionKey, this.config.wechat.appId);
  }
}
