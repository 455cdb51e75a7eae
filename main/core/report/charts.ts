/**
 * Inline SVG charts for the HTML report: plain strings, no scripts, no external references,
 * every label escaped. Geometry is computed here (linear scales are a line of arithmetic each).
 */
import type { AttackClassSummary, Timeline } from './derive.ts';
import { classColour } from './model.ts';
import { count, escapeHtml as h, percent } from './text.ts';

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11"';

function niceMax(n: number): number {
  if (n <= 5) return Math.max(1, n);
  const mag = 10 ** Math.floor(Math.log10(n));
  const step = [1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => s >= n / 4) ?? mag * 10;
  return Math.ceil(n / step) * step;
}

/** Windows per class per bin over capture order, stacked by class. */
export function timelineSvg(t: Timeline, classes: readonly string[]): string {
  const W = 720;
  const H = 200;
  const m = { top: 12, right: 12, bottom: 40, left: 40 };
  const iw = W - m.left - m.right;
  const ih = H - m.top - m.bottom;
  if (t.bins.length === 0 || t.firstFlow === null || t.lastFlow === null) {
    return `<svg class="chart" viewBox="0 0 ${W} 60" width="100%" role="img" aria-label="Timeline: no windows"><text x="10" y="30" ${FONT}>No windows</text></svg>`;
  }
  const totals = t.bins.map((b) => Object.values(b.windows).reduce((s, n) => s + n, 0));
  const yMax = niceMax(Math.max(1, ...totals));
  const bw = iw / t.bins.length;
  const y = (v: number) => ih - (v / yMax) * ih;
  const rects: string[] = [];
  t.bins.forEach((b, i) => {
    let acc = 0;
    classes.forEach((c, ci) => {
      const n = b.windows[c] ?? 0;
      if (n <= 0) return;
      const y0 = y(acc);
      acc += n;
      const y1 = y(acc);
      rects.push(
        `<rect x="${(i * bw + 1).toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(y0 - y1).toFixed(1)}" fill="${classColour(c, ci)}"><title>${h(c)}: ${count(n)} window${n === 1 ? '' : 's'} starting in flows ${count(b.firstFlow)}–${count(b.lastFlow)}</title></rect>`,
      );
    });
  });
  const yTicks = [0, yMax / 2, yMax].filter((v, i, a) => Number.isInteger(v) && a.indexOf(v) === i);
  const yAxis = yTicks
    .map((v) => `<g transform="translate(0,${y(v).toFixed(1)})"><line x1="-4" x2="${iw}" stroke="#d0d4da" stroke-width="0.5"/><text x="-6" dy="0.32em" text-anchor="end">${count(v)}</text></g>`)
    .join('');
  const tickBins = t.bins.length <= 6 ? t.bins.map((_, i) => i) : [0, Math.floor(t.bins.length / 3), Math.floor((2 * t.bins.length) / 3), t.bins.length - 1];
  const xAxis = [...new Set(tickBins)]
    .map((i) => {
      const b = t.bins[i]!;
      return `<text x="${(i * bw + bw / 2).toFixed(1)}" y="${ih + 14}" text-anchor="middle">${count(b.firstFlow)}</text>`;
    })
    .join('');
  return [
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Flagged windows per class over ${t.order === 'FLOW_START_MILLISECONDS' ? 'time order' : 'capture order'}, flows ${count(t.firstFlow)} to ${count(t.lastFlow)}" ${FONT}>`,
    `<g transform="translate(${m.left},${m.top})" fill="#333">`,
    yAxis,
    rects.join(''),
    `<line x1="0" x2="${iw}" y1="${ih}" y2="${ih}" stroke="#555"/>`,
    xAxis,
    `<text x="${iw / 2}" y="${ih + 32}" text-anchor="middle">flow id (${t.order === 'FLOW_START_MILLISECONDS' ? 'time order' : 'capture order, not time'}); ${count(t.binSize)} flow${t.binSize === 1 ? '' : 's'} per bar</text>`,
    `<text transform="rotate(-90)" x="${-ih / 2}" y="-30" text-anchor="middle">windows</text>`,
    '</g></svg>',
  ].join('');
}

/** Mean confidence per class as bars, with the peak as a tick. */
export function classConfidenceSvg(classes: readonly AttackClassSummary[]): string {
  const W = 720;
  const rowH = 26;
  const m = { top: 8, right: 60, bottom: 28, left: 150 };
  const iw = W - m.left - m.right;
  const H = m.top + m.bottom + Math.max(1, classes.length) * rowH;
  const x = (p: number) => Math.max(0, Math.min(1, p)) * iw;
  const rows = classes
    .map((c, i) => {
      const y = i * rowH;
      const label = c.name.length > 22 ? `${c.name.slice(0, 21)}…` : c.name;
      return [
        `<g transform="translate(0,${y})">`,
        `<text x="-8" y="${rowH / 2}" dy="0.32em" text-anchor="end">${h(label)}</text>`,
        `<rect x="0" y="4" width="${x(c.meanConfidence).toFixed(1)}" height="${rowH - 10}" fill="${c.colour}"><title>${h(c.name)}: mean ${percent(c.meanConfidence)}, peak ${percent(c.peakConfidence)}, ${count(c.windows)} windows</title></rect>`,
        `<line x1="${x(c.peakConfidence).toFixed(1)}" x2="${x(c.peakConfidence).toFixed(1)}" y1="2" y2="${rowH - 4}" stroke="#111" stroke-width="2"/>`,
        `<text x="${(x(c.peakConfidence) + 6).toFixed(1)}" y="${rowH / 2}" dy="0.32em">${percent(c.meanConfidence)}</text>`,
        '</g>',
      ].join('');
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((p) => `<g transform="translate(${x(p).toFixed(1)},0)"><line y1="0" y2="${classes.length * rowH}" stroke="#d0d4da" stroke-width="0.5"/><text y="${classes.length * rowH + 14}" text-anchor="middle">${percent(p, 0)}</text></g>`)
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Mean and peak detector confidence per attack class" ${FONT}><g transform="translate(${m.left},${m.top})" fill="#333">${ticks}${rows}</g></svg>`;
}
