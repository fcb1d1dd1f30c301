// chart.js: one patient's chart: identity, alerts, today's session with
// its next steps, the prescription in force, a block and its review, and
// the last 14 days as a compact grid of sessions and amounts with the
// events beside them.

import { get, post, put } from '../api.js';
import {
  h, add, fill, clear, badge, fmtTime, fmtDay, fmtDateTime, mg, announce, identity, STATE_LABEL, FLAG_LABEL, REASON_LABEL, AE_LABEL, REVIEW_LABEL, DRUG_LABEL, siteLabel,
} from '../ui.js';
import { panel as flexPanel } from './flex.js';
import { actionsFor, adverse, authoriseReduced, oralDose, prescriptionSummary, review, riskDiscussion } from './visit.js';

export function render(main, ctx, [id]) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading the chart…'));
  add(main, body);
  const load = async () => {
    try {
      const premises = await ctx.premises();
      const [patient, rxs, history, board, settings] = await Promise.all([
        get(`/patients/${id}`),
        get(`/patients/${id}/prescriptions`),
        get(`/patients/${id}/dosing-history`),
        get(`/board?premises_id=${premises}`),
        ctx.settings().catch(() => null),
      ]);
      if (stopped) return;
      draw(patient, rxs.prescriptions || [], history, board, settings);
    } catch (e) {
      if (e.status === 401 || stopped) return;
      fill(body, h('div', { class: 'panel' }, h('h1', null, 'Patient chart'),
        h('p', { class: 'form-error', role: 'alert' }, e.status === 404 ? 'There is no patient with this number.' : e.message)));
    }
  };

  function draw(p, rxs, history, board, settings) {
    const name = `${p.given_name} ${p.family_name}`;
    const row = (board.patients || []).find((x) => x.patient_id === p.id);
    const current = rxs.find((r) => r.status === 'current');
    const episode = (p.episodes || [])[0];
    const today = history.days[0];
    const stepError = h('p', { class: 'form-error', role: 'alert' });
    const done = (e) => {
      if (e) stepError.textContent = e.message;
      else load();
    };
    const blocked = row && row.flags.includes('blocked_until_review');
    const visit = row ? { ...row } : { patient_id: p.id, given_name: p.given_name, family_name: p.family_name, state: null, flags: [] };

    // A prescriber may authorise a reduced dose on today's newest assessment.
    const lastAssessment = today && today.assessments.length ? today.assessments[today.assessments.length - 1] : null;
    const extra = [];
    if (ctx.has('prescriber') && row && row.state === 'assessed' && lastAssessment && lastAssessment.decision === 'fit_reduced') {
      extra.push(h('button', { type: 'button', class: 'primary', onclick: () => authoriseReduced(visit, lastAssessment.id, ctx, done) }, 'Authorise reduced dose'));
    }
    if (ctx.has('nurse', 'prescriber') && !(row && ['dosed', 'observing'].includes(row.state))) {
      extra.push(h('button', { type: 'button', class: 'danger', onclick: () => adverse(visit, ctx, done) }, 'Adverse event'));
    }
    if (ctx.has('nurse', 'prescriber') && current && current.oral_drug) {
      extra.push(h('button', { type: 'button', onclick: () => oralDose(visit, ctx, done, current) }, 'Oral dose'));
    }
    if (ctx.has('nurse', 'prescriber')) {
      extra.push(h('button', { type: 'button', onclick: () => riskDiscussion(visit, ctx, done) }, 'Risk discussion'));
    }
    if (ctx.has('prescriber') && !blocked) {
      // A review can be recorded at any time, not only to lift a block.
      extra.push(h('button', { type: 'button', onclick: () => review(visit, ctx, done) }, 'Record a review'));
    }

    fill(body, 
      h('div', { class: 'screen-head' },
        h('h1', null, name),
        h('div', { class: 'actions' },
          h('a', { class: 'button', href: `#/patients/${p.id}/prescriptions` }, 'Prescriptions'),
          h('a', { class: 'button', href: `#/patients/${p.id}/take-home` }, 'Take-home'),
          h('a', { class: 'button', href: `#/patients/${p.id}/edit` }, 'Details and episodes'),
          h('a', { class: 'button', href: `#/patients/${p.id}/outcomes` }, 'Recovery and outcomes'))),
      p.alerts ? h('p', { class: 'alerts' }, h('strong', null, 'Alerts: '), p.alerts) : null,
      history.review_pending
        ? h('p', { class: 'alerts review-pending', role: 'status' }, h('strong', null, 'Review pending: '), history.review_pending.message)
        : blocked ? h('p', { class: 'alerts', role: 'status' }, 'Blocked until a prescriber reviews this patient: no dose can be given.') : null,
      h('div', { class: 'row' },
        h('section', { class: 'panel', 'aria-labelledby': 'chart-id' },
          h('h2', { id: 'chart-id' }, 'Identity'),
          identity({ ...p, patient_id: p.id, has_photo: history.has_photo }, { large: true, v: Date.now() }),
          ctx.has('nurse', 'prescriber') ? photoControls(p, history.has_photo, load) : null,
          h('dl', { class: 'facts' },
            h('dt', null, 'Born'), h('dd', null, fmtDay(p.birth_date).replace(/^\w+ /, '') + ` ${p.birth_date.slice(0, 4)}`),
            h('dt', null, 'Sex'), h('dd', null, p.sex),
            h('dt', null, 'NHS number'), h('dd', null, p.nhs_number ? p.nhs_number.replace(/(\d{3})(\d{3})(\d{4})/, '$1 $2 $3') : 'Not recorded'),
            h('dt', null, 'Address'), h('dd', null, p.address || 'Not recorded'),
            h('dt', null, 'Contact'), h('dd', null, p.contact || 'Not recorded'),
            h('dt', null, 'Episode'), h('dd', null, episode ? `${episode.status}${episode.start_date ? `, started ${fmtDay(episode.start_date)} ${episode.start_date.slice(0, 4)}` : ''}` : 'None'))),
        h('section', { class: 'panel', 'aria-labelledby': 'chart-today' },
          h('h2', { id: 'chart-today' }, 'This session'),
          row
            ? [h('p', { class: 'state' }, badge(`state-${row.state}`, STATE_LABEL[row.state] || row.state),
              ' ', row.flags.filter((f) => f !== 'observing' && f !== 'alerts_on_record').map((f) => badge(`flag flag-${f}`, FLAG_LABEL[f] || f))),
            h('p', null, `Today: ${row.sessions_today} of ${row.sessions_per_day} sessions${row.day_injected_ug ? `, ${mg(row.day_injected_ug)}` : ''}.`)]
            : h('p', null, board.window ? 'Not due in this session.' : 'No session is running now.'),
          stepError,
          h('div', { class: 'actions' }, row ? actionsFor(visit, ctx, done) : null, extra)),
        h('section', { class: 'panel', 'aria-labelledby': 'chart-rx' },
          h('h2', { id: 'chart-rx' }, 'Prescription'),
          current
            ? [h('p', null, `${current.drug[0].toUpperCase()}${current.drug.slice(1)}: ${prescriptionSummary(current)}.`),
              current.oral_drug ? h('p', null, `Oral: ${current.oral_drug.replace('_oral', '')} ${current.oral_dose_mg} mg a day (maximum ${current.oral_daily_max_mg} mg).`) : null,
              h('p', { class: 'muted' }, `Signed by ${current.prescriber} (${current.licence_number || 'no licence number'}) on ${fmtDateTime(current.signed_at)}; from ${fmtDay(current.start_date)}${current.end_date ? ` to ${fmtDay(current.end_date)}` : ''}.`)]
            : h('p', { class: 'notice' }, 'No current prescription: nothing can be given.'))),
      flexPanel(p.id, ctx, load),
      grid(history, settings),
      readings(history, settings),
      events(history));
  }

  load();
  return () => { stopped = true; };
}

