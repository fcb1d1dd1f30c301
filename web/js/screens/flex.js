// flex.js: flexibility on the patient's chart and the clinic's report of
// the schedule's burden.  On the chart: the planned absences (a keyworker or
// nurse records one in advance, with its reason), the oral cover a
// prescriber gives for one (supervised earlier at the clinic, or take-home
// where the clinic allows it), the nurse giving it with a witness, and the
// person's preferred windows and travel time.  The rules are the server's:
// a refusal is shown with its own words.

import { api, get, post, newIdempotencyKey } from '../api.js';
import {
  h, add, fill, badge, fmtDay, mg, announce, openDialog, input, numberInput, select, choices,
  textarea, witnessFields, witnessValue, str, num, int, radio, checkedValues, compact, onSubmit, clinicToday, addDays,
  checkbox, isChecked, formError, DRUG_LABEL,
} from '../ui.js';

export const ABSENCE_REASON = {
  work: 'Work', family: 'Family', health_appointment: 'Health appointment', court: 'Court', holiday: 'Holiday', other: 'Other',
};
const MODE_LABEL = { supervised: 'Supervised at the clinic, earlier', take_home: 'Take-home supply' };

const fieldMap = { 'witness.username': 'witness_username', 'witness.password': 'witness_password' };

function sessionsText(s) {
  return s === 'all' ? 'every session' : (s || []).join(' and ');
}

function recordAbsence(pid, ctx, windows, done) {
  const key = newIdempotencyKey();
  const today = clinicToday();
  openDialog({
    title: 'Plan an absence',
    intro: 'Recorded before the sessions it covers. It shows as planned, never as did-not-attend, and is not counted against attendance; the missed-dose rules still count the days.',
    fields: [
      h('div', { class: 'row' },
        input('from_date', 'First day', { type: 'date', required: true, value: addDays(today, 1) }),
        input('to_date', 'Last day', { type: 'date', required: true, value: addDays(today, 1) })),
      choices('sessions', 'Sessions missed (none ticked: every session)', windows.map((w) => [w.name, `${w.name} (${w.start}–${w.end})`]), { multiple: true }),
      select('reason', 'Reason', Object.entries(ABSENCE_REASON), { required: true, placeholder: 'Choose…' }),
      textarea('notes', 'Notes', { optional: true, rows: 2 }),
    ],
    submitLabel: 'Record planned absence',
    submit: (f) => {
      const sessions = checkedValues(f, 'sessions');
      return post(`/patients/${pid}/planned-absences`, compact({
        from_date: str(f, 'from_date'), to_date: str(f, 'to_date'), reason: str(f, 'reason'),
        sessions: sessions.length ? sessions : undefined, notes: str(f, 'notes'),
      }), { idempotencyKey: key });
    },
    done: (r) => { announce(`Planned absence recorded: ${fmtDay(r.from_date)} to ${fmtDay(r.to_date)}.`); done(); },
  });
}

function prescribeCover(a, done) {
  const key = newIdempotencyKey();
  openDialog({
    title: 'Oral cover for a planned absence',
    intro: `${ABSENCE_REASON[a.reason] || a.reason}, ${fmtDay(a.from_date)} to ${fmtDay(a.to_date)}, ${sessionsText(a.sessions)}.`,
    fields: [
      select('drug', 'Oral drug', [['srom', DRUG_LABEL.srom], ['methadone_oral', DRUG_LABEL.methadone_oral]], { required: true }),
      numberInput('daily_dose_mg', 'Daily dose (mg)', { required: true, min: 0, max: 5000 }),
      choices('mode', 'How it is given', Object.entries(MODE_LABEL), { required: true, value: 'supervised' }),
      textarea('notes', 'Notes', { optional: true, rows: 2 }),
    ],
    submitLabel: 'Give oral cover',
    submit: (f) => post(`/planned-absences/${a.id}/oral-cover`, compact({
      drug: str(f, 'drug'), daily_dose_mg: num(f, 'daily_dose_mg'), mode: radio(f, 'mode'), notes: str(f, 'notes'),
    }), { idempotencyKey: key }),
    done: (r) => { announce(`Oral cover given: ${DRUG_LABEL[r.drug]} ${mg(r.daily_dose_ug)} a day.`); done(); },
  });
}

