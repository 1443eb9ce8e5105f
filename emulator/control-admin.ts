/** Control routes that steer and inspect the emulator: faults, tokens, clock, content rules, stats. */
import { allowOnly, booleanField, choiceField, integerField, stringField } from './control-fields';
import { FAULT_TYPES } from './faults';
import { HttpError } from './http';
import type { ControlRoute, JsonObject } from './http';
import { CONTENT_VERDICTS, type AppState, type EmulatorState } from './state';

const MAX_DELAY_MS = 600_000;
const DEFAULT_DELAY_MS = 1000;
const INVALIDATION_ERRCODES = [40001, 40014, 42001];
/** WeChat's label "other" (21000), for a rule that names none. */
const DEFAULT_RULE_LABEL = 21000;

export function adminControlRoutes(
  state: EmulatorState,
  wechatPaths: readonly string[],
): ControlRoute[] {
  return [
    ['GET', 'health', () => ({ ok: true })],
    ['POST', 'faults', (body) => addFault(state, wechatPaths, body)],
    [
      'DELETE',
      'faults',
      () => {
        state.faults.clear();
        return { ok: true };
      },
    ],
    ['POST', 'access-token/invalidate', (body) => invalidateTokens(state, body)],
    ['POST', 'advance-clock', (body) => advanceClock(state, body)],
    ['POST', 'content-rules', (body) => addContentRule(state, body)],
    [
      'DELETE',
      'content-rules',
      () => {
        state.contentRules.length = 0;
        return { ok: true };
      },
    ],
    ['GET', 'stats', (_body, query) => stats(state, query)],
    [
      'POST',
      'reset',
      () => {
        state.reset();
        return { ok: true };
      },
    ],
  ];
}

function addFault(
  state: EmulatorState,
  wechatPaths: readonly string[],
  body: JsonObject,
): JsonObject {
  allowOnly(body, ['path', 'type', 'errcode', 'errmsg', 'times', 'always', 'delayMs']);
  const path = stringField(body, 'path');
  if (path === undefined || !wechatPaths.includes(path)) {
    throw new HttpError(400, `"path" must be one of ${wechatPaths.join(', ')}`);
  }
  const type = choiceField(body, 'type', FAULT_TYPES);
  if (type === undefined)
    throw new HttpError(400, `"type" must be one of ${FAULT_TYPES.join(', ')}`);
  const times = integerField(body, 'times', 0, Number.MAX_SAFE_INTEGER) ?? 1;
  const id = state.faults.add(path, {
    type,
    errcode: integerField(body, 'errcode', -1_000_000, 1_000_000) ?? -1,
    errmsg: stringField(body, 'errmsg', 1024),
    delayMs: integerField(body, 'delayMs', 0, MAX_DELAY_MS) ?? DEFAULT_DELAY_MS,
    // times 0, or always:true, keeps the fault until the faults are cleared.
    remaining: booleanField(body, 'always') || times === 0 ? Infinity : times,
  });
  return { id };
}

function invalidateTokens(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, ['appId', 'as']);
  const app = state.appById(stringField(body, 'appId'));
  const errcode = body['as'] ?? 42001;
  if (typeof errcode !== 'number' || !INVALIDATION_ERRCODES.includes(errcode)) {
    throw new HttpError(400, `"as" must be one of ${INVALIDATION_ERRCODES.join(', ')}`);
  }
  return { invalidated: state.revokeStableTokens(app, errcode) };
}

function advanceClock(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, ['seconds']);
  const seconds = body['seconds'];
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new HttpError(400, '"seconds" must be a number of at least 0');
  }
  state.advanceClock(seconds);
  return { now: Math.floor(state.now() / 1000) };
}

function addContentRule(state: EmulatorState, body: JsonObject): JsonObject {
  allowOnly(body, ['contains', 'suggest', 'label']);
  const contains = stringField(body, 'contains', 1024);
  const suggest = choiceField(body, 'suggest', CONTENT_VERDICTS);
  if (contains === undefined || suggest === undefined) {
    throw new HttpError(400, '"contains" and "suggest" are required');
  }
  const label = integerField(body, 'label', 1, 99_999) ?? DEFAULT_RULE_LABEL;
  state.contentRules.push({ contains, suggest, label });
  return { rules: state.contentRules.length };
}

function appStats(state: EmulatorState, app: AppState): JsonObject {
  const token = app.currentToken;
  const live = token !== null && token.revokedAs === null && token.expiresAt > state.now();
  return {
    stableTokensIssued: app.stableTokensIssued,
    currentStableToken: live ? token.token : null,
    users: app.users.size,
  };
}

/**
 * Call counts are per WeChat path over all apps. The top-level token and user fields are
 * totals over all apps, except currentStableToken, which is the default app's; with
 * ?appId=… all three are that app's. `apps` always has the per-app breakdown.
 */
function stats(state: EmulatorState, query: URLSearchParams): JsonObject {
  const apps = [...state.apps.values()];
  const perApp = Object.fromEntries(apps.map((app) => [app.appId, appStats(state, app)]));
  const selected = query.get('appId');
  const summary =
    selected === null
      ? {
          stableTokensIssued: apps.reduce((sum, app) => sum + app.stableTokensIssued, 0),
          currentStableToken: appStats(state, state.defaultApp)['currentStableToken'],
          users: apps.reduce((sum, app) => sum + app.users.size, 0),
        }
      : appStats(state, state.appById(selected));
  return { calls: Object.fromEntries(state.calls), ...summary, apps: perApp };
}
