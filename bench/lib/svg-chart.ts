// A small SVG line chart: panels side by side sharing a logarithmic x axis,
// one line per series, a legend. Plain strings, no dependency: the bench
// draws one chart per run, and a plotting library would bring far more than
// these few lines (and a browser or a canvas build) to do it.

export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

export interface Panel {
  title: string;
  yLabel: string;
  logY: boolean;
  series: Series[];
}

export interface Chart {
  title: string;
  xLabel: string;
  panels: Panel[];
}

const PANEL_W = 420;
const PANEL_H = 300;
const M = { left: 64, right: 16, top: 48, bottom: 48 };
const LEGEND_H = 28;

/** The powers of ten from below `min` to above `max` (both > 0); at least two, so the axis has a length. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(Math.ceil(Math.log10(max)), lo + 1);
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) out.push(Number((10 ** e).toPrecision(12)));
  return out;
}

/** About five round ticks from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function linearTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Maps [lo, hi] onto [0, 1], on a log scale or a linear one. */
export function unit(v: number, lo: number, hi: number, log: boolean): number {
  return log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo);
}

export const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const label = (v: number): string => (v >= 1000 ? v.toLocaleString('en-US') : String(Number(v.toPrecision(3))));

function panelSvg(p: Panel, xTicks: number[], ox: number, oy: number): string {
  const w = PANEL_W - M.left - M.right;
  const h = PANEL_H - M.top - M.bottom;
  const ys = p.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => !p.logY || y > 0);
  const yTicks = p.logY ? (ys.length ? logTicks(Math.min(...ys), Math.max(...ys)) : [1, 10]) : linearTicks(Math.max(...ys, 0));
  const [xlo, xhi] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [ylo, yhi] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const X = (x: number): number => ox + M.left + unit(x, xlo, xhi, true) * w;
  const Y = (y: number): number => oy + M.top + h - unit(y, ylo, yhi, p.logY) * h;
  const out = [
    `<text x="${ox + M.left + w / 2}" y="${oy + M.top - 12}" text-anchor="middle" font-weight="bold">${escapeXml(p.title)}</text>`,
    `<rect x="${ox + M.left}" y="${oy + M.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
  ];
  for (const t of xTicks) {
    out.push(`<line x1="${X(t)}" y1="${oy + M.top}" x2="${X(t)}" y2="${oy + M.top + h}" stroke="#ddd"/>`);
    out.push(`<text x="${X(t)}" y="${oy + M.top + h + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  for (const t of yTicks) {
    out.push(`<line x1="${ox + M.left}" y1="${Y(t)}" x2="${ox + M.left + w}" y2="${Y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${ox + M.left - 6}" y="${Y(t) + 4}" text-anchor="end">${label(t)}</text>`);
  }
  out.push(`<text transform="translate(${ox + 14},${oy + M.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(p.yLabel)}</text>`);
  for (const s of p.series) {
    const pts = s.points.filter(([x, y]) => x > 0 && (!p.logY || y > 0));
    if (pts.length === 0) continue;
    const xy = pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`);
    out.push(`<polyline points="${xy.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"><title>${escapeXml(s.name)}</title></polyline>`);
    for (const c of xy) out.push(`<circle cx="${c.split(',')[0]}" cy="${c.split(',')[1]}" r="3" fill="${s.color}"/>`);
  }
  return out.join('\n');
}

/** The chart as an SVG document; x (the shared axis) is logarithmic and spans every panel's points. */
export function chartSvg(c: Chart): string {
  const xs = c.panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))).filter((x) => x > 0);
  const xTicks = xs.length ? logTicks(Math.min(...xs), Math.max(...xs)) : [1, 10];
  const width = PANEL_W * c.panels.length;
  const height = PANEL_H + LEGEND_H + 24;
  const names = new Map<string, string>();
  for (const p of c.panels) for (const s of p.series) names.set(s.name, s.color);
  const legend = [...names].map(
    ([name, color], i) =>
      `<rect x="${M.left + i * 150}" y="${PANEL_H + 30}" width="14" height="4" fill="${color}"/><text x="${M.left + i * 150 + 20}" y="${PANEL_H + 36}">${escapeXml(name)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(c.title)}</text>`,
    ...c.panels.map((p, i) => panelSvg(p, xTicks, i * PANEL_W, 0)),
    `<text x="${width / 2}" y="${PANEL_H - 8}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