function giveCover(c, done) {
  const key = newIdempotencyKey();
  openDialog({
    title: 'Supervised oral cover dose',
    intro: `${DRUG_LABEL[c.drug]} ${mg(c.daily_dose_ug)} for today, taken here with a witness.`,
    fields: [numberInput('amount_mg', 'Amount (mg)', { required: true, min: 0, max: 5000, value: c.daily_dose_ug / 1000 }), witnessFields('A second nurse')],
    submitLabel: 'Record cover dose',
    submit: (f) => post(`/oral-covers/${c.id}/doses`, { amount_mg: num(f, 'amount_mg'), witness: witnessValue(f) }, { idempotencyKey: key }),
    fieldMap,
    done: (r) => { announce(`Oral cover ${mg(r.amount_ug)} given.`); done(); },
  });
}

function supplyCover(c, done) {
  const key = newIdempotencyKey();
  openDialog({
    title: 'Hand over take-home oral cover',
    intro: `${DRUG_LABEL[c.drug]} ${mg(c.daily_dose_ug)} a day for the covered days left, posted to the register.`,
    fields: [witnessFields('A second nurse')],
    submitLabel: 'Hand over',
    submit: (f) => post(`/oral-covers/${c.id}/supplies`, { witness: witnessValue(f) }, { idempotencyKey: key }),
    fieldMap,
    done: (r) => { announce(`Handed over ${mg(r.amount_ug)} for ${r.days} days.`); done(); },
  });
}

function returnCover(c, done) {
  const key = newIdempotencyKey();
  openDialog({
    title: 'Unused take-home cover returned',
    intro: 'It goes to the returns log for destruction, never back into stock.',
    fields: [numberInput('amount_mg', 'Amount returned (mg)', { required: true, min: 0 }), textarea('notes', 'Notes', { optional: true, rows: 2 }), witnessFields('A second person')],
    submitLabel: 'Record return',
    submit: (f) => post(`/oral-covers/${c.id}/returns`, compact({ amount_mg: num(f, 'amount_mg'), notes: str(f, 'notes'), witness: witnessValue(f) }), { idempotencyKey: key }),
    fieldMap,
    done: (r) => { announce(`Return of ${mg(r.amount_ug)} recorded.`); done(); },
  });
}

function cancelAbsence(a, done) {
  const key = newIdempotencyKey();
  openDialog({
    title: 'Cancel the planned absence',
    intro: `${fmtDay(a.from_date)} to ${fmtDay(a.to_date)}. The record stays; the cancellation is added to it.`,
    fields: [textarea('notes', 'Why', { optional: true, rows: 2 })],
    submitLabel: 'Cancel the absence',
    danger: true,
    submit: (f) => post(`/planned-absences/${a.id}/cancel`, compact({ notes: str(f, 'notes') }), { idempotencyKey: key }),
    done: () => { announce('Planned absence cancelled.'); done(); },
  });
}

function preference(pid, pref, windows, done) {
  const key = newIdempotencyKey();
  openDialog({
    title: 'Session times and travel',
    fields: [
      choices('windows', 'Preferred windows (none ticked: the clinic\'s usual sessions)', windows.map((w) => [w.name, `${w.name} (${w.start}–${w.end})`]), { multiple: true, value: pref.windows || [] }),
      numberInput('travel_min', 'Travel time one way (minutes, optional)', { min: 0, max: 600, value: pref.travel_min ?? undefined, optional: true }),
    ],
    submitLabel: 'Save',
    submit: (f) => post(`/patients/${pid}/session-preferences`, { windows: checkedValues(f, 'windows'), travel_min: int(f, 'travel_min') ?? null }, { idempotencyKey: key }),
    done: () => { announce('Session times saved.'); done(); },
  });
}

