import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ApiException } from '../common/errors/api.exception';
import type { Profile } from '../users/account';
import { WechatUserInfoDto } from './dto/wechat-login.dto';

export function profileFromUserInfo(info: WechatUserInfoDto): Profile {
  return { nickname: info.nickName, avatarUrl: info.avatarUrl, gender: info.gender };
}

/**
 * The profile inside WeChat's verified rawData. Its fields obey the same rules as userInfo;
 * fields WeChat adds that we do not store are ignored.
 */
export function profileFromRawData(rawData: string): Profile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawData);
  } catch {
    throw new ApiException('VALIDATION_FAILED', 'rawData is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiException('VALIDATION_FAILED', 'rawData must be a JSON object');
  }
  const info = plainToInstance(WechatUserInfoDto, parsed);
  const errors = validateSync(info, { whitelist: true, forbidNonWhitelisted: false });
  if (errors.length > 0) {
    throw new ApiException(
      'VALIDATION_FAILED',
      `rawData has invalid profile fields: ${errors.map((e) => e.property).join(', ')}`,
    );
  }
  return profileFromUserInfo(info);
}
