// attendance.js: how many of the sessions due each patient attended, over
// a range of dates (the last 28 days unless changed), and the clinic's
// rate over all of them.  Each rate is written as a number and drawn as a
// bar beside it; the bar is decoration only (hidden from screen readers).

import { get } from '../api.js';
import {
  h, add, fill, input, formError, onSubmit, str, fmtDay,
} from '../ui.js';

/** 0.9464 as '94.6%'; no rate (nothing due) as null. */
export function percent(rate) {
  if (rate === null || rate === undefined) return null;
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** The bar: its width in 2% steps, each a class in hat.css (no inline styles under the CSP). */
function bar(rate) {
  if (rate === null || rate === undefined) return h('span', { class: 'bar bar-none', 'aria-hidden': 'true' });
  const step = Math.max(0, Math.min(50, Math.round(rate * 50))) * 2;
  return h('span', { class: `bar${rate < 0.8 ? ' bar-low' : ''}`, 'aria-hidden': 'true' },
    h('span', { class: `bar-fill w${step}` }));
}

const fullDay = (d) => `${fmtDay(d)} ${d.slice(0, 4)}`;

export function render(main, ctx) {
  let stopped = false;
  let range = null; // {from, to}: null until the server has said what its default is
  let today = null; // the server's today: the end of its default range
  const body = h('div', null, h('p', null, 'Loading attendance…'));
  const form = h('form', { class: 'range', 'aria-label': 'Dates' });
  add(main,
    h('div', { class: 'screen-head' }, h('h1', null, 'Attendance')),
    h('section', { class: 'panel' },
      h('p', { class: 'muted' }, 'Sessions attended out of the sessions due, for each patient in treatment. A session counts as attended when a dose was given in it.'),
      form),
    body);

  async function load() {
    const q = range ? `?from=${range.from}&to=${range.to}` : '';
    const r = await get(`/attendance${q}`);
    if (stopped) return;
    if (!today) today = r.to;
    range = { from: r.from, to: r.to };
    if (!form.elements.length) drawForm(); // once: a redraw would take the focus away
    draw(r);
  }

  function drawForm() {
    fill(form,
      formError(),
      input('from', 'From', { type: 'date', value: range.from, required: true, max: today }),
      input('to', 'To', { type: 'date', value: range.to, required: true, max: today }),
      h('button', { type: 'submit' }, 'Show'));
  }

  onSubmit(form, async (f) => {
    const before = range;
    range = { from: str(f, 'from'), to: str(f, 'to') };
    try {
      await load();
    } catch (e) {
      range = before;
      throw e;
    }
  });

  function draw(r) {
    const c = r.clinic || {};
    const rows = r.patients || [];
    const clinicRate = percent(c.attendance_rate);
    fill(body,
      h('section', { class: 'panel', 'aria-labelledby': 'att-clinic' },
        h('h2', { id: 'att-clinic' }, `Clinic, ${fullDay(r.from)} to ${fullDay(r.to)}`),
        h('p', { class: 'att-clinic' },
          h('strong', { class: 'att-rate', dataset: { rate: 'clinic' } }, clinicRate || 'No sessions due'),
          clinicRate ? ` of sessions attended: ${c.sessions_attended} of ${c.sessions_due}` : ' in these dates.'),
        clinicRate ? h('div', { class: 'att-clinic-bar' }, bar(c.attendance_rate)) : null,
        // The server counts a session as due once its window has begun.
        today && r.to >= today ? h('p', { class: 'muted small' },
          'Today\'s sessions count as due once each has begun; sessions still to come are not counted.') : null),
      h('section', { class: 'panel', 'aria-labelledby': 'att-patients' },
        h('h2', { id: 'att-patients' }, 'Patients'),
        rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'attendance' },
          h('caption', { class: 'muted' }, `${rows.length} patient${rows.length === 1 ? '' : 's'}; rates under 80% are marked.`),
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, 'Patient'),
            h('th', { scope: 'col', class: 'num' }, 'Attended'),
            h('th', { scope: 'col', class: 'num' }, 'Due'),
            h('th', { scope: 'col', class: 'num' }, 'Rate'),
            h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Bar')),
            h('th', { scope: 'col', class: 'num' }, 'Planned absent'))),
          h('tbody', null, rows.map((p) => {
            const rate = percent(p.attendance_rate);
            const low = rate && p.attendance_rate < 0.8;
            return h('tr', { dataset: { patient: p.id }, class: low ? 'is-low' : null },
              h('th', { scope: 'row' }, h('a', { href: `#/patients/${p.id}` }, `${p.family_name}, ${p.given_name}`)),
              h('td', { class: 'num' }, p.sessions_attended),
              h('td', { class: 'num' }, p.sessions_due),
              h('td', { class: 'num' }, rate ? [low ? h('span', { class: 'low-mark' }, 'Low: ') : null, rate] : h('span', { class: 'muted' }, 'none due')),
              h('td', { class: 'bar-cell' }, bar(p.attendance_rate)),
              h('td', { class: 'num' }, p.sessions_planned_absent || 0));
          }))))
          : h('p', null, 'No patients in treatment in these dates.')));
  }

  load().catch((e) => {
    if (e.status === 401 || stopped) return;
    fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
  });
  return () => { stopped = true; };
}
