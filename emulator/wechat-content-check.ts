/**
 * WeChat's content check, `POST /wxa/msg_sec_check` (version 2). Every text passes unless a
 * content rule set through the control API matches it.
 */
import { WECHAT_JSON_CONTENT_TYPE, parseJsonObject } from './http';
import type { JsonObject, WechatRoute } from './http';
import { newTraceId } from './identifiers';
import type { ContentRule, EmulatorState } from './state';

const PASS_LABEL = 100;
/** Scenes of version 2: 1 profile, 2 comment, 3 forum, 4 social log. */
const SCENES = [1, 2, 3, 4];

export function contentCheckRoutes(state: EmulatorState): Array<[string, WechatRoute]> {
  return [
    [
      '/wxa/msg_sec_check',
      {
        method: 'POST',
        contentType: WECHAT_JSON_CONTENT_TYPE,
        handle: (q, body) => checkContent(state, q, body),
      },
    ],
  ];
}

function checkContent(state: EmulatorState, query: URLSearchParams, rawBody: string): JsonObject {
  const auth = state.authenticateMiniProgram(query);
  if ('error' in auth) return auth.error;
  const body = parseJsonObject(rawBody);
  if (body === null) return state.error(47001);
  const { content, openid, version, scene } = body;
  if (version !== 2) return state.error(40097);
  if (typeof scene !== 'number' || !SCENES.includes(scene)) return state.error(40097);
  if (content !== undefined && typeof content !== 'string') return state.error(47001);
  if (content === undefined || content === '') return state.error(44004);
  if (openid === undefined || openid === '') return state.error(41009);
  if (typeof openid !== 'string' || !auth.app.users.has(openid)) return state.error(40003);

  const rule = strictestMatch(state.contentRules, content);
  const result = rule === undefined ? { suggest: 'pass', label: PASS_LABEL } : rule;
  const detail: JsonObject[] = [
    {
      strategy: 'content_model',
      errcode: 0,
      suggest: result.suggest,
      label: result.label,
      prob: 90,
    },
  ];
  if (rule !== undefined) {
    detail.push({
      strategy: 'keyword',
      errcode: 0,
      suggest: rule.suggest,
      label: rule.label,
      level: 20,
      keyword: rule.contains,
    });
  }
  return {
    errcode: 0,
    errmsg: 'ok',
    result: { suggest: result.suggest, label: result.label },
    detail,
    trace_id: newTraceId(),
  };
}

/** A risky match beats a review one; among equals the rule added first wins. */
function strictestMatch(rules: readonly ContentRule[], content: string): ContentRule | undefined {
  let found: ContentRule | undefined;
  for (const rule of rules) {
    if (!content.includes(rule.contains)) continue;
    if (rule.suggest === 'risky') return rule;
    found ??= rule;
  }
  return found;
}
