/**
 * Just enough PromQL to evaluate the queries of deploy/grafana/wxauth-dashboard.json over a
 * series of scrapes, so the README's picture shows those very queries on real data:
 *
 *   [histogram_quantile(Q, ] (sum|max) [by (labels)] ( [rate|increase(] name [[window])] ) [)]
 *
 * rate and increase are the plain difference between the newest scrape and the oldest one
 * inside the window (Prometheus also extrapolates to the window's edges). Anything else is
 * refused, so the picture cannot quietly drift from the dashboard.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Seconds since the first scrape. */
  t: number;
  samples: Sample[];
}

export type Labels = Record<string, string>;

const QUERY =
  /^(?:histogram_quantile\(([\d.]+),\s*)?(sum|max)(?: by \(([\w, ]+)\))? ?\((?:(rate|increase)\()?([a-zA-Z_:][\w:]*)(?:\[(\d+)m\])?\)?\)\)?$/;

/** The Prometheus text format, sample lines only. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Labels = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name] = value;
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

/** The query's series at scrape `index`: labels and value of each. */
export function evaluate(query: string, scrapes: Scrape[], index: number): Array<[Labels, number]> {
  const match = QUERY.exec(query);
  if (!match) throw new Error(`outside the supported PromQL subset: ${query}`);
  const [, quantile, aggregation, by, fn, name, windowMinutes] = match;
  const now = scrapes[index];
  const then = fn
    ? scrapes.find((scrape) => scrape.t >= now.t - Number(windowMinutes) * 60)
    : undefined;
  if (fn && (!then || then === now)) return [];
  const previous = new Map(
    (then?.samples ?? []).filter((s) => s.name === name).map((s) => [keyOf(s.labels), s.value]),
  );
  const groupBy = by ? by.split(',').map((label) => label.trim()) : [];
  const groups = new Map<string, [Labels, number]>();
  for (const sample of now.samples) {
    if (sample.name !== name) continue;
    let value = sample.value;
    if (fn) {
      value -= previous.get(keyOf(sample.labels)) ?? 0;
      if (fn === 'rate') value /= now.t - then!.t;
    }
    const labels = Object.fromEntries(groupBy.map((label) => [label, sample.labels[label] ?? '']));
    const key = keyOf(labels);
    const group = groups.get(key);
    if (!group) groups.set(key, [labels, value]);
    else group[1] = aggregation === 'sum' ? group[1] + value : Math.max(group[1], value);
  }
  const series = [...groups.values()];
  return quantile === undefined ? series : histogramQuantile(Number(quantile), series);
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket the rank falls in. */
function histogramQuantile(q: number, buckets: Array<[Labels, number]>): Array<[Labels, number]> {
  const histograms = new Map<string, { labels: Labels; buckets: Array<[number, number]> }>();
  for (const [labels, count] of buckets) {
    const { le, ...rest } = labels;
    const key = keyOf(rest);
    const histogram = histograms.get(key) ?? { labels: rest, buckets: [] };
    histogram.buckets.push([le === '+Inf' ? Infinity : Number(le), count]);
    histograms.set(key, histogram);
  }
  const result: Array<[Labels, number]> = [];
  for (const { labels, buckets: sorted } of histograms.values()) {
    sorted.sort((a, b) => a[0] - b[0]);
    const total = sorted[sorted.length - 1]?.[1] ?? 0;
    if (!(total > 0)) continue;
    const rank = q * total;
    const at = sorted.findIndex(([, count]) => count >= rank);
    const [upper, count] = sorted[at];
    const [lower, below] = at > 0 ? sorted[at - 1] : [0, 0];
    const value =
      upper === Infinity ? lower : lower + ((upper - lower) * (rank - below)) / (count - below);
    result.push([labels, value]);
  }
  return result;
}

/** Grafana's legend format: {{label}} replaced by the series' value of it. */
export function legendOf(format: string, labels: Labels): string {
  return format.replace(/\{\{(\w+)\}\}/g, (_all, label: string) => labels[label] ?? '');
}
