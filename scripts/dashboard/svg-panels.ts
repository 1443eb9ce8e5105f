/**
 * Draws time-series panels as one SVG, with no dependency: axes, lines and a legend per panel,
 * laid out two per row as the Grafana dashboard lays them out.
 */

export interface PanelSeries {
  legend: string;
  points: Array<[number, number]>;
}

export interface Panel {
  title: string;
  unit: string;
  series: PanelSeries[];
}

const WIDTH = 600;
const HEIGHT = 300;
const PLOT = { left: 62, top: 34, width: 520, height: 170 };
const COLORS = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
  '#508642',
  '#cca300',
  '#447ebc',
  '#c15c17',
  '#890f02',
  '#0a437c',
];
const MAX_LEGEND = 8;

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A value in the panel's unit, short: 1.2k, 35 ms, 48 MB. */
function format(value: number, unit: string): string {
  if (unit === 's') {
    if (value === 0) return '0';
    return value < 1 ? `${+(value * 1000).toPrecision(3)} ms` : `${+value.toPrecision(3)} s`;
  }
  if (unit === 'bytes') return `${+(value / 2 ** 20).toPrecision(3)} MB`;
  const suffix = unit === 'reqps' ? '/s' : '';
  if (value >= 1000) return `${+(value / 1000).toPrecision(3)}k${suffix}`;
  return `${+value.toPrecision(3)}${suffix}`;
}

/** A round upper bound for the y axis. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((each) => each * magnitude >= max) ?? 10;
  return step * magnitude;
}

function panelSvg(panel: Panel, x: number, y: number, duration: number): string {
  const parts: string[] = [
    `<g transform="translate(${x},${y})">`,
    `<rect width="${WIDTH - 10}" height="${HEIGHT - 10}" rx="3" fill="#181b1f" stroke="#2c3235"/>`,
    `<text x="12" y="21" class="title">${escape(panel.title)}</text>`,
  ];
  const values = panel.series.flatMap((series) => series.points.map(([, value]) => value));
  const top = niceMax(Math.max(0, ...values));
  const px = (t: number) => PLOT.left + (t / duration) * PLOT.width;
  const py = (v: number) => PLOT.top + PLOT.height - (v / top) * PLOT.height;
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    parts.push(
      `<line x1="${PLOT.left}" x2="${PLOT.left + PLOT.width}" y1="${py(value)}" y2="${py(value)}" class="grid"/>`,
      `<text x="${PLOT.left - 6}" y="${py(value) + 4}" class="axis" text-anchor="end">${escape(format(value, panel.unit))}</text>`,
    );
  }
  for (let t = 0; t <= duration; t += 30) {
    const label = `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
    parts.push(
      `<text x="${px(t)}" y="${PLOT.top + PLOT.height + 16}" class="axis" text-anchor="middle">${label}</text>`,
    );
  }
  panel.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length];
    const path = series.points
      .map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${px(t).toFixed(1)},${py(v).toFixed(1)}`)
      .join('');
    if (path) parts.push(`<path d="${path}" stroke="${color}" class="line"/>`);
    if (index < MAX_LEGEND) {
      const lx = 14 + (index % 2) * 290;
      const ly = PLOT.top + PLOT.height + 34 + Math.floor(index / 2) * 13;
      parts.push(
        `<rect x="${lx}" y="${ly - 7}" width="10" height="3" fill="${color}"/>`,
        `<text x="${lx + 15}" y="${ly}" class="legend">${escape(series.legend.slice(0, 44))}</text>`,
      );
    }
  });
  if (panel.series.length > MAX_LEGEND) {
    parts.push(
      `<text x="${WIDTH - 24}" y="21" class="legend" text-anchor="end">${panel.series.length} series, ${MAX_LEGEND} named</text>`,
    );
  }
  if (panel.series.length === 0) {
    parts.push(
      `<text x="${px(duration / 2)}" y="${py(top / 2)}" class="axis" text-anchor="middle">no data</text>`,
    );
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The whole picture: a header line, then the panels two per row. */
export function dashboardSvg(
  title: string,
  caption: string,
  panels: Panel[],
  duration: number,
): string {
  const rows = Math.ceil(panels.length / 2);
  const width = WIDTH * 2 + 10;
  const height = 56 + rows * HEIGHT;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>.title{fill:#d8d9da;font-size:13px;font-weight:bold}.axis{fill:#8e8e8e;font-size:10px}.legend{fill:#c7d0d9;font-size:10px}.grid{stroke:#2c3235;stroke-width:1}.line{fill:none;stroke-width:1.6}</style>',
    `<rect width="${width}" height="${height}" fill="#111217"/>`,
    `<text x="14" y="24" fill="#d8d9da" font-size="16" font-weight="bold">${escape(title)}</text>`,
    `<text x="14" y="42" fill="#8e8e8e" font-size="11">${escape(caption)}</text>`,
    ...panels.map((panel, i) =>
      panelSvg(panel, 8 + (i % 2) * WIDTH, 52 + Math.floor(i / 2) * HEIGHT, duration),
    ),
    '</svg>',
    '',
  ].join('\n');
}
