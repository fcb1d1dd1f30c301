// evaluation.js: the manager's service evaluation report for a period:
// retention (Kaplan-Meier, people still in treatment censored), the TOP
// domains improved / same / worse, discharges by reason, and every other
// figure as a table; printable, and as CSV.  Counts of 1-4 people arrive
// from the server as "<5" and are drawn as an empty bar saying so, never
// guessed at.  Each chart carries its own words (role="img" with a label).

import { get } from '../api.js';
import { h, add, fill, input, onSubmit, str, addDays } from '../ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

const pct = (x) => (x === null || x === undefined ? 'not shown' : `${Math.round(x * 1000) / 10}%`);
const shown = (v) => (v === null || v === undefined ? '—' : typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v));

// Horizontal bars: rows [{label, value (0..1 or null), text}].
function bars(rows, label) {
  const W = 600; const rowH = 26; const left = 190; const H = rows.length * rowH + 8;
  const svg = s('svg', { class: 'chart eval-bars', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label });
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    svg.appendChild(s('text', { x: 4, y: y + 16, class: 'chart-tick eval-label' }, r.label));
    svg.appendChild(s('rect', { x: left, y: y + 3, width: W - left - 100, height: rowH - 8, class: 'eval-track' }));
    if (r.value !== null && r.value !== undefined) {
      svg.appendChild(s('rect', { x: left, y: y + 3, width: Math.max(0, (W - left - 100) * r.value), height: rowH - 8, class: 'eval-fill', 'data-value': r.value }));
    }
    svg.appendChild(s('text', { x: W - 94, y: y + 16, class: 'chart-tick' }, r.text));
  });
  return svg;
}

// Stacked bars, one per TOP item: improved, same, worse, not known, each
// as a share of the people compared.  A part suppressed ("<5") is not
// drawn: the rest of its row is left as a hatched gap marked "<5".
function stacked(domains, compared) {
  const W = 600; const rowH = 24; const left = 230; const H = domains.length * rowH + 30;
  const words = domains.map((d) => `${d.label}: ${d.improved} improved, ${d.same} the same, ${d.worse} worse`).join('; ');
  const svg = s('svg', { class: 'chart eval-stacked', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': words });
  const parts = [['improved', 'eval-improved'], ['same', 'eval-same'], ['worse', 'eval-worse'], ['unknown', 'eval-unknown']];
  const span = W - left - 44;
  domains.forEach((d, i) => {
    const y = 4 + i * rowH;
    const hidden = parts.some(([k]) => typeof d[k] !== 'number');
    svg.appendChild(s('text', { x: 4, y: y + 15, class: 'chart-tick eval-label' }, d.label.length > 36 ? `${d.label.slice(0, 35)}…` : d.label));
    svg.appendChild(s('rect', { x: left, y: y + 3, width: span, height: rowH - 8, class: 'eval-track' }));
    let x = left;
    for (const [k, cls] of parts) {
      if (typeof d[k] !== 'number' || !d[k]) continue;
      const w = (span * d[k]) / compared;
      svg.appendChild(s('rect', { x, y: y + 3, width: w, height: rowH - 8, class: cls, 'data-part': k }));
      x += w;
    }
    if (hidden) svg.appendChild(s('text', { x: left + span + 6, y: y + 15, class: 'chart-gap' }, '<5'));
  });
  const ly = H - 10;
  parts.forEach(([k, cls], j) => {
    svg.appendChild(s('rect', { x: left + j * 80, y: ly - 9, width: 10, height: 10, class: cls }));
    svg.appendChild(s('text', { x: left + j * 80 + 14, y: ly, class: 'chart-tick' }, k === 'unknown' ? 'not known' : k));
  });
  return svg;
}

function table(caption, rows) {
  return h('table', { class: 'report eval-table' }, h('caption', null, caption),
    h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, shown(v))))));
}

