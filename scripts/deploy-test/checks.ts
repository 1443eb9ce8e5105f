/*
 * Pure logic of `npm run test:deploy`: reading what nginx logged and what the demo printed, and
 * the verdicts drawn from them. Kept apart from the commands so that it has unit specs.
 */

/** One request in nginx's default `combined` access log format. */
export interface AccessLogEntry {
  remoteAddr: string;
  method: string;
  path: string;
  status: number;
  userAgent: string;
}

const COMBINED =
  /^(\S+) \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) \S+ "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"/;

/** The requests in nginx's log (other lines, e.g. error log lines, are skipped). */
export function parseAccessLog(log: string): AccessLogEntry[] {
  const entries: AccessLogEntry[] = [];
  for (const line of log.split('\n')) {
    const match = COMBINED.exec(line.trim());
    if (!match) continue;
    const [, remoteAddr, method, path, status, userAgent] = match;
    entries.push({ remoteAddr, method, path, status: Number(status), userAgent });
  }
  return entries;
}

/**
 * The JSON body printed under a step of `npm run demo` whose title starts with `title`
 * (scripts/demo.ts prints "N. title", then the body indented by three spaces).
 */
export function demoStepBody(output: string, title: string): Record<string, unknown> | undefined {
  const lines = output.split('\n');
  const start = lines.findIndex(
    (line) => /^\d+\. /.test(line) && line.replace(/^\d+\. /, '').startsWith(title),
  );
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('   ')) break;
    body.push(line.slice(3));
  }
  try {
    return JSON.parse(body.join('\n')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The `Uid:` line of /proc/<pid>/status: real, effective, saved and filesystem uid. */
export function uidsOfStatus(status: string): number[] {
  const match = /^Uid:\s+(.*)$/m.exec(status);
  return match ? match[1].trim().split(/\s+/).map(Number) : [];
}

export interface Verdict {
  ok: boolean;
  detail: string;
}

/**
 * TRUST_PROXY works when the service recorded, for a login, the address nginx saw the client
 * connect from, and not nginx's own address (what every login shows when TRUST_PROXY is false),
 * nor an address the client merely claimed in X-Forwarded-For.
 */
export function clientIpVerdict(args: {
  recorded: unknown;
  seenByNginx: string | undefined;
  nginxAddress: string;
  claimedByClient?: string;
}): Verdict {
  const { recorded, seenByNginx, nginxAddress, claimedByClient } = args;
  if (seenByNginx === undefined) return { ok: false, detail: 'nginx logged no such request' };
  if (typeof recorded !== 'string') {
    return { ok: false, detail: `the service recorded no address (${JSON.stringify(recorded)})` };
  }
  if (recorded === nginxAddress) {
    return {
      ok: false,
      detail: `the service recorded nginx's own address ${recorded} (is TRUST_PROXY set to it?)`,
    };
  }
  if (claimedByClient !== undefined && recorded === claimedByClient) {
    return {
      ok: false,
      detail: `the service believed the client's own X-Forwarded-For ${recorded} (TRUST_PROXY too wide)`,
    };
  }
  if (recorded !== seenByNginx) {
    return {
      ok: false,
      detail: `recorded ${recorded}, but nginx saw the client at ${seenByNginx}`,
    };
  }
  return {
    ok: true,
    detail: `recorded ${recorded} = nginx's $remote_addr; nginx is ${nginxAddress}`,
  };
}

/**
 * The Debian mirror apt uses here (the first one serving `suite`), from the text of
 * /etc/apt/sources.list and /etc/apt/sources.list.d/* (one-line and deb822 formats).
 */
export function debianMirror(sources: string[], suite: string): string | undefined {
  for (const text of sources) {
    for (const line of text.split('\n')) {
      const oneLine = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (oneLine && oneLine[2] === suite) return oneLine[1];
    }
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) =>
        new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim().split(/\s+/) ?? [];
      if (field('Types').includes('deb') && field('Suites').includes(suite)) {
        return field('URIs')[0];
      }
    }
  }
  return undefined;
}
