// prescriptions.js: a patient's prescriptions.  Everyone clinical reads
// them; a prescriber writes and signs a new one (the signing is the
// request itself, made by the logged-in prescriber), supersedes the one
// in force, or stops it.

import { get, post } from '../api.js';
import {
  h, add, fill, clear, input, numberInput, select, textarea, choices, checkbox, formError, onSubmit, openDialog, str, num, int, isChecked, checkedValues, compact, announce, fmtDay, fmtDateTime, formatMg, clinicToday, DRUG_LABEL, ROUTE_LABEL,
} from '../ui.js';

export function render(main, ctx, [id]) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading prescriptions…'));
  add(main, body);
  let formHolder = null;

  async function load(keepForm) {
    try {
      const [patient, r] = await Promise.all([get(`/patients/${id}`), get(`/patients/${id}/prescriptions`)]);
      if (stopped) return;
      draw(patient, r.prescriptions || [], keepForm);
    } catch (e) {
      if (e.status === 401 || stopped) return;
      fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function draw(p, list, keepForm) {
    const name = `${p.given_name} ${p.family_name}`;
    const prescriber = ctx.has('prescriber');
    const current = list.find((x) => x.status === 'current');
    const table = h('table', null,
      h('thead', null, h('tr', null, ['Status', 'Drug and routes', 'Per session', 'Sessions a day', 'Daily maximum', 'Top-up', 'Dates', 'Signed', prescriber ? 'Actions' : null]
        .filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, list.map((rx) => h('tr', { class: rx.status === 'current' ? 'current' : null, dataset: { rx: rx.id } },
        h('td', null, h('strong', null, rx.status), rx.ended_reason ? h('div', { class: 'muted' }, rx.ended_reason) : null),
        h('td', null, `${DRUG_LABEL[rx.drug] || rx.drug} ${rx.routes.map((r) => r.toUpperCase()).join(', ')}`,
          rx.oral_drug ? h('div', null, `+ ${DRUG_LABEL[rx.oral_drug] || rx.oral_drug} ${formatMg(rx.oral_dose_mg)} mg`) : null,
          rx.induction ? h('div', { class: 'muted' }, 'with induction schedule') : null),
        h('td', { class: 'num' }, `${formatMg(rx.session_dose_mg)} mg`),
        h('td', { class: 'num' }, rx.sessions_per_day),
        h('td', { class: 'num' }, `${formatMg(rx.daily_max_mg)} mg`),
        h('td', null, rx.is_topup_allowed ? `up to ${formatMg(rx.topup_max_mg)} mg` : 'No'),
        h('td', null, `${fmtDay(rx.start_date)} ${rx.start_date.slice(0, 4)}`, rx.end_date ? ` to ${fmtDay(rx.end_date)} ${rx.end_date.slice(0, 4)}` : ', no end date'),
        h('td', null, rx.prescriber, h('div', { class: 'muted' }, fmtDateTime(rx.signed_at))),
        prescriber ? h('td', null, rx.status === 'current' ? h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => showForm(rx) }, 'Supersede'),
          h('button', { type: 'button', class: 'danger', onclick: () => stop(rx) }, 'Stop')) : null) : null))));
    if (!formHolder || !keepForm) formHolder = h('div');
    fill(body, 
      h('div', { class: 'screen-head' },
        h('h1', null, `Prescriptions: ${name}`),
        h('div', { class: 'actions' },
          h('a', { class: 'button', href: `#/patients/${p.id}` }, 'Back to chart'),
          prescriber ? h('button', { type: 'button', class: 'primary', onclick: () => showForm(null) }, current ? 'Write a new prescription' : 'Write a prescription') : null)),
      h('section', { class: 'panel' },
        list.length ? h('div', { class: 'table-wrap' }, table) : h('p', null, 'No prescriptions yet.')),
      formHolder);

    function stop(rx) {
      openDialog({
        title: `Stop prescription: ${name}`,
        intro: `${DRUG_LABEL[rx.drug]} ${formatMg(rx.session_dose_mg)} mg per session, signed ${fmtDateTime(rx.signed_at)}.`,
        fields: [textarea('reason', 'Reason for stopping', { required: true, rows: 3 })],
        submitLabel: 'Stop prescription',
        danger: true,
        submit: (f) => post(`/prescriptions/${rx.id}/stop`, { reason: str(f, 'reason') }),
        done: () => { announce('Prescription stopped.'); load(); },
      });
    }

    function showForm(base) {
      fill(formHolder, prescriptionForm(ctx, p, base, () => { announce('Prescription signed.'); load(); }));
      formHolder.querySelector('input, select').focus();
    }
  }

  load();
  return () => { stopped = true; };
}