/** Take or upload the photograph (a tablet's camera opens from the file
 * picker), or remove it when the patient withdraws consent. */
function photoControls(p, has, reload) {
  const file = h('input', { type: 'file', id: 'photo-file', accept: 'image/jpeg,image/png', capture: 'user', class: 'sr-only' });
  const err = h('p', { class: 'form-error', role: 'alert' });
  file.addEventListener('change', () => {
    const f = file.files && file.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = async () => {
      const b64 = String(reader.result).replace(/^data:[^,]*,/, '');
      try {
        await put(`/patients/${p.id}/photo`, { content_type: f.type === 'image/png' ? 'image/png' : 'image/jpeg', image_base64: b64 });
        announce('Photograph saved.');
        reload();
      } catch (e) { err.textContent = e.message; }
    };
    reader.readAsDataURL(f);
  });
  const remove = async () => {
    const reason = window.prompt('Why is the photograph being removed? (consent withdrawn)');
    if (!reason) return;
    try {
      await post(`/patients/${p.id}/photo/withdraw`, { reason });
      announce('Photograph removed.');
      reload();
    } catch (e) { err.textContent = e.message; }
  };
  return h('div', { class: 'actions' },
    h('label', { class: 'button', for: 'photo-file' }, has ? 'Replace photograph' : 'Take or upload a photograph'), file,
    has ? h('button', { type: 'button', class: 'danger', onclick: remove }, 'Remove photograph (consent withdrawn)') : null,
    err);
}

