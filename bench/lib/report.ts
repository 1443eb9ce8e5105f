import { AlgorithmCost, renderAlgorithms } from './algorithm-report';
import type { LoadResult } from './load';
import { f0, f1, f2, median, row } from './markdown-table';
import type { ProfileSummary, Share } from './profile-summary';

export type Target = 'service' | 'baseline';
export const SCENARIOS = ['GET /users/me', 'POST /auth/wechat/login'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Run {
  scenario: Scenario;
  target: Target;
  round: number;
  result: LoadResult;
  /** Server-wide MariaDB status counters per answered request (others' traffic included). */
  statements: Record<string, number>;
  /** CPU per answered request of the target and of MariaDB; busy share of processes not ours. */
  cpu: { targetMsPerReq: number; mariadbMsPerReq: number; othersPercent: number };
}

export interface BenchReport {
  settings: Record<string, string | number>;
  runs: Run[];
  coldStartMs: Record<Target, number[]>;
  memory: Record<Target, { rssMb: number; peakMb: number }>;
  profiles: Array<{ target: Target; scenario: Scenario; file: string; summary: ProfileSummary }>;
  /** GET /users/me under each BENCH_ALGORITHMS value; empty when none were compared. */
  algorithms: AlgorithmCost[];
}

export interface Verdict {
  label: string;
  value: string;
  pass: boolean;
}

/** Service ÷ bare baseline of a per-run figure, on the medians over rounds. */
export function ratio(report: BenchReport, scenario: Scenario, pick: (r: Run) => number): number {
  const stat = (target: Target) =>
    median(report.runs.filter((r) => r.scenario === scenario && r.target === target).map(pick));
  return stat('service') / stat('baseline');
}

const ran = (report: BenchReport, scenario: Scenario) =>
  report.runs.some((r) => r.scenario === scenario);
const SHORT: Record<Scenario, string> = {
  'GET /users/me': '/users/me',
  'POST /auth/wechat/login': 'login',
};

/** Issue 13's targets, judged on the medians over rounds, for the scenarios that ran. */
export function verdicts(report: BenchReport): Verdict[] {
  const perScenario = SCENARIOS.filter((s) => ran(report, s)).flatMap((scenario) => {
    const rps = ratio(report, scenario, (r) => r.result.reqPerSec);
    const p99 = ratio(report, scenario, (r) => r.result.p99);
    return [
      {
        label: `${SHORT[scenario]} req/s ≥ 0.65× bare`,
        value: `${f2(rps)}×`,
        pass: rps >= 0.65,
      },
      { label: `${SHORT[scenario]} p99 ≤ 1.5× bare`, value: `${f2(p99)}×`, pass: p99 <= 1.5 },
    ];
  });
  const starts = report.coldStartMs.service;
  const cold = median(starts);
  const rss = report.memory.service.rssMb;
  const errors = report.runs.reduce((sum, r) => sum + r.result.errors, 0);
  return [
    ...perScenario,
    {
      label: `cold start ≤ 500 ms (median of ${starts.length})`,
      value: `${f0(cold)} ms`,
      pass: cold <= 500,
    },
    { label: 'service RSS after the run ≤ 150 MB', value: `${f0(rss)} MB`, pass: rss <= 150 },
    { label: 'zero errors (all runs, both targets)', value: String(errors), pass: errors === 0 },
  ];
}

function shares(title: string, list: Share[]): string[] {
  return [
    `*${title}*`,
    '',
    ...list.map((s) => `- ${f1(s.percent)}% ${s.name.replace(/\|/g, '\\|')}`),
    '',
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = ['# Benchmark: service vs the bare baseline', ''];
  const settings = Object.entries(report.settings).map(([k, v]) => `${k}: ${v}`);
  lines.push(settings.join(' · '), '');

  lines.push(
    '## Summary (medians over rounds; ratios are service ÷ bare baseline)',
    '',
    row([
      'scenario',
      'req/s svc / bare',
      'req/s ratio',
      'p50/p99 ms svc',
      'p50/p99 ms bare',
      'p99 ratio',
      'CPU ms/req svc / bare',
      'CPU/req ratio',
      'errors svc / bare',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const scenario of SCENARIOS) {
    if (!ran(report, scenario)) continue;
    const of = (target: Target) =>
      report.runs.filter((r) => r.scenario === scenario && r.target === target);
    const m = (target: Target, pick: (r: Run) => number) => median(of(target).map(pick));
    const rps = (r: Run) => r.result.reqPerSec;
    const p99 = (r: Run) => r.result.p99;
    const cpu = (r: Run) => r.cpu.targetMsPerReq;
    const p50p99 = (t: Target) => `${f1(m(t, (r) => r.result.p50))} / ${f1(m(t, p99))}`;
    const errors = (t: Target) => of(t).reduce((sum, r) => sum + r.result.errors, 0);
    lines.push(
      row([
        scenario,
        `${f0(m('service', rps))} / ${f0(m('baseline', rps))}`,
        `${f2(ratio(report, scenario, rps))}×`,
        p50p99('service'),
        p50p99('baseline'),
        `${f2(ratio(report, scenario, p99))}×`,
        `${f2(m('service', cpu))} / ${f2(m('baseline', cpu))}`,
        `${f2(ratio(report, scenario, cpu))}×`,
        `${errors('service')} / ${errors('baseline')}`,
      ]),
    );
  }
  const cold = (t: Target) => report.coldStartMs[t];
  const coldRatio = median(cold('service')) / median(cold('baseline'));
  const mem = report.memory;
  lines.push(
    '',
    `Cold start (spawn → first 200 on /health, ${cold('service').length} starts each, ` +
      `alternating): service median ${f0(median(cold('service')))} ms ` +
      `(${cold('service').map(f0).join(', ')}), bare median ${f0(median(cold('baseline')))} ms ` +
      `(${cold('baseline').map(f0).join(', ')}): ratio ${f2(coldRatio)}×.`,
    `Memory after the run: service RSS ${f0(mem.service.rssMb)} MB (peak ${f0(mem.service.peakMb)} MB); ` +
      `bare RSS ${f0(mem.baseline.rssMb)} MB (peak ${f0(mem.baseline.peakMb)} MB).`,
    '',
  );

  lines.push('## Targets (issue 13)', '', row(['target', 'measured', 'verdict']));
  lines.push(row(['---', '---:', '---']));
  for (const v of verdicts(report))
    lines.push(row([v.label, v.value, v.pass ? 'PASS' : '**FAIL**']));
  lines.push('');
  lines.push(...renderAlgorithms(report.algorithms));

  lines.push(
    '## Every run',
    '',
    'CPU: ms of CPU per answered request used by the target process and by MariaDB; ' +
      '"others" is the busy share of the machine used by processes this bench did not start ' +
      '(a noise indicator: the machine is shared).',
    '',
    row([
      'round',
      'scenario',
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'requests',
      'CPU ms/req',
      'db CPU ms/req',
      'others %',
    ]),
    row(['---:', '---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  );
  for (const r of report.runs) {
    lines.push(
      row([
        r.round,
        r.scenario,
        r.target,
        f0(r.result.reqPerSec),
        f1(r.result.p50),
        f1(r.result.p99),
        r.result.errors,
        r.result.total,
        f2(r.cpu.targetMsPerReq),
        f2(r.cpu.mariadbMsPerReq),
        f0(r.cpu.othersPercent),
      ]),
    );
  }
  const samples = report.runs.flatMap((r) =>
    r.result.samples.map((s) => `- ${r.target} ${r.scenario} round ${r.round}: \`${s}\``),
  );
  if (samples.length) lines.push('', 'Error samples:', '', ...samples.slice(0, 10));
  lines.push('');

  const counters = Object.keys(report.runs[0]?.statements ?? {});
  if (counters.length) {
    lines.push(
      '## Database statements per request (server-wide status counters, medians)',
      '',
      row(['scenario', 'target', ...counters]),
      row(['---', '---', ...counters.map(() => '---:')]),
    );
    for (const scenario of SCENARIOS) {
      for (const target of ['service', 'baseline'] as const) {
        const of = report.runs.filter((r) => r.scenario === scenario && r.target === target);
        if (of.length === 0) continue;
        const values = counters.map((c) => f2(median(of.map((r) => r.statements[c]))));
        lines.push(row([scenario, target, ...values]));
      }
    }
    lines.push('');
  }

  for (const p of report.profiles) {
    lines.push(
      `## CPU profile: ${p.target}, ${p.scenario} (${p.summary.busySamples} busy samples, \`${p.file}\`)`,
      '',
      ...shares('Self time by code group', p.summary.selfGroups),
      ...shares('Inclusive time by code group (callees included)', p.summary.inclusiveGroups),
      ...shares('Inclusive time by app function (src/)', p.summary.inclusiveAppFunctions),
      ...shares('Self time by function', p.summary.selfFunctions),
    );
  }
  return lines.join('\n');
}