function changeSession(pid, windows, done) {
  const key = newIdempotencyKey();
  const names = windows.map((w) => [w.name, `${w.name} (${w.start}–${w.end})`]);
  openDialog({
    title: 'Change a session for one day',
    intro: 'Recorded before either session begins. The board shows the person in the new session that day.',
    fields: [
      input('date', 'Day', { type: 'date', required: true, value: addDays(clinicToday(), 1) }),
      h('div', { class: 'row' },
        select('from_window', 'From', names, { required: true }),
        select('to_window', 'To', names, { required: true, value: names.length > 1 ? names[names.length - 1][0] : undefined })),
      input('reason', 'Why (optional)', { optional: true }),
    ],
    submitLabel: 'Change the session',
    submit: (f) => post(`/patients/${pid}/session-changes`, compact({
      date: str(f, 'date'), from_window: str(f, 'from_window'), to_window: str(f, 'to_window'), reason: str(f, 'reason'),
    }), { idempotencyKey: key }),
    done: (r) => { announce(`Session moved from ${r.from} to ${r.to} on ${fmtDay(r.date)}.`); done(); },
  });
}

function coverLine(a, c, ctx, done) {
  const today = clinicToday();
  const active = a.status === 'planned';
  const acts = [];
  if (active && ctx.has('nurse', 'prescriber')) {
    if (c.mode === 'supervised' && today >= c.from_date && today <= c.to_date && c.last_supervised_date !== today) acts.push(h('button', { type: 'button', class: 'primary', onclick: () => giveCover(c, done) }, 'Give cover dose'));
    if (c.mode === 'take_home' && !c.supplied_ug && today <= c.to_date) acts.push(h('button', { type: 'button', class: 'primary', onclick: () => supplyCover(c, done) }, 'Hand over take-home'));
  }
  if (c.mode === 'take_home' && c.supplied_ug > c.returned_ug && ctx.has('nurse', 'pharmacist')) acts.push(h('button', { type: 'button', onclick: () => returnCover(c, done) }, 'Record a return'));
  const given = c.mode === 'supervised'
    ? (c.supervised_ug ? `${mg(c.supervised_ug)} taken here` : 'not yet taken')
    : (c.supplied_ug ? `${mg(c.supplied_ug)} handed over${c.returned_ug ? `, ${mg(c.returned_ug)} returned` : ''}` : 'not yet handed over');
  return h('li', { class: 'cover', dataset: { cover: c.id } },
    badge('flag flag-oral-cover', 'Oral cover'), ' ',
    `${DRUG_LABEL[c.drug] || c.drug} ${mg(c.daily_dose_ug)} a day, ${MODE_LABEL[c.mode].toLowerCase()}, ${fmtDay(c.from_date)} to ${fmtDay(c.to_date)} (${c.prescriber}): ${given}.`,
    acts.length ? h('div', { class: 'actions' }, acts) : null);
}