/** The last 14 days: one row a day, a column per session window. */
function grid(history, settings) {
  const windows = settings && settings.windows && settings.windows.length
    ? settings.windows.map((w) => w.name) : ['morning', 'afternoon'];
  const cap = (s) => s[0].toUpperCase() + s.slice(1);
  const table = h('table', { class: 'grid14' },
    h('caption', { class: 'muted' }, 'Injectable amounts by session; under each dose its time, route, site and who gave/witnessed it (initials: hover for the names). W = withheld, D = declined, AE = adverse event. Newest day first.'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Day'),
      windows.map((w) => h('th', { scope: 'col' }, cap(w))),
      h('th', { scope: 'col', class: 'num' }, 'Injected'),
      h('th', { scope: 'col', class: 'num' }, 'Oral'),
      h('th', { scope: 'col' }, 'Events'))),
    h('tbody', null, history.days.map((d) => h('tr', null,
      h('th', { scope: 'row' }, fmtDay(d.date)),
      windows.map((w, i) => cell(d, i)),
      h('td', { class: 'num' }, d.injectable_ug ? mg(d.injectable_ug) : '—'),
      oralCell(d),
      h('td', { class: 'events' }, dayNotes(d))))));
  return h('section', { class: 'panel', 'aria-labelledby': 'chart-grid' },
    h('h2', { id: 'chart-grid' }, 'Last 14 days'),
    h('div', { class: 'table-wrap' }, table));
}

function cell(day, window) {
  const doses = day.administrations.filter((a) => a.kind === 'injection' && a.window_no === window);
  const ev = day.events.filter((e) => e.window_no === window);
  const parts = [];
  doses.forEach((a, i) => {
    if (i) parts.push(' + ');
    parts.push(h('span', { title: `${fmtTime(a.given_at)} ${a.route.toUpperCase()} ${siteLabel(a.site)}; ${givenBy(a)}` },
      `${a.amount_ug / 1000}${a.is_topup ? ' top-up' : ''}`));
  });
  if (doses.length) {
    parts.push(' mg');
    parts.push(h('div', { class: 'muted small' }, doses.map((a, i) => [i ? '; ' : '',
      `${fmtTime(a.given_at)} ${a.route.toUpperCase()} ${siteLabel(a.site).toLowerCase()} `, who(a)])));
  }
  const withheld = ev.find((e) => e.kind === 'withheld');
  if (withheld) {
    const reason = (withheld.detail && withheld.detail.reason) || '';
    parts.push(h('span', { class: 'w' }, `${parts.length ? ' ' : ''}W${reason ? ` (${(REASON_LABEL[reason] || reason).toLowerCase()})` : ''}`));
  }
  if (ev.find((e) => e.kind === 'declined')) parts.push(h('span', { class: 'w' }, ' D'));
  if (!parts.length) return h('td', { class: 'cell-none' }, '—');
  return h('td', null, parts);
}

