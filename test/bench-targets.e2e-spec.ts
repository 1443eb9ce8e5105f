import type { LoadResult } from '../bench/lib/load';
import { BenchReport, Run, Scenario, Target, verdicts } from '../bench/lib/report';

const result = (reqPerSec: number, p99: number, errors = 0): LoadResult => ({
  reqPerSec,
  p50: p99 / 2,
  p99,
  errors,
  total: reqPerSec * 10,
  samples: [],
});
const run = (scenario: Scenario, target: Target, r: LoadResult): Run => ({
  scenario,
  target,
  round: 1,
  result: r,
  statements: {},
  cpu: { targetMsPerReq: 0.2, mariadbMsPerReq: 0.1, othersPercent: 0 },
});

/** Exactly at every limit of issue 13: service 0.65× the bare req/s, p99 1.5×, 500 ms, 150 MB. */
function report(overrides: Partial<BenchReport> = {}): BenchReport {
  return {
    settings: {},
    runs: [
      run('GET /users/me', 'service', result(650, 15)),
      run('GET /users/me', 'baseline', result(1000, 10)),
      run('POST /auth/wechat/login', 'service', result(130, 30)),
      run('POST /auth/wechat/login', 'baseline', result(200, 20)),
    ],
    coldStartMs: { service: [400, 500, 900], baseline: [100, 100, 100] },
    memory: { service: { rssMb: 150, peakMb: 160 }, baseline: { rssMb: 90, peakMb: 95 } },
    profiles: [],
    algorithms: [],
    ...overrides,
  };
}
const failed = (r: BenchReport) =>
  verdicts(r)
    .filter((v) => !v.pass)
    .map((v) => v.label);

describe("the bench's targets (issue 13), service ÷ bare baseline", () => {
  it('passes every target met exactly at its limit, judging the median cold start', () => {
    const judged = verdicts(report());
    expect(judged.map((v) => [v.label, v.value])).toEqual([
      ['/users/me req/s ≥ 0.65× bare', '0.65×'],
      ['/users/me p99 ≤ 1.5× bare', '1.50×'],
      ['login req/s ≥ 0.65× bare', '0.65×'],
      ['login p99 ≤ 1.5× bare', '1.50×'],
      ['cold start ≤ 500 ms (median of 3)', '500 ms'],
      ['service RSS after the run ≤ 150 MB', '150 MB'],
      ['zero errors (all runs, both targets)', '0'],
    ]);
    expect(failed(report())).toEqual([]);
  });

  it('fails each target just past its limit', () => {
    const slower = report({
      runs: [
        run('GET /users/me', 'service', result(649, 15.1)),
        run('GET /users/me', 'baseline', result(1000, 10)),
        run('POST /auth/wechat/login', 'service', result(129, 30.1, 1)),
        run('POST /auth/wechat/login', 'baseline', result(200, 20)),
      ],
      coldStartMs: { service: [501, 501, 100], baseline: [100, 100, 100] },
      memory: { service: { rssMb: 150.6, peakMb: 160 }, baseline: { rssMb: 90, peakMb: 95 } },
    });
    expect(failed(slower)).toHaveLength(7);
  });

  it('judges only the scenarios that ran', () => {
    const meOnly = report();
    meOnly.runs = meOnly.runs.filter((r) => r.scenario === 'GET /users/me');
    expect(verdicts(meOnly).map((v) => v.label)).not.toContain('login req/s ≥ 0.65× bare');
    expect(failed(meOnly)).toEqual([]);
  });
});
