// progress_svg.js: one domain series drawn as an SVG line chart.  Points
// are in date order; a "not answered" point, or an item the form's version
// did not ask, is a gap in the line with a marker saying so (never a zero),
// and a review missed between two points breaks the line too.  The chart
// carries its own words (role="img" with a label): the picture is never the
// only place the change is said.  Colours come from classes in hat.css.

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

const dayNo = (d) => Math.round(Date.parse(`${d}T12:00:00Z`) / 86400e3);
const shortDate = (d) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: '2-digit', timeZone: 'UTC' }).format(new Date(`${d}T12:00:00Z`));

/**
 * chart(series, {width, height, plain}) -> <svg>
 * series: {key, label, type, min, max, better, points: [{date, value, gap, missed_review_before}], words}
 */
export function chart(series, opts = {}) {
  const W = opts.width || 360;
  const H = opts.height || 150;
  const pad = { l: 34, r: 12, t: 14, b: 26 };
  const pts = series.points || [];
  const values = pts.map((p) => p.value).filter((v) => v !== null && v !== undefined);
  let lo = series.min;
  let hi = series.max;
  if (series.type === 'metric' || series.type === 'total' || lo === undefined || hi === undefined) {
    lo = Math.min(series.min ?? 0, ...values);
    hi = Math.max(series.max ?? 1, ...values);
  }
  if (hi === lo) hi = lo + 1;
  const days = pts.map((p) => dayNo(p.date));
  const d0 = Math.min(...days);
  const d1 = Math.max(...days);
  const x = (d) => pad.l + (d1 === d0 ? (W - pad.l - pad.r) / 2 : ((d - d0) / (d1 - d0)) * (W - pad.l - pad.r));
  const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const yesno = series.type === 'yesno';
  const svg = s('svg', {
    class: `chart chart-${series.direction || 'unknown'}`, viewBox: `0 0 ${W} ${H}`, width: W, height: H,
    role: 'img', 'aria-label': series.words || series.label, 'data-key': series.key,
  });
  svg.appendChild(s('title', null, series.words || series.label));
  // Axes and the range labels.
  svg.appendChild(s('line', { class: 'chart-axis', x1: pad.l, y1: pad.t, x2: pad.l, y2: H - pad.b }));
  svg.appendChild(s('line', { class: 'chart-axis', x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b }));
  svg.appendChild(s('text', { class: 'chart-tick', x: pad.l - 4, y: y(hi) + 4, 'text-anchor': 'end' }, yesno ? 'yes' : String(hi)));
  svg.appendChild(s('text', { class: 'chart-tick', x: pad.l - 4, y: y(lo) + 4, 'text-anchor': 'end' }, yesno ? 'no' : String(lo)));
  svg.appendChild(s('text', { class: 'chart-better', x: W - pad.r, y: pad.t - 3, 'text-anchor': 'end' },
    series.better === 'lower' ? (yesno ? 'no is better' : 'lower is better') : 'higher is better'));
  // The line, broken at every gap and at every missed review.
  let run = [];
  const flush = () => {
    if (run.length > 1) svg.appendChild(s('polyline', { class: 'chart-line', points: run.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ') }));
    run = [];
  };
  pts.forEach((p, i) => {
    if (p.missed_review_before) flush();
    const px = x(days[i]);
    if (p.value === null || p.value === undefined) {
      flush();
      svg.appendChild(s('text', { class: 'chart-gap', x: px, y: H - pad.b - 6, 'text-anchor': 'middle', 'data-gap': p.gap || 'missing' },
        p.gap === 'not_answered' ? 'NA' : '–'));
      return;
    }
    run.push([px, y(p.value)]);
  });
  flush();
  pts.forEach((p, i) => {
    if (p.value === null || p.value === undefined) return;
    svg.appendChild(s('circle', { class: `chart-point${i === 0 ? ' chart-first' : ''}`, cx: x(days[i]).toFixed(1), cy: y(p.value).toFixed(1), r: 3.5 },
      s('title', null, `${shortDate(p.date)}: ${yesno ? (p.value ? 'yes' : 'no') : p.value}`)));
  });
  if (pts.length) {
    svg.appendChild(s('text', { class: 'chart-tick', x: x(d0), y: H - 8, 'text-anchor': d1 === d0 ? 'middle' : 'start' }, shortDate(pts[0].date)));
    if (d1 !== d0) svg.appendChild(s('text', { class: 'chart-tick', x: x(d1), y: H - 8, 'text-anchor': 'end' }, shortDate(pts[pts.length - 1].date)));
  }
  return svg;
}

/** The words for a direction, for a badge beside the chart. */
export const DIRECTION_LABEL = { improved: 'Improved', same: 'About the same', worse: 'Worse', unknown: 'Not enough yet' };
