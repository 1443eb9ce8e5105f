/** Every WeChat path the emulator answers, by path. */
import type { WechatRoute } from './http';
import type { EmulatorState } from './state';
import { contentCheckRoutes } from './wechat-content-check';
import { miniProgramRoutes } from './wechat-mini-program';
import { stableTokenRoutes } from './wechat-stable-token';
import { webLoginRoutes } from './wechat-web-login';

export function wechatRoutes(state: EmulatorState): ReadonlyMap<string, WechatRoute> {
  return new Map([
    ...miniProgramRoutes(state),
    ...stableTokenRoutes(state),
    ...webLoginRoutes(state),
    ...contentCheckRoutes(state),
  ]);
}
