// patients.js: the patient list (search, add) and a patient's details
// (edit, with the record's version so two people cannot overwrite each
// other) and treatment episodes (open, start, discharge).

import { api, get, post } from '../api.js';
import {
  h, add, fill, clear, input, select, textarea, formError, onSubmit, openDialog, str, int, compact, announce, fmtDay, clinicToday,
} from '../ui.js';

const SEX = [['female', 'Female'], ['male', 'Male'], ['other', 'Other'], ['unknown', 'Not known']];

function patientFields(p = {}) {
  return [
    h('div', { class: 'row' },
      input('given_name', 'Given name', { required: true, maxlength: 100, value: p.given_name }),
      input('family_name', 'Family name', { required: true, maxlength: 100, value: p.family_name })),
    h('div', { class: 'row' },
      input('birth_date', 'Date of birth', { type: 'date', required: true, value: p.birth_date }),
      select('sex', 'Sex', SEX, { required: true, placeholder: 'Choose', value: p.sex })),
    input('nhs_number', 'NHS number', { optional: true, inputmode: 'numeric', maxlength: 12, value: p.nhs_number, hint: '10 digits' }),
    textarea('address', 'Address', { optional: true, rows: 2, value: p.address }),
    input('contact', 'Contact', { optional: true, maxlength: 200, value: p.contact }),
    textarea('alerts', 'Alerts (shown on the board and chart)', { optional: true, rows: 2, value: p.alerts }),
  ];
}

function patientBody(f) {
  return {
    given_name: str(f, 'given_name'),
    family_name: str(f, 'family_name'),
    birth_date: str(f, 'birth_date') || undefined,
    sex: str(f, 'sex') || undefined,
    nhs_number: str(f, 'nhs_number').replace(/\s+/g, '') || null,
    address: str(f, 'address'),
    contact: str(f, 'contact'),
    alerts: str(f, 'alerts'),
  };
}

export function renderList(main, ctx) {
  let stopped = false;
  const results = h('div');
  const search = h('form', { class: 'range', role: 'search' },
    input('q', 'Find a patient (name or NHS number)', { type: 'search' }),
    h('button', { type: 'submit' }, 'Search'), formError());
  add(main, 
    h('div', { class: 'screen-head' }, h('h1', null, 'Patients'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: addPatient }, 'Add a patient'))),
    h('section', { class: 'panel' }, search, results));

  async function load(q) {
    const r = await get(`/patients?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    if (stopped) return;
    fill(results, r.patients.length ? h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, ['Name', 'Born', 'NHS number', 'Episode', 'Alerts'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, r.patients.map((p) => h('tr', null,
        h('td', null, h('a', { href: `#/patients/${p.id}` }, `${p.family_name}, ${p.given_name}`)),
        h('td', null, p.birth_date),
        h('td', null, p.nhs_number || ''),
        h('td', null, p.episode_status || 'none'),
        h('td', null, p.alerts || '')))))) : h('p', null, 'No patients match.'));
  }

  onSubmit(search, (f) => load(str(f, 'q')));
  load('').catch((e) => { if (e.status !== 401) fill(results, h('p', { class: 'form-error' }, e.message)); });

  async function addPatient() {
    const premises = await ctx.premises();
    openDialog({
      title: 'Add a patient',
      fields: patientFields(),
      submitLabel: 'Add patient',
      submit: (f) => post('/patients', compact({ ...patientBody(f), premises_id: premises })),
      done: (p) => { announce('Patient added.'); ctx.navigate(`/patients/${p.id}/edit`); },
    });
  }
  return () => { stopped = true; };
}

export function renderEdit(main, ctx, [id]) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading…'));
  add(main, body);

  async function load() {
    try {
      const [p, reasons] = await Promise.all([get(`/patients/${id}`), get('/discharge-reasons').catch(() => ({ discharge_reasons: [] }))]);
      if (!stopped) draw(p, reasons.discharge_reasons || []);
    } catch (e) {
      if (e.status !== 401 && !stopped) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function draw(p, reasons) {
    const form = h('form', { 'aria-labelledby': 'pt-edit' }, formError(), patientFields(p),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save details')));
    onSubmit(form, async (f) => {
      const body = patientBody(f);
      delete body.premises_id;
      const saved = await api('PATCH', `/patients/${p.id}`, { ...body, version: p.version });
      p.version = saved.version ?? p.version + 1;
      announce('Details saved.');
    });
    const active = (p.episodes || []).find((e) => e.status !== 'discharged' && !e.discharge_date);
    fill(body, 
      h('div', { class: 'screen-head' }, h('h1', null, `${p.given_name} ${p.family_name}`),
        h('div', { class: 'actions' }, h('a', { class: 'button', href: `#/patients/${p.id}` }, 'Back to chart'))),
      h('section', { class: 'panel' }, h('h2', { id: 'pt-edit' }, 'Details'), form),
      h('section', { class: 'panel', 'aria-labelledby': 'pt-eps' },
        h('h2', { id: 'pt-eps' }, 'Treatment episodes'),
        (p.episodes || []).length ? h('div', { class: 'table-wrap' }, h('table', null,
          h('thead', null, h('tr', null, ['Referred', 'Started', 'Status', 'Discharged', 'Reason', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, p.episodes.map((e) => h('tr', null,
            h('td', null, e.referral_date), h('td', null, e.start_date || '—'), h('td', null, e.status),
            h('td', null, e.discharge_date || '—'), h('td', null, e.discharge_reason || ''),
            h('td', null, e.discharge_date ? null : h('button', { type: 'button', onclick: () => editEpisode(e, reasons) }, 'Update'))))))) : h('p', null, 'No episodes.'),
        active ? null : h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => openEpisode(p) }, 'Open an episode'))));
  }

  function openEpisode(p) {
    openDialog({
      title: 'Open a treatment episode',
      fields: [input('referral_date', 'Referral date', { type: 'date', required: true, value: clinicToday() }),
        input('start_date', 'Treatment start date', { type: 'date', optional: true })],
      submitLabel: 'Open episode',
      submit: (f) => post(`/patients/${p.id}/episodes`, compact({ referral_date: str(f, 'referral_date'), start_date: str(f, 'start_date') || undefined })),
      done: () => { announce('Episode opened.'); load(); },
    });
  }

  function editEpisode(e, reasons) {
    openDialog({
      title: 'Update the episode',
      intro: `Referred ${fmtDay(e.referral_date)} ${e.referral_date.slice(0, 4)}.`,
      fields: [
        input('start_date', 'Treatment start date', { type: 'date', value: e.start_date, optional: true }),
        input('discharge_date', 'Discharge date', { type: 'date', optional: true }),
        select('discharge_reason', 'Discharge reason', reasons.map((r) => (typeof r === 'string' ? [r, r] : [r.code || r.id, r.label || r.name || r.code])), { placeholder: 'Not discharged', optional: true }),
      ],
      submitLabel: 'Save episode',
      submit: (f) => api('PATCH', `/episodes/${e.id}`, compact({
        start_date: str(f, 'start_date') || undefined, discharge_date: str(f, 'discharge_date') || undefined,
        discharge_reason: str(f, 'discharge_reason') || undefined, version: e.version,
      })),
      done: () => { announce('Episode saved.'); load(); },
    });
  }

  load();
  return () => { stopped = true; };
}

export { int };
