import { AlgorithmCost, algorithmFigures, renderAlgorithms } from './algorithm-report';
import type { Run, Target } from './report';

const run = (target: Target, round: number, reqPerSec: number, cpuMsPerReq: number): Run => ({
  scenario: 'GET /users/me',
  target,
  round,
  result: { reqPerSec, p50: 5, p99: 20, errors: 0, total: reqPerSec * 10, samples: [] },
  statements: {},
  cpu: { targetMsPerReq: cpuMsPerReq, mariadbMsPerReq: 0.1, othersPercent: 3 },
});
const token = { signUs: 30, verifyUs: 60 };

/** Three rounds; the service's medians are 2000 req/s and 0.4 ms, the baseline's 4000 and 0.1. */
const hs256: AlgorithmCost = {
  algorithm: 'HS256',
  token: { signUs: 4, verifyUs: 6 },
  runs: [
    run('service', 1, 1900, 0.4),
    run('baseline', 1, 4000, 0.1),
    run('service', 2, 2000, 0.5),
    run('baseline', 2, 3000, 0.1),
    run('service', 3, 2100, 0.3),
    run('baseline', 3, 5000, 0.1),
  ],
};
/** Measured later beside a slower baseline (2000 req/s): its own ratio is what counts. */
const es256: AlgorithmCost = {
  algorithm: 'ES256',
  token,
  runs: [run('service', 1, 800, 0.5), run('baseline', 1, 2000, 0.1)],
};

describe('algorithmFigures', () => {
  it("compares each algorithm with the bare baseline it ran beside, and with HS256's ratio", () => {
    const [hs, es] = algorithmFigures([hs256, es256]);
    expect(hs.reqPerSec).toEqual({ service: 2000, baseline: 4000 });
    expect(hs.reqPerSecRatio).toBe(0.5);
    expect(hs.cpuRatio).toBeCloseTo(4);
    expect(hs.reqPerSecVsHs256).toBe(1);

    expect(es.reqPerSecRatio).toBe(0.4);
    expect(es.reqPerSecVsHs256).toBeCloseTo(0.8);
    expect(es.cpuRatio).toBeCloseTo(5);
    expect(es.cpuVsHs256).toBeCloseTo(1.25);
    expect(es.p99Ratio).toBe(1);
    expect(es.token).toBe(token);
  });

  it('leaves the comparison with HS256 out when HS256 was not measured', () => {
    const [es] = algorithmFigures([es256]);
    expect(es.reqPerSecVsHs256).toBeUndefined();
    expect(es.cpuVsHs256).toBeUndefined();
  });
});

describe('renderAlgorithms', () => {
  it('is empty when no algorithm was measured', () => {
    expect(renderAlgorithms([])).toEqual([]);
  });

  it('has a summary row per algorithm and a row per run', () => {
    const lines = renderAlgorithms([hs256, es256]);
    expect(lines).toContain(
      '| ES256 | 800 / 2000 | 0.40× | 0.80× | 20.0 / 20.0 | 1.00× | 0.50 / 0.10 | 5.00× | 1.25× | 60.0 | 30.0 | 0 / 0 |',
    );
    expect(lines).toContain('| 1 | ES256 | baseline | 2000 | 20.0 | 0.10 | 3 | 0 |');
    expect(lines.filter((l) => /^\| \d \| HS256 /.test(l))).toHaveLength(6);
  });

  it('shows a dash where there is no HS256 to compare with', () => {
    const row = renderAlgorithms([es256]).find((l) => l.startsWith('| ES256 |'));
    expect(row?.split(' | ')[3]).toBe('–');
  });
});
