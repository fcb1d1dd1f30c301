// summary.js: the end-of-session handover and the printable daily dosing
// sheet.  The handover lists who was dosed, withheld, declined, blocked or
// not seen, the doses left undone, every alarm of the session, and, for
// each register page, the ampoules the session's doses booked against the
// page's own entries.  The sheet is the whole day's doses, one row a
// patient, for the printer.

import { get } from '../api.js';
import {
  h, add, fill, fmtTime, fmtLongDay, mg, STATE_LABEL,
} from '../ui.js';

const GROUPS = [
  ['undone', 'Doses left undone (due, checked in or assessed)'],
  ['blocked', 'Blocked: waiting for a prescriber'],
  ['dosed', 'Dosed'],
  ['withheld', 'Withheld'],
  ['declined', 'Declined'],
  ['did_not_attend', 'Did not attend'],
  ['planned_absence', 'Planned absence'],
];
const ALARM = { sedation: 'sedation', respiratory_rate: 'breathing rate', oxygen_saturation: 'oxygen saturation' };
const person = (x) => `${x.given_name} ${x.family_name}`;

export function renderSummary(main, ctx) {
  const body = h('div', null, h('p', null, 'Loading the session summary…'));
  add(main, body);
  (async () => {
    try {
      const premises = await ctx.premises();
      const s = await get(`/session-summary?premises_id=${premises}`);
      const names = new Map();
      Object.values(s.patients).flat().forEach((p) => names.set(p.patient_id, person(p)));
      fill(body,
        h('div', { class: 'screen-head' },
          h('h1', null, `Session summary: ${s.window_name}, ${fmtLongDay(s.date)}`),
          h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/dosing-sheet/${s.date}` }, 'Daily dosing sheet'))),
        h('section', { class: 'panel', 'aria-labelledby': 'sum-alarms' },
          h('h2', { id: 'sum-alarms' }, 'Alarms'),
          s.alarms.length
            ? h('ul', null, s.alarms.map((a) => h('li', { class: 'ae' }, `${fmtTime(a.recorded_at)} ${person(a)}: abnormal post-dose check (${(a.alarms || []).map((x) => ALARM[x] || x).join(', ')}).`)))
            : h('p', { class: 'muted' }, 'No abnormal post-dose check in this session.')),
        GROUPS.map(([k, title]) => h('section', { class: 'panel', 'aria-labelledby': `sum-${k}` },
          h('h2', { id: `sum-${k}` }, `${title}: ${s.patients[k].length}`),
          s.patients[k].length ? h('ul', null, s.patients[k].map((p) => h('li', null,
            h('a', { href: `#/patients/${p.patient_id}` }, person(p)), ` — ${STATE_LABEL[p.state] || p.state}`,
            p.day_injected_ug ? `, ${mg(p.day_injected_ug)} today` : '',
            p.left_against_advice ? ', left against advice' : '',
            p.review_pending ? `; ${p.review_pending.message}` : ''))) : null)),
        h('section', { class: 'panel', 'aria-labelledby': 'sum-ampoules' },
          h('h2', { id: 'sum-ampoules' }, 'Ampoules used, by register page'),
          s.ampoules.length ? h('table', { class: 'ampoules' },
            h('thead', null, h('tr', null, ['Page', 'Booked by the doses', 'Register entries', ''].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', null, s.ampoules.map((p) => h('tr', { class: p.is_matched ? '' : 'ae' },
              h('td', null, h('a', { href: `#/register/${p.page_id}` }, `${p.drug} ${p.strength_ug / 1000} mg ${p.form.replace(/_/g, ' ')}`)),
              h('td', { class: 'num' }, String(p.booked_by_doses)),
              h('td', { class: 'num' }, `${p.register_entries_qty} (${p.register_entries} ${p.register_entries === 1 ? 'entry' : 'entries'})`),
              h('td', null, p.is_matched ? 'matches' : 'DIFFERENT: check the page'))))) : h('p', { class: 'muted' }, 'No ampoules used in this session.')),
        h('section', { class: 'panel', 'aria-labelledby': 'sum-doses' },
          h('h2', { id: 'sum-doses' }, 'Doses given'),
          h('ul', null, s.doses.map((d) => h('li', null, `${fmtTime(d.given_at)} ${names.get(d.patient_id) || `patient ${d.patient_id}`}: ${mg(d.amount_ug)} ${d.drug}${d.is_topup ? ' (top-up)' : ''}, ${d.nurse} / ${d.witness}`)))));
    } catch (e) {
      if (e.status === 401) return;
      fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  })();
  return () => {};
}

export function renderSheet(main, ctx, [date]) {
  const body = h('div', null, h('p', null, 'Loading the dosing sheet…'));
  add(main, body);
  (async () => {
    try {
      const premises = await ctx.premises();
      const settings = await ctx.settings();
      const windows = (settings && settings.windows) || [];
      const sums = await Promise.all(windows.map((w, i) => get(`/session-summary?premises_id=${premises}&date=${date}&window=${i}`)));
      const rows = new Map();
      sums.forEach((s, i) => {
        Object.values(s.patients).flat().forEach((p) => {
          if (!rows.has(p.patient_id)) rows.set(p.patient_id, { name: person(p), cells: windows.map(() => []), states: windows.map(() => '') });
          rows.get(p.patient_id).states[i] = STATE_LABEL[p.state] || p.state;
        });
        s.doses.forEach((d) => {
          if (!rows.has(d.patient_id)) rows.set(d.patient_id, { name: `patient ${d.patient_id}`, cells: windows.map(() => []), states: windows.map(() => '') });
          rows.get(d.patient_id).cells[i].push(`${fmtTime(d.given_at)} ${mg(d.amount_ug)}${d.kind === 'oral' ? ' oral' : ''} ${d.nurse}/${d.witness}`);
        });
      });
      const list = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
      fill(body,
        h('div', { class: 'screen-head' },
          h('h1', null, `Daily dosing sheet, ${fmtLongDay(date)}`),
          h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, 'Print'))),
        h('table', { class: 'dosing-sheet' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Patient'), windows.map((w) => h('th', { scope: 'col' }, `${w.name} ${w.start}–${w.end}`)), h('th', { scope: 'col' }, 'Checked'))),
          h('tbody', null, list.map((r) => h('tr', null, h('th', { scope: 'row' }, r.name),
            r.cells.map((c, i) => h('td', null, c.length ? c.map((t) => h('div', null, t)) : r.states[i] || '—')),
            h('td', { class: 'sign' }, ''))))));
    } catch (e) {
      if (e.status === 401) return;
      fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  })();
  return () => {};
}
