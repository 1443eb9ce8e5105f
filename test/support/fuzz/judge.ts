import { FuzzCase } from './cases';
import { CONTRACT_STATUS, ContractCode, IDENTITY_KEYS, USER_KEYS } from './contract';
import { RawOutcome } from './raw-http';

const ERROR_KEYS = ['code', 'message', 'requestId', 'statusCode'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** What an error message must never show: stack frames, SQL, library internals. */
const INTERNALS =
  /node_modules|\n\s+at |\bat \S+ \(|prisma|mariadb|SELECT |INSERT |ER_[A-Z_]+|FST_/i;

const SUCCESS_STATUS = {
  user: 200,
  logins: 200,
  health: 200,
  logout: 204,
  jwks: 200,
  sessions: 200,
  export: 200,
  revoked: 200,
} as const;
const SESSION_KEYS = 'appId,createdAt,current,expiresAt,id,ip,refreshedAt,userAgent';

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks one answer against what the case allows. Answers undefined when it conforms, or a
 * sentence saying what is wrong.
 */
export function judge(
  c: FuzzCase,
  outcome: RawOutcome,
  users: { ids: number[] },
): string | undefined {
  if (outcome.kind === 'timeout') return `no answer within ${outcome.ms} ms`;
  if (outcome.kind === 'network') return `connection failed without an answer: ${outcome.error}`;
  const { status, text, headers } = outcome;
  if (status >= 500) return `answered ${status}: ${text.slice(0, 200)}`;

  const requestId = headers['x-request-id'];
  const rule = c.expect.requestId;
  if (rule && 'generated' in rule && !UUID.test(requestId ?? '')) {
    return `x-request-id ${requestId} is not a generated id`;
  }
  if (rule && 'echo' in rule && requestId !== rule.echo) {
    return `x-request-id ${requestId}, expected the client's ${rule.echo}`;
  }

  if (c.method === 'HEAD') {
    if (text !== '') return 'HEAD answered with a body';
    const allowed =
      (status >= 200 && status < 300 && c.expect.success !== undefined) ||
      c.expect.codes.some((code) => CONTRACT_STATUS[code] === status);
    return allowed ? undefined : `HEAD answered ${status}`;
  }

  if (status >= 200 && status < 300) {
    if (!c.expect.success && !c.expect.anyCode) {
      return `answered ${status} but the contract wants ${c.expect.codes.join(' or ')}: ${text.slice(0, 200)}`;
    }
    return c.expect.success ? checkSuccess(c, status, text, users) : undefined;
  }
  if (status < 400) return `answered ${status}`;

  const body = parse(text);
  if (!isObject(body)) return `error ${status} without a JSON object body: ${text.slice(0, 200)}`;
  const keys = Object.keys(body).sort();
  if (keys.join() !== ERROR_KEYS.join())
    return `error body has keys ${keys.join(', ')}: ${text.slice(0, 200)}`;
  const code = body.code as ContractCode;
  if (!(code in CONTRACT_STATUS)) return `error code ${String(body.code)} is not in the contract`;
  if (CONTRACT_STATUS[code] !== status) return `${code} came with HTTP ${status}`;
  if (body.statusCode !== status) return `statusCode ${String(body.statusCode)} but HTTP ${status}`;
  if (typeof body.message !== 'string' || body.message === '') return 'error without a message';
  if (INTERNALS.test(body.message)) return `message shows internals: ${body.message.slice(0, 200)}`;
  if (typeof body.requestId !== 'string' || body.requestId !== requestId) {
    return `requestId ${String(body.requestId)} differs from x-request-id ${requestId}`;
  }
  if (!c.expect.anyCode && !c.expect.codes.includes(code)) {
    const wanted = [...c.expect.codes, ...(c.expect.success ? [c.expect.success] : [])];
    return `answered ${code}, the contract wants ${wanted.join(' or ')} (${body.message.slice(0, 120)})`;
  }
  return undefined;
}

function checkSuccess(
  c: FuzzCase,
  status: number,
  text: string,
  users: { ids: number[] },
): string | undefined {
  const kind = c.expect.success!;
  if (status !== SUCCESS_STATUS[kind])
    return `answered ${status}, a ${kind} answer is ${SUCCESS_STATUS[kind]}`;
  if (kind === 'logout') return text === '' ? undefined : 'logout answered with a body';
  const body = parse(text);
  if (kind === 'health') {
    return isObject(body) && body.status === 'ok' && Object.keys(body).length === 1
      ? undefined
      : `health answered ${text.slice(0, 100)}`;
  }
  // The fuzzed service signs HS256: it publishes no keys.
  if (kind === 'jwks') {
    return isObject(body) && Array.isArray(body.keys) && body.keys.length === 0
      ? undefined
      : `jwks answered ${text.slice(0, 100)}`;
  }
  if (kind === 'logins') {
    if (!Array.isArray(body) || body.length > 100) return `logins answered ${text.slice(0, 100)}`;
    const limit = /[?&]limit=(\d+)/.exec(c.path)?.[1];
    if (limit && body.length > Number(limit)) return `${body.length} logins for limit=${limit}`;
    const bad = body.find(
      (login) =>
        !isObject(login) ||
        Object.keys(login).sort().join() !== 'appId,at,ip,isNewUser,userAgent' ||
        typeof login.isNewUser !== 'boolean',
    );
    return bad === undefined ? undefined : `a login entry looks like ${JSON.stringify(bad)}`;
  }
  if (kind === 'sessions') {
    const bad = Array.isArray(body)
      ? body.find((entry) => !isObject(entry) || Object.keys(entry).sort().join() !== SESSION_KEYS)
      : body;
    return bad === undefined ? undefined : `sessions answered ${text.slice(0, 100)}`;
  }
  if (kind === 'export') {
    return isObject(body) &&
      Object.keys(body).sort().join() === 'account,identities,logins,sessions'
      ? undefined
      : `export answered ${text.slice(0, 100)}`;
  }
  if (kind === 'revoked') {
    return isObject(body) && Object.keys(body).join() === 'revoked' && body.revoked === 0
      ? undefined
      : `revoking the other sessions of a one-session caller answered ${text.slice(0, 100)}`;
  }
  if (!isObject(body)) return `user answer is not an object: ${text.slice(0, 100)}`;
  if (Object.keys(body).sort().join() !== [...USER_KEYS].sort().join()) {
    return `user answer has keys ${Object.keys(body).join(', ')}`;
  }
  if (!users.ids.includes(body.id as number)) return `user answer is user ${String(body.id)}`;
  const identities = body.identities;
  if (
    !Array.isArray(identities) ||
    identities.length === 0 ||
    identities.some(
      (identity) =>
        !isObject(identity) ||
        Object.keys(identity).sort().join() !== [...IDENTITY_KEYS].sort().join(),
    ) ||
    !identities.some(
      (identity: Record<string, unknown>) =>
        identity.appId === body.appId && identity.openid === body.openid,
    )
  ) {
    return `user answer has identities ${JSON.stringify(identities).slice(0, 200)}`;
  }
  if (typeof body.nickname === 'string' && !body.nickname.isWellFormed()) {
    return 'user answer carries a lone surrogate';
  }
  for (const [name, value] of Object.entries(c.expect.echo ?? {})) {
    if (body[name] !== value) {
      return `PATCH sent ${name}=${JSON.stringify(value).slice(0, 80)}, answer shows ${JSON.stringify(body[name]).slice(0, 80)}`;
    }
  }
  return undefined;
}
