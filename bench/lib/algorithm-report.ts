import type { JwtAlgorithm } from '../../src/config/jwt-keys';
import { f0, f1, f2, median, row } from './markdown-table';
import type { Run, Target } from './report';
import type { TokenCost } from './token-cost';

/** GET /users/me with the service signing under one JWT_ALGORITHM, beside the bare baseline. */
export interface AlgorithmCost {
  algorithm: JwtAlgorithm;
  /** The service's and the bare baseline's runs, alternating, in the same rounds. */
  runs: Run[];
  /** In-process CPU of one sign and one verify with the service's own token classes. */
  token: TokenCost;
}

/** Medians over rounds; every ratio is service ÷ the bare baseline measured beside it. */
export interface AlgorithmFigures {
  algorithm: JwtAlgorithm;
  reqPerSec: Record<Target, number>;
  p99: Record<Target, number>;
  cpuMsPerReq: Record<Target, number>;
  errors: Record<Target, number>;
  reqPerSecRatio: number;
  p99Ratio: number;
  cpuRatio: number;
  /**
   * The req/s and CPU ratios divided by HS256's (undefined without an HS256 row): the
   * algorithms' services did not run at the same moments, so each is compared through the
   * baseline run beside it.
   */
  reqPerSecVsHs256: number | undefined;
  cpuVsHs256: number | undefined;
  token: TokenCost;
}

export function algorithmFigures(costs: AlgorithmCost[]): AlgorithmFigures[] {
  const figures = costs.map((cost) => {
    const of = (target: Target, pick: (r: Run) => number) =>
      median(cost.runs.filter((r) => r.target === target).map(pick));
    const both = (pick: (r: Run) => number): Record<Target, number> => ({
      service: of('service', pick),
      baseline: of('baseline', pick),
    });
    const reqPerSec = both((r) => r.result.reqPerSec);
    const p99 = both((r) => r.result.p99);
    const cpuMsPerReq = both((r) => r.cpu.targetMsPerReq);
    const errors = (target: Target) =>
      cost.runs.filter((r) => r.target === target).reduce((sum, r) => sum + r.result.errors, 0);
    return {
      algorithm: cost.algorithm,
      reqPerSec,
      p99,
      cpuMsPerReq,
      errors: { service: errors('service'), baseline: errors('baseline') },
      reqPerSecRatio: reqPerSec.service / reqPerSec.baseline,
      p99Ratio: p99.service / p99.baseline,
      cpuRatio: cpuMsPerReq.service / cpuMsPerReq.baseline,
      token: cost.token,
    };
  });
  const hs256 = figures.find((f) => f.algorithm === 'HS256');
  return figures.map((f) => ({
    ...f,
    reqPerSecVsHs256: hs256 && f.reqPerSecRatio / hs256.reqPerSecRatio,
    cpuVsHs256: hs256 && f.cpuRatio / hs256.cpuRatio,
  }));
}

const times = (n: number | undefined) => (n === undefined ? '–' : `${f2(n)}×`);
const pair = (values: Record<Target, number>, format: (n: number) => string) =>
  `${format(values.service)} / ${format(values.baseline)}`;

/** The report's section on JWT_ALGORITHM: a summary row per algorithm, then every run. */
export function renderAlgorithms(costs: AlgorithmCost[]): string[] {
  if (costs.length === 0) return [];
  const lines = [
    '## GET /users/me under each JWT_ALGORITHM (medians over rounds)',
    '',
    'After the main rounds, each algorithm had a service of its own (a key made for the run) ' +
      'that ran only this load, the algorithms in turn within each round, each alternating ' +
      'with the bare baseline, which verifies HS256 in every row. Every ratio is service ÷ the ' +
      'baseline beside it; "vs HS256" divides a ratio by HS256\'s. Sign and verify: CPU µs of ' +
      "one call with the service's AccessTokenService and AccessTokenVerifier, in the bench " +
      'process.',
    '',
    row([
      'algorithm',
      'req/s svc / bare',
      'req/s ratio',
      'req/s vs HS256',
      'p99 ms svc / bare',
      'p99 ratio',
      'CPU ms/req svc / bare',
      'CPU/req ratio',
      'CPU/req vs HS256',
      'verify µs',
      'sign µs',
      'errors svc / bare',
    ]),
    row(['---', ...Array.from({ length: 11 }, () => '---:')]),
  ];
  for (const f of algorithmFigures(costs)) {
    lines.push(
      row([
        f.algorithm,
        pair(f.reqPerSec, f0),
        times(f.reqPerSecRatio),
        times(f.reqPerSecVsHs256),
        pair(f.p99, f1),
        times(f.p99Ratio),
        pair(f.cpuMsPerReq, f2),
        times(f.cpuRatio),
        times(f.cpuVsHs256),
        f1(f.token.verifyUs),
        f1(f.token.signUs),
        pair(f.errors, String),
      ]),
    );
  }
  lines.push(
    '',
    row(['round', 'algorithm', 'target', 'req/s', 'p99 ms', 'CPU ms/req', 'others %', 'errors']),
    row(['---:', '---', '---', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const cost of costs) {
    for (const r of cost.runs) {
      lines.push(
        row([
          r.round,
          cost.algorithm,
          r.target,
          f0(r.result.reqPerSec),
          f1(r.result.p99),
          f2(r.cpu.targetMsPerReq),
          f0(r.cpu.othersPercent),
          r.result.errors,
        ]),
      );
    }
  }
  lines.push('');
  return lines;
}