/** The day's oral doses: the amount, and below it when and by whom. */
function oralCell(day) {
  const doses = day.administrations.filter((a) => a.kind === 'oral');
  if (!doses.length) return h('td', { class: 'num cell-none' }, day.oral_ug ? mg(day.oral_ug) : '—');
  return h('td', { class: 'num', title: doses.map((a) => `${fmtTime(a.given_at)} ${mg(a.amount_ug)} ${DRUG_LABEL[a.drug] || a.drug}; ${givenBy(a)}`).join('\n') },
    mg(day.oral_ug),
    h('div', { class: 'muted small' }, doses.map((a, i) => [i ? '; ' : '', `${fmtTime(a.given_at)} `, who(a)])));
}

/** 'Priya Patel' as 'PP' ('Dr Adaeze Okafor' as 'AO'). */
export function initials(name) {
  const words = String(name || '').split(/\s+/).filter((w) => w && !/^(dr|mr|mrs|ms|mx|miss|prof)\.?$/i.test(w));
  if (!words.length) return '?';
  const pick = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return pick.map((w) => w[0].toUpperCase()).join('');
}

const givenBy = (a) => `given by ${a.nurse || 'unknown'}, witnessed by ${a.witness || 'unknown'}`;

/** Who gave and who witnessed, compact on screen (PP/CB) and in full for a screen reader and on hover. */
function who(a) {
  return h('span', { class: 'who-gave', title: givenBy(a)[0].toUpperCase() + givenBy(a).slice(1) },
    h('span', { 'aria-hidden': 'true' }, `${initials(a.nurse)}/${initials(a.witness)}`),
    h('span', { class: 'sr-only' }, givenBy(a)));
}

/** The pre-dose assessments' and post-dose checks' readings, newest first,
 * with each leaving against advice and its reason. */
