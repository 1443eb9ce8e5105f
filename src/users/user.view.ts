import type { WxUser } from '../generated/prisma/client';

/** The `user` object of the contract. Never carries the session key. */
export interface UserView {
  id: number;
  openid: string;
  unionid: string | null;
  nickname: string | null;
  avatarUrl: string | null;
  gender: number;
  phone: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  lastLoginAt: string | null;
  lastLoginIp: string | null;
  loginCount: number;
}

export function toUserView(user: WxUser): UserView {
  return {
    id: Number(user.id),
    openid: user.openid,
    unionid: user.unionid,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    gender: user.gender,
    phone: user.phone,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    lastLoginIp: user.lastLoginIp,
    loginCount: user.loginCount,
  };
}