/** The chart's flexibility panel: loads itself; reload() redraws the chart. */
export function panel(pid, ctx, reload) {
  const body = h('div', null, h('p', null, 'Loading planned absences…'));
  const section = h('section', { class: 'panel flex-panel', 'aria-labelledby': 'chart-flex' },
    h('h2', { id: 'chart-flex' }, 'Planned absences and session times'), body);
  (async () => {
    try {
      const [fx, settings] = await Promise.all([get(`/patients/${pid}/flexibility`), ctx.settings()]);
      const windows = settings.windows || [];
      const today = clinicToday();
      const acts = [];
      if (ctx.has('keyworker', 'nurse')) acts.push(h('button', { type: 'button', class: 'primary', onclick: () => recordAbsence(pid, ctx, windows, reload) }, 'Plan an absence'));
      if (ctx.has('prescriber', 'nurse', 'keyworker', 'manager')) {
        acts.push(h('button', { type: 'button', onclick: () => preference(pid, fx.preference || {}, windows, reload) }, 'Session times and travel'));
        acts.push(h('button', { type: 'button', onclick: () => changeSession(pid, windows, reload) }, 'Change a session for one day'));
      }
      const changes = (fx.session_changes || []).filter((x) => x.change_date >= today);
      const list = (fx.absences || []).filter((a) => a.status === 'planned' && a.to_date >= addDays(today, -7));
      const pref = fx.preference || {};
      fill(body,
        h('p', { class: 'muted' },
          (pref.windows && pref.windows.length) ? `Prefers ${pref.windows.join(' and ')}. ` : 'Usual sessions. ',
          pref.travel_min !== null && pref.travel_min !== undefined ? `Travel ${pref.travel_min} min each way.` : 'Travel time not recorded.'),
        list.length
          ? h('ul', { class: 'absences' }, list.map((a) => h('li', { class: 'absence', dataset: { absence: a.id } },
            h('p', null, badge('state-planned_absence', 'Planned absence'), ' ',
              h('strong', null, ABSENCE_REASON[a.reason] || a.reason), `: ${fmtDay(a.from_date)}${a.to_date !== a.from_date ? ` to ${fmtDay(a.to_date)}` : ''}, ${sessionsText(a.sessions)}.`,
              a.notes ? h('span', { class: 'muted' }, ` ${a.notes}`) : null),
            (a.oral_cover || []).length
              ? h('ul', { class: 'covers' }, a.oral_cover.map((c) => coverLine(a, c, ctx, reload)))
              : h('p', { class: 'muted' }, 'No oral cover.'),
            h('div', { class: 'actions' },
              ctx.has('prescriber') && !(a.oral_cover || []).length && a.to_date >= today ? h('button', { type: 'button', onclick: () => prescribeCover(a, reload) }, 'Oral cover') : null,
              ctx.has('keyworker', 'nurse') && a.from_date > today ? h('button', { type: 'button', onclick: () => cancelAbsence(a, reload) }, 'Cancel absence') : null))))
          : h('p', null, 'No planned absences.'),
        changes.length ? h('ul', { class: 'changes' }, changes.map((x) => h('li', null,
          badge('flag flag-session-moved', 'Session moved'), ` ${fmtDay(x.change_date)}: ${x.from} to ${x.to}${x.reason ? ` (${x.reason})` : ''}.`))) : null,
        acts.length ? h('div', { class: 'actions' }, acts) : null);
    } catch (e) {
      if (e.status === 401) return;
      fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  })();
  return section;
}

const pct = (x) => (x === null || x === undefined ? 'not shown' : `${Math.round(x * 1000) / 10}%`);
const hours = (x) => (x === null || x === undefined ? 'not shown' : `${Math.round(x * 10) / 10} h`);

/** The manager's report: the schedule's burden and the flexibility used. */
export function renderReport(main) {
  const out = h('div', null);
  const today = clinicToday();
  const form = h('form', { class: 'filters' },
    h('div', { class: 'row' },
      input('from', 'From', { type: 'date', value: addDays(today, -27) }),
      input('to', 'To', { type: 'date', value: today }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Show'))));
  add(main, h('div', { class: 'panel' }, h('h1', null, 'The schedule\'s burden'),
    h('p', null, 'Hours a week each person spends travelling to and attending sessions, the sessions they used each kind of flexibility for, and how attendance, retention and street-heroin screens compare for those who used it. Groups under 5 people are not shown.'),
    form), out);
  const load = async (from, to) => {
    const r = await get(`/reports/flexibility?from=${from}&to=${to}`);
    const groups = [['Used flexibility', r.compared.used_flexibility], ['Did not', r.compared.did_not_use]];
    fill(out,
      h('section', { class: 'panel', 'aria-labelledby': 'flex-compare' },
        h('h2', { id: 'flex-compare' }, 'Compared'),
        h('table', { class: 'data' },
          h('thead', null, h('tr', null, ['', 'People', 'Attendance', 'Retained', 'Street-heroin screens', 'Hours a week'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', null, groups.map(([label, g]) => h('tr', null,
            h('th', { scope: 'row' }, label), h('td', null, String(g.people)), h('td', null, pct(g.attendance_rate)),
            h('td', null, pct(g.retained_rate)), h('td', null, pct(g.street_heroin_screen_rate)), h('td', null, hours(g.hours_per_week_mean))))))),
      h('section', { class: 'panel', 'aria-labelledby': 'flex-people' },
        h('h2', { id: 'flex-people' }, 'People'),
        h('table', { class: 'data' },
          h('thead', null, h('tr', null, ['Patient', 'Travel (one way)', 'Sessions', 'Hours a week', 'Attendance', 'Planned absent', 'Oral cover', 'Chosen windows', 'Changed sessions'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', null, r.people.map((p) => h('tr', null,
            h('td', null, h('a', { href: `#/patients/${p.patient_id}` }, `#${p.patient_id}`)),
            h('td', null, p.travel_min === null ? 'not recorded' : `${p.travel_min} min`),
            h('td', null, String(p.sessions_attended)), h('td', null, hours(p.hours_per_week)),
            h('td', null, pct(p.attendance_rate)), h('td', null, String(p.flexibility.planned_absence_sessions)),
            h('td', null, `${p.flexibility.oral_cover_supervised} supervised, ${p.flexibility.oral_cover_take_home_days} days take-home`),
            h('td', null, String(p.flexibility.chosen_window_sessions)), h('td', null, String(p.flexibility.session_changes))))))));
  };
  onSubmit(form, (f) => load(str(f, 'from'), str(f, 'to')));
  load(addDays(today, -27), today).catch((e) => fill(out, h('p', { class: 'form-error', role: 'alert' }, e.message)));
  return () => {};
}


const DAYS = [['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'], ['sat', 'Sat'], ['sun', 'Sun']];

/** The manager's flexibility settings, a panel of the clinic settings screen. */
export function settingsPanel(premises) {
  const body = h('div', null, h('p', null, 'Loading flexibility settings…'));
  const section = h('section', { class: 'panel', 'aria-labelledby': 'flex-settings' }, h('h2', { id: 'flex-settings' }, 'Flexibility'), body);
  const draw = (s) => {
    const form = h('form', { 'aria-label': 'Flexibility settings' },
      formError(),
      h('p', { class: 'muted' }, `Version ${s.version}. Each kind of flexibility is off where the clinic or the law says no.`),
      h('fieldset', null, h('legend', null, 'Planned absences and oral cover'),
        checkbox('planned_absence_enabled', 'Planned absences can be recorded', { checked: s.planned_absence_enabled }),
        checkbox('oral_cover_enabled', 'Prescribers can give oral cover for them', { checked: s.oral_cover_enabled }),
        checkbox('oral_take_home_enabled', 'Oral cover may be a take-home supply', { checked: s.oral_take_home_enabled }),
        h('div', { class: 'row' },
          numberInput('absence_max_days', 'Longest planned absence (days)', { required: true, step: '1', value: s.absence_max_days }),
          numberInput('take_home_max_days', 'Most take-home days', { required: true, step: '1', value: s.take_home_max_days }),
          numberInput('cover_bridge_days', 'Days oral cover counts as dosed for the missed-dose rules', { required: true, step: '1', value: s.cover_bridge_days }))),
      h('fieldset', null, h('legend', null, 'Session choice'),
        checkbox('session_choice_enabled', 'Preferred windows and one-day changes are followed', { checked: s.session_choice_enabled }),
        s.windows.map((w, i) => h('fieldset', { class: 'field', dataset: { field: `window-${i}` } },
          h('legend', null, `${w.name} (${w.start}–${w.end})`),
          choices(`days_${i}`, 'Opens on', DAYS, { multiple: true, value: w.weekdays }),
          checkbox(`choice_${i}`, 'Only for those who choose it', { checked: w.choice_only })))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save flexibility settings')));
    onSubmit(form, async (f) => {
      const out = {
        planned_absence_enabled: isChecked(f, 'planned_absence_enabled'),
        oral_cover_enabled: isChecked(f, 'oral_cover_enabled'),
        oral_take_home_enabled: isChecked(f, 'oral_take_home_enabled'),
        session_choice_enabled: isChecked(f, 'session_choice_enabled'),
        absence_max_days: int(f, 'absence_max_days'),
        take_home_max_days: int(f, 'take_home_max_days'),
        cover_bridge_days: int(f, 'cover_bridge_days'),
        windows: s.windows.map((w, i) => ({ name: w.name, weekdays: checkedValues(f, `days_${i}`), choice_only: isChecked(f, `choice_${i}`) })),
      };
      const saved = await api('PUT', `/premises/${premises}/flex-settings`, out);
      announce(`Flexibility settings saved (version ${saved.version}).`);
      draw(saved);
    });
    fill(body, form);
  };
  get(`/premises/${premises}/flex-settings`).then(draw).catch((e) => fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message)));
  return section;
}