function prescriptionForm(ctx, patient, base, onSigned) {
  const licence = (ctx.user.licences || [])[0];
  const b = base || {};
  const form = h('form', { 'aria-labelledby': 'rx-form-title' },
    formError(),
    base ? h('p', { class: 'notice' }, `This replaces the prescription signed ${fmtDateTime(base.signed_at)}: it ends when you sign this one.`) : null,
    h('div', { class: 'row' },
      select('drug', 'Drug', [['diamorphine', 'Diamorphine'], ['hydromorphone', 'Hydromorphone']], { required: true, value: b.drug || 'diamorphine' }),
      numberInput('sessions_per_day', 'Sessions a day', { required: true, min: 1, max: 3, step: '1', inputmode: 'numeric', value: b.sessions_per_day || 2 })),
    choices('routes', 'Routes', Object.entries(ROUTE_LABEL).filter(([k]) => k !== 'oral'), { multiple: true, required: true, value: b.routes || ['iv'] }),
    h('div', { class: 'row' },
      numberInput('session_dose_mg', 'Dose per session (mg)', { required: true, min: 0, max: 2000, value: b.session_dose_mg }),
      numberInput('daily_max_mg', 'Daily maximum (mg)', { required: true, min: 0, max: 5000, value: b.daily_max_mg })),
    h('fieldset', null, h('legend', null, 'Top-up'),
      checkbox('topup_allowed', 'A top-up may be given within the session', { checked: b.is_topup_allowed }),
      numberInput('topup_max_mg', 'Largest top-up (mg)', { min: 0, max: 2000, value: b.is_topup_allowed ? b.topup_max_mg : undefined, optional: true })),
    h('div', { class: 'row' },
      input('start_date', 'Start date', { type: 'date', required: true, value: clinicToday() }),
      input('end_date', 'End date', { type: 'date', optional: true, value: b.end_date || undefined })),
    checkbox('use_induction_template', 'Start on the clinic\'s induction schedule (titration caps for the first days)', {}),
    h('fieldset', null, h('legend', null, 'Oral component (optional)'),
      h('div', { class: 'row' },
        select('oral_drug', 'Oral drug', [['methadone_oral', 'Methadone (oral)'], ['srom', 'Slow-release oral morphine']], { placeholder: 'None', value: b.oral_drug || '', optional: true }),
        numberInput('oral_dose_mg', 'Oral dose (mg)', { min: 0, max: 2000, optional: true, value: b.oral_drug ? b.oral_dose_mg : undefined }),
        numberInput('oral_daily_max_mg', 'Oral daily maximum (mg)', { min: 0, max: 5000, optional: true, value: b.oral_drug ? b.oral_daily_max_mg : undefined }))),
    textarea('notes', 'Notes', { optional: true, rows: 2, value: '' }),
    h('p', null, licence
      ? `You sign this as ${ctx.user.display_name}, Home Office licence ${licence.licence_number} (expires ${fmtDay(licence.expires_on)} ${licence.expires_on.slice(0, 4)}).`
      : `You sign this as ${ctx.user.display_name}.`),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Sign prescription'),
      h('button', { type: 'button', onclick: () => form.closest('.panel').remove() }, 'Cancel')));
  onSubmit(form, async (f) => {
    const oral = str(f, 'oral_drug');
    const body = compact({
      drug: str(f, 'drug'),
      routes: checkedValues(f, 'routes'),
      session_dose_mg: num(f, 'session_dose_mg'),
      sessions_per_day: int(f, 'sessions_per_day'),
      daily_max_mg: num(f, 'daily_max_mg'),
      topup_allowed: isChecked(f, 'topup_allowed'),
      topup_max_mg: isChecked(f, 'topup_allowed') ? num(f, 'topup_max_mg') : undefined,
      start_date: str(f, 'start_date'),
      end_date: str(f, 'end_date') || undefined,
      use_induction_template: isChecked(f, 'use_induction_template'),
      oral_drug: oral || undefined,
      oral_dose_mg: oral ? num(f, 'oral_dose_mg') : undefined,
      oral_daily_max_mg: oral ? num(f, 'oral_daily_max_mg') : undefined,
      notes: str(f, 'notes'),
      supersedes_id: base ? base.id : undefined,
    });
    await post(`/patients/${patient.id}/prescriptions`, body);
    onSigned();
  });
  return h('section', { class: 'panel' },
    h('h2', { id: 'rx-form-title' }, base ? 'Supersede: write the new prescription' : 'Write a prescription'),
    form);
}