function readings(history, settings) {
  const scale = settings && settings.sedation_scale ? settings.sedation_scale : [];
  const sed = (n) => (n === undefined || n === null ? '—' : `${n}${scale[n] ? `: ${scale[n]}` : ''}`);
  const rows = [];
  for (const d of history.days) {
    for (const a of d.assessments) {
      rows.push({ at: a.assessed_at, cells: ['Pre-dose', sed(a.sedation_level), `${a.breath_alcohol_ug} µg/100 ml`, '—', '—', '—',
        `${a.decision.replace('_', ' ')}${a.reason ? ` (${(REASON_LABEL[a.reason] || a.reason).toLowerCase()})` : ''}`], cls: a.decision === 'fit' ? '' : 'w' });
    }
    for (const e of d.events) {
      const x = e.detail || {};
      if (e.kind === 'postdose_check') {
        rows.push({ at: e.recorded_at, cells: ['Post-dose', sed(x.sedation_level), '—', x.respiratory_rate !== undefined ? `${x.respiratory_rate}/min` : '—',
          x.spo2 !== undefined ? `${x.spo2}%` : '—', x.pupils || '—', x.abnormal ? `ABNORMAL: ${(x.alarms || []).join(', ').replace(/_/g, ' ')}` : 'normal'], cls: x.abnormal ? 'ae' : '' });
      }
      if (e.kind === 'left' && x.left_against_advice) {
        rows.push({ at: e.recorded_at, cells: ['Left against advice', '—', '—', '—', '—', '—', x.against_advice_reason || x.notes || ''], cls: 'w' });
      }
    }
  }
  rows.sort((p, q) => (p.at < q.at ? 1 : -1));
  // The newest few at once; the rest of the fortnight one click away.
  const SHOWN = 8;
  const table = (list) => h('div', { class: 'table-wrap' }, h('table', { class: 'readings' },
    h('thead', null, h('tr', null, ['When', 'Check', 'Sedation', 'Breath alcohol', 'Breathing', 'Saturation', 'Pupils', 'Outcome'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, list.map((r) => h('tr', { class: r.cls }, h('td', { class: 'when' }, fmtDateTime(r.at)), r.cells.map((t) => h('td', null, t)))))));
  return h('section', { class: 'panel', 'aria-labelledby': 'chart-readings' },
    h('h2', { id: 'chart-readings' }, 'Readings before and after each dose'),
    rows.length ? table(rows.slice(0, SHOWN)) : h('p', { class: 'muted' }, 'No readings in the last 14 days.'),
    rows.length > SHOWN ? h('details', null, h('summary', null, `Earlier readings (${rows.length - SHOWN} more in the last 14 days)`), table(rows.slice(SHOWN))) : null);
}

function dayNotes(d) {
  // One line each: an adverse event and the review after it read as two things.
  const notes = [];
  for (const a of d.adverse_events) {
    notes.push(h('div', { class: 'ae' }, `AE ${fmtTime(a.occurred_at)}: ${AE_LABEL[a.kind] || a.kind}${a.naloxone_dose_ug ? ` (naloxone ${a.naloxone_dose_ug / 1000} mg ${a.naloxone_route || ''})` : ''}${a.is_blocking ? ', blocked until review' : ''}.`));
  }
  for (const r of d.reviews || []) {
    notes.push(h('div', { class: 'rv' }, `Review ${fmtTime(r.reviewed_at)}: ${(REVIEW_LABEL[r.outcome] || r.outcome).toLowerCase()} (${r.prescriber}).`));
  }
  for (const e of d.events) {
    if (e.kind === 'left' && e.detail && e.detail.left_against_advice) notes.push(h('div', { class: 'w' }, `Left against advice ${fmtTime(e.recorded_at)}${e.detail.against_advice_reason ? `: ${e.detail.against_advice_reason}` : ''}.`));
    if ((e.kind === 'withheld' || e.kind === 'declined') && e.detail && e.detail.notes) notes.push(h('div', null, e.detail.notes));
  }
  return notes.length ? notes : '';
}

function events(history) {
  const aes = [];
  const reviews = [];
  for (const d of history.days) {
    for (const a of d.adverse_events) aes.push(a);
    for (const r of d.reviews || []) reviews.push(r);
  }
  // Newest first, as the grid.
  aes.sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));
  reviews.sort((a, b) => b.reviewed_at.localeCompare(a.reviewed_at));
  // The review that lifted a block is the first one after the event.
  const liftedBy = (a) => reviews.filter((r) => r.reviewed_at >= a.occurred_at).pop();
  return h('section', { class: 'panel', 'aria-labelledby': 'chart-ae' },
    h('h2', { id: 'chart-ae' }, 'Adverse events and blocks (last 14 days)'),
    aes.length
      ? h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, ['When', 'What', 'Naloxone', 'Action taken', 'Outcome', 'Blocks'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, aes.map((a) => {
          const lift = a.is_blocking ? liftedBy(a) : null;
          return h('tr', null,
            h('td', null, fmtDateTime(a.occurred_at)),
            h('td', null, AE_LABEL[a.kind] || a.kind),
            h('td', null, a.naloxone_dose_ug ? `${a.naloxone_dose_ug / 1000} mg ${a.naloxone_route || ''}` : '—'),
            h('td', null, a.action_taken),
            h('td', null, a.outcome),
            h('td', null, !a.is_blocking ? 'No' : lift ? `Until review: lifted ${fmtDateTime(lift.reviewed_at)} by ${lift.prescriber}` : h('strong', null, 'Until review (not yet reviewed)')));
        }))))
      : h('p', { class: 'muted' }, 'None in the last 14 days.'),
    h('h3', { id: 'chart-reviews' }, 'Prescriber reviews'),
    reviews.length
      ? h('div', { class: 'table-wrap' }, h('table', { 'aria-labelledby': 'chart-reviews' },
        h('thead', null, h('tr', null, ['When', 'Outcome', 'Prescriber', 'Notes'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, reviews.map((r) => h('tr', null,
          h('td', null, fmtDateTime(r.reviewed_at)),
          h('td', null, REVIEW_LABEL[r.outcome] || r.outcome),
          h('td', null, r.prescriber),
          h('td', null, r.notes || h('span', { class: 'muted' }, 'No notes')))))))
      : h('p', { class: 'muted' }, 'None in the last 14 days.'));
}