export function render(main, ctx) {
  let stopped = false;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
  const form = h('form', { class: 'eval-period no-print', 'aria-label': 'Report period' });
  const body = h('div', null, h('p', null, 'Loading…'));
  const csv = h('a', { class: 'button no-print', download: 'service-evaluation.csv' }, 'Download CSV');
  fill(form,
    input('from', 'From', { type: 'date', value: addDays(today, -364), required: true }),
    input('to', 'To', { type: 'date', value: today, required: true }),
    h('button', { type: 'submit', class: 'primary' }, 'Show'),
    csv,
    h('button', { type: 'button', class: 'no-print', onclick: () => window.print() }, 'Print'));
  // The exports that leave hat, for the same period: each is a read of
  // identifiable or pseudonymised data, in the access log, and offered
  // only to the roles the server allows.
  const exportLinks = [
    ['ndtms', 'National return (NDTMS) CSV', '/api/v1/exports/ndtms', '&format=csv', ['manager']],
    ['ndtms-top', 'TOP returns CSV', '/api/v1/exports/ndtms', '&format=csv&part=top', ['manager']],
    ['research', 'Research rows, pseudonymised (CSV)', '/api/v1/exports/research', '&format=csv', ['manager', 'auditor']],
  ].filter((x) => ctx.has(...x[4])).map(([key, label, path, extra]) => ({ key, path, extra, a: h('a', { class: 'button', 'data-export': key, download: `${key}.csv` }, label) }));
  const exports = h('section', { class: 'panel no-print', 'aria-labelledby': 'ev-exp' },
    h('h2', { id: 'ev-exp' }, 'Exports for this period'),
    h('p', { class: 'muted' }, 'The national return holds only the people who consented to it; a line missing a mandatory field names it in its VALIDATION column. Research rows carry pseudonyms, never names, initials or dates of birth. Each export taken is written to the access log.'),
    h('p', { class: 'actions-row' }, exportLinks.map((x) => x.a)));
  add(main, h('div', { class: 'screen-head' }, h('h1', null, 'Service evaluation')), form, body, exports);

  async function load(from, to) {
    const q = `from=${from}&to=${to}`;
    csv.setAttribute('href', `/api/v1/reports/evaluation?${q}&format=csv`);
    for (const x of exportLinks) x.a.setAttribute('href', `${x.path}?${q}${x.extra}`);
    const r = await get(`/reports/evaluation?${q}`);
    if (!stopped) draw(r);
  }

  function draw(r) {
    const ret = r.retention;
    const months = [['3_months', '3 months'], ['6_months', '6 months'], ['12_months', '12 months']];
    const retRows = months.map(([k, l]) => ({
      label: `Retained at ${l}`, value: ret[k].rate,
      text: ret[k].rate === null ? (ret[k].suppressed ? '<5 people' : 'not yet known') : pct(ret[k].rate),
    }));
    const dis = r.discharges;
    const dTotal = dis.by_reason.reduce((a, x) => a + (typeof x.count === 'number' ? x.count : 0), 0);
    const disRows = dis.by_reason.map((x) => ({
      label: x.label.length > 30 ? `${x.label.slice(0, 29)}…` : x.label,
      value: typeof x.count === 'number' && dTotal ? x.count / dTotal : null, text: String(x.count),
    }));
    fill(body,
      h('p', { class: 'muted' }, `${r.period.from} to ${r.period.to}, ${r.period.premises_id ? `premises ${r.period.premises_id}` : 'the whole service'}. ${r.suppression.note}.`),
      h('section', { class: 'panel', 'aria-labelledby': 'ev-ret' },
        h('h2', { id: 'ev-ret' }, 'Retention'),
        h('p', null, `${ret.episodes_started} episodes began in the period. ${ret.method}.`),
        h('figure', { class: 'eval-figure', 'data-figure': 'retention' },
          bars(retRows, retRows.map((x) => `${x.label}: ${x.text}`).join('; ')),
          h('figcaption', null, months.map(([k, l]) => `${l}: ${pct(ret[k].rate)}, ${ret[k].followed} followed that long`).join('; ')))),
      h('section', { class: 'panel', 'aria-labelledby': 'ev-top' },
        h('h2', { id: 'ev-top' }, 'Treatment Outcomes Profile: Start to latest review'),
        h('p', null, `${r.top.people_compared} people compared. ${r.top.thresholds.note}`),
        typeof r.top.people_compared === 'number' && r.top.people_compared > 0
          ? h('figure', { class: 'eval-figure', 'data-figure': 'top' }, stacked(r.top.domains, r.top.people_compared),
            h('figcaption', null, `A change counts when it moves at least ${r.top.thresholds.change_threshold_days} days or ${r.top.thresholds.change_threshold_rating} rating points. Bars are shares of the people compared; a part of fewer than 5 people is left out and marked <5.`))
          : h('p', { class: 'eval-none' }, 'Fewer than 5 people have a Start and a later review in the period, so no domain is shown.')),
      h('section', { class: 'panel', 'aria-labelledby': 'ev-dis' },
        h('h2', { id: 'ev-dis' }, 'Discharges'),
        disRows.length ? h('figure', { class: 'eval-figure', 'data-figure': 'discharges' },
          bars(disRows, disRows.map((x) => `${x.label}: ${x.text}`).join('; '))) : h('p', null, 'No discharges in the period.'),
        table('Completions', [['Discharges', dis.total], ['Successful completions', dis.successful_completions],
          ['Re-presented within 6 months', dis.re_presented_within_6_months], ['Re-presentation rate', dis.re_presentation_rate === null ? null : pct(dis.re_presentation_rate)]])),
      h('section', { class: 'panel', 'aria-labelledby': 'ev-fig' },
        h('h2', { id: 'ev-fig' }, 'The other figures'),
        h('div', { class: 'eval-tables' },
          table('Referrals', [['Referrals', r.referrals.referrals], ['Dosed', r.referrals.dosed], ['Median days to first dose', r.referrals.median_days_to_first_dose]]),
          table('In treatment', [['During the period', r.in_treatment.during_period], ['At its end', r.in_treatment.at_end]]),
          table('Attendance', [['Sessions due', r.attendance.sessions_due], ['Attended', r.attendance.sessions_attended], ['Rate', pct(r.attendance.rate)]]),
          table('Doses', [['Doses given', r.doses.given], ['Injectable mg', r.doses.injectable_mg], ['Oral mg', r.doses.oral_mg]]),
          table('Drug screens', [['Screens', r.drug_screens.screens], ['People tested', r.drug_screens.people_tested], ['Screens with street heroin', r.drug_screens.street_heroin_evidence], ['People with street heroin', r.drug_screens.people_with_street_heroin]]),
          table('Drug cost', [['Ampoules given', r.drug_cost.ampoules], ['Of them priced', r.drug_cost.priced_ampoules], ['Cost at the prices kept', `£${(r.drug_cost.cost_pence / 100).toFixed(2)}`]]),
          table('Goals and safety', [['Goals achieved', r.goals.achieved], ['People achieving a goal', r.goals.people_achieving], ['Adverse events', r.adverse_events.events], ['Naloxone uses', r.adverse_events.naloxone_uses]]))));
  }

  onSubmit(form, async (f) => { await load(str(f, 'from'), str(f, 'to')); });
  load(addDays(today, -364), today).catch((e) => { if (!stopped && e.status !== 401) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message)); });
  return () => { stopped = true; };
}
