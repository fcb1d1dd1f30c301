// ui.js: building elements, forms with their refusals shown by the field
// that caused them, dialogs, and the clinic's way of writing times,
// dates and amounts.  No innerHTML anywhere: text goes in as text.

import { ApiError, get } from './api.js';

export const TZ = 'Europe/London';

/** h('p', {class: 'x', onclick: fn}, 'text', child, [children]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' ||
               k === 'required' || k === 'multiple') el[k] = !!v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Replaces el's children; null, false and undefined children are skipped. */
export function fill(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

/** Appends children, skipping null, false and undefined. */
export function add(el, ...children) {
  append(el, children);
  return el;
}

let uid = 0;
export const nextId = (p) => `${p}-${++uid}`;

// ---- Words for codes --------------------------------------------------------

export const STATE_LABEL = {
  due: 'Due', checked_in: 'Checked in', assessed: 'Assessed: fit', dosed: 'Dosed',
  observing: 'Observing', left: 'Left', withheld: 'Withheld', declined: 'Declined',
  did_not_attend: 'Did not attend', planned_absence: 'Planned absence',
};
export const FLAG_LABEL = {
  blocked_until_review: 'Blocked until prescriber review',
  restart_induction: 'Restart induction',
  missed_dose_alert: 'Missed doses',
  alerts_on_record: 'Alerts on record',
  observing: 'In observation',
  postdose_alarm: 'ALARM: abnormal post-dose check',
  left_against_advice: 'Left against advice',
};
export const ROUTE_LABEL = { iv: 'Intravenous (IV)', im: 'Intramuscular (IM)', sc: 'Subcutaneous (SC)', oral: 'Oral' };
export const SITES = [
  ['Arms and hands (IV)', ['arm_left', 'arm_right', 'forearm_left', 'forearm_right', 'hand_left', 'hand_right']],
  ['Intramuscular', ['deltoid_left', 'deltoid_right', 'buttock_left', 'buttock_right']],
  ['Trunk', ['abdomen']],
  ['Lower limb (needs a recorded risk discussion for IV)', ['groin_left', 'groin_right', 'thigh_left', 'thigh_right', 'leg_left', 'leg_right', 'foot_left', 'foot_right']],
];
export function siteLabel(code) {
  if (!code) return '';
  const [part, side] = code.split('_');
  const name = { arm: 'Arm', forearm: 'Forearm', hand: 'Hand', deltoid: 'Deltoid', abdomen: 'Abdomen',
    groin: 'Groin', thigh: 'Thigh', buttock: 'Buttock', leg: 'Lower leg', foot: 'Foot' }[part] || part;
  return side ? `${name}, ${side}` : name;
}
export const DECISION_LABEL = { fit: 'Fit for the prescribed dose', fit_reduced: 'Fit for a reduced dose', not_fit: 'Not fit: withhold' };
export const REASON_LABEL = {
  sedated: 'Sedated', intoxicated_alcohol: 'Intoxicated: alcohol', intoxicated_other: 'Intoxicated: other drugs',
  unwell: 'Unwell', declined: 'Declined', other: 'Other',
};
export const BREATHING_LABEL = { normal: 'Normal', slow: 'Slow', laboured: 'Laboured', absent: 'Absent' };
export const AE_LABEL = { over_sedation: 'Over-sedation', overdose: 'Overdose', naloxone: 'Naloxone given', seizure: 'Seizure', other: 'Other' };
export const REVIEW_LABEL = { continue: 'Continue as prescribed', reduce: 'Reduce the dose', restart_induction: 'Restart induction' };
export const ROLE_LABEL = {
  prescriber: 'Prescriber', nurse: 'Nurse', pharmacist: 'Pharmacist', keyworker: 'Keyworker',
  manager: 'Manager', cdao: 'CD accountable officer', auditor: 'Auditor', admin: 'Administrator',
};
export const DRUG_LABEL = { diamorphine: 'Diamorphine', hydromorphone: 'Hydromorphone', methadone_oral: 'Methadone (oral)', srom: 'Slow-release oral morphine' };
export const ENTRY_LABEL = { opening: 'Opening balance', receipt: 'Receipt', administration: 'Administration', destruction: 'Destruction', correction: 'Correction' };

// ---- Times, dates, amounts ---------------------------------------------------

const timeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
const longDayFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const isoDayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

/** An instant as clinic-local hh:mm. */
export const fmtTime = (iso) => (iso ? timeFmt.format(new Date(iso)) : '');
export const fmtDateTime = (iso) => (iso ? dateTimeFmt.format(new Date(iso)) : '');
/** A local date 'YYYY-MM-DD' as 'Wed 25 Nov'. */
export const fmtDay = (d) => (d ? dayFmt.format(new Date(`${d}T12:00:00Z`)) : '');
export const fmtLongDay = (d) => (d ? longDayFmt.format(new Date(`${d}T12:00:00Z`)) : '');
/** Today in the clinic, as YYYY-MM-DD (the browser's own clock). */
export const clinicToday = () => isoDayFmt.format(new Date());
export function addDays(d, n) {
  const t = new Date(`${d}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}
/** Micrograms as '150 mg' (or '7.5 mg'). */
export function mg(ug) {
  if (ug === null || ug === undefined) return '';
  return `${formatMg(ug / 1000)} mg`;
}
export function formatMg(n) {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}
export function mmss(s) {
  const m = Math.floor(s / 60);
  const r = Math.floor(s % 60);
  return `${m}:${String(r).padStart(2, '0')}`;
}

// ---- Fields ------------------------------------------------------------------

function wrap(name, label, control, opts = {}) {
  const errId = `${control.id}-err`;
  const hintId = opts.hint ? `${control.id}-hint` : null;
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: control.id }, label, opts.optional ? h('span', { class: 'muted' }, ' (optional)') : null),
    opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    control,
    h('p', { class: 'field-error', id: errId }));
}

/** A text-like input: opts.type (text, password, number, date, time), value, hint, required. */
export function input(name, label, opts = {}) {
  const el = h('input', {
    id: nextId(`f-${name}`), name, type: opts.type || 'text', value: opts.value,
    autocomplete: opts.autocomplete || 'off', inputmode: opts.inputmode, step: opts.step,
    min: opts.min, max: opts.max, maxlength: opts.maxlength, 'aria-required': opts.required ? 'true' : null,
    dataset: opts.required ? { required: '1' } : undefined, spellcheck: opts.type === 'text' ? 'false' : null,
  });
  return wrap(name, label, el, opts);
}

export function numberInput(name, label, opts = {}) {
  return input(name, label, { ...opts, type: 'number', step: opts.step || 'any', inputmode: opts.inputmode || 'decimal' });
}

export function textarea(name, label, opts = {}) {
  const el = h('textarea', { id: nextId(`f-${name}`), name, rows: opts.rows || 3, maxlength: opts.maxlength,
    'aria-required': opts.required ? 'true' : null, dataset: opts.required ? { required: '1' } : undefined });
  if (opts.value) el.value = opts.value;
  return wrap(name, label, el, opts);
}

/** options: [[value, label]] or [[groupLabel, [[value,label]...]]] with opts.groups. */
export function select(name, label, options, opts = {}) {
  const el = h('select', { id: nextId(`f-${name}`), name, 'aria-required': opts.required ? 'true' : null,
    dataset: opts.required ? { required: '1' } : undefined });
  if (opts.placeholder !== undefined) el.appendChild(h('option', { value: '' }, opts.placeholder));
  const add = (parent, [v, l]) => parent.appendChild(h('option', { value: v, selected: String(v) === String(opts.value) }, l));
  for (const o of options) {
    if (opts.groups) {
      const g = h('optgroup', { label: o[0] });
      o[1].forEach((x) => add(g, x));
      el.appendChild(g);
    } else add(el, o);
  }
  if (opts.value !== undefined && opts.value !== null) el.value = String(opts.value);
  return wrap(name, label, el, opts);
}

/** A group of radio buttons or checkboxes, in a fieldset with a legend. */
export function choices(name, legend, options, opts = {}) {
  const type = opts.multiple ? 'checkbox' : 'radio';
  const errId = nextId(`f-${name}-err`);
  const chosen = new Set([].concat(opts.value ?? []).map(String));
  const fs = h('fieldset', { class: 'field', dataset: { field: name, required: opts.required ? '1' : undefined }, 'aria-describedby': errId },
    h('legend', null, legend),
    options.map(([v, l]) => {
      const id = nextId(`f-${name}`);
      return h('label', { class: 'choice', for: id },
        h('input', { type, id, name, value: v, checked: chosen.has(String(v)) }), l);
    }),
    h('p', { class: 'field-error', id: errId }));
  return fs;
}

export function checkbox(name, label, opts = {}) {
  const id = nextId(`f-${name}`);
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { class: 'choice', for: id }, h('input', { type: 'checkbox', id, name, checked: opts.checked }), label),
    opts.hint ? h('p', { class: 'hint' }, opts.hint) : null,
    h('p', { class: 'field-error', id: `${id}-err` }));
}

/**
 * The witness signs in inside the same form.  They pick their own name from
 * the staff signed in on this device (GET /session/device-staff) and type
 * their PIN or password, or, when not listed, type their username and
 * password.  A PIN is taken by the server only for someone signed in here.
 */
export function witnessFields(who = 'A second nurse') {
  const pick = h('select', { id: nextId('f-witness-pick'), name: 'witness_pick' },
    h('option', { value: '' }, 'Not listed: type a username'));
  const u = h('input', { id: nextId('f-witness-user'), name: 'witness_username', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', 'aria-required': 'true', dataset: { required: '1' } });
  const p = h('input', { id: nextId('f-witness-pass'), name: 'witness_password', type: 'password', autocomplete: 'new-password', 'aria-required': 'true', dataset: { required: '1' } });
  const secretLabel = h('label', { for: p.id }, 'Witness password');
  const errId = nextId('f-witness-err');
  u.setAttribute('aria-describedby', errId);
  p.setAttribute('aria-describedby', errId);
  const pickBox = h('div', { class: 'field', dataset: { field: 'witness_pick' }, hidden: true },
    h('label', { for: pick.id }, 'Witness (signed in on this device)'), pick);
  const userBox = h('div', { class: 'field', dataset: { field: 'witness_username' } }, h('label', { for: u.id }, 'Witness username'), u, h('p', { class: 'field-error' }));
  const pinId = nextId('f-witness-by-pin');
  const pwId = nextId('f-witness-by-pw');
  const method = h('fieldset', { class: 'field witness-method', dataset: { field: 'witness_method' }, hidden: true },
    h('legend', null, 'Confirm with'),
    h('label', { class: 'choice', for: pinId }, h('input', { type: 'radio', id: pinId, name: 'witness_method', value: 'pin', checked: true }), 'Their PIN'),
    h('label', { class: 'choice', for: pwId }, h('input', { type: 'radio', id: pwId, name: 'witness_method', value: 'password' }), 'Their password'));
  const staff = new Map();
  const sync = () => {
    const chosen = staff.get(pick.value);
    userBox.hidden = !!chosen;
    if (chosen) delete u.dataset.required; else u.dataset.required = '1';
    method.hidden = !(chosen && chosen.has_pin);
    const byPin = chosen && chosen.has_pin && method.querySelector('input[value="pin"]').checked;
    secretLabel.textContent = byPin ? `${chosen.display_name}'s PIN` : chosen ? `${chosen.display_name}'s password` : 'Witness password';
    if (byPin) p.setAttribute('inputmode', 'numeric'); else p.removeAttribute('inputmode');
  };
  pick.addEventListener('change', () => { sync(); p.value = ''; p.focus(); });
  method.addEventListener('change', () => { sync(); p.value = ''; p.focus(); });
  const box = h('fieldset', { class: 'field witness', dataset: { field: 'witness' } },
    h('legend', null, 'Witness signs in'),
    h('p', { class: 'hint' }, `${who} witnesses this: they pick their name if they are signed in on this device and type their PIN or password, or type their own username and password.`),
    pickBox,
    h('div', { class: 'row' },
      userBox,
      method,
      h('div', { class: 'field', dataset: { field: 'witness_password' } }, secretLabel, p, h('p', { class: 'field-error' }))),
    h('p', { class: 'field-error', id: errId }));
  get('/session/device-staff').then((r) => {
    for (const s of (r && r.staff) || []) {
      staff.set(s.username, s);
      pick.appendChild(h('option', { value: s.username }, `${s.display_name}${s.has_pin ? ' (PIN)' : ''}`));
    }
    pickBox.hidden = staff.size === 0;
  }).catch(() => { /* no list: typing a username still works */ });
  return box;
}

/** The witness object for the API: {username, pin} or {username, password}. */
export function witnessValue(form) {
  const picked = str(form, 'witness_pick');
  const secret = named(form, 'witness_password').value;
  const username = picked || str(form, 'witness_username');
  const box = form.querySelector('[data-field="witness_method"]');
  if (picked && box && !box.hidden && radio(form, 'witness_method') === 'pin') return { username, pin: secret };
  return { username, password: secret };
}

// ---- Reading a form ------------------------------------------------------------

// namedItem, never elements[name]: a field called "item" or "length"
// would otherwise read the collection's own method.
const named = (form, name) => form.elements.namedItem(name);

export function str(form, name) {
  const el = named(form, name);
  return el ? el.value.trim() : '';
}
/** A number, or undefined when the box is empty (so the server says what is missing). */
export function num(form, name) {
  const el = named(form, name);
  if (!el || el.value.trim() === '') return undefined;
  const n = Number(el.value);
  return Number.isFinite(n) ? n : el.value;
}
export function int(form, name) {
  const n = num(form, name);
  return typeof n === 'number' ? Math.trunc(n) : n;
}
export function radio(form, name) {
  const el = form.querySelector(`input[name="${name}"]:checked`);
  return el ? el.value : undefined;
}
export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((e) => e.value);
}
export function isChecked(form, name) {
  const el = named(form, name);
  return !!(el && el.checked);
}
/** Drops keys whose value is undefined or '' (optional fields left blank). */
export function compact(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

// ---- Refusals next to their cause ------------------------------------------------

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
  const fe = form.querySelector('.form-error');
  if (fe) fe.textContent = '';
}

function fieldBox(form, field) {
  if (!field) return null;
  let box = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
  // A refusal about a nested field (witness.password) belongs to its group.
  if (!box && field.includes('.')) box = form.querySelector(`[data-field="${CSS.escape(field.split('.')[0])}"]`);
  return box;
}

/** Puts the message beside the field it names (or at the top), focuses it. */
export function showError(form, err, fieldMap = {}) {
  let message = err && err.message ? err.message : String(err);
  if (err instanceof Error && !(err instanceof ApiError)) {
    // A fault in the page itself, not a refusal: say so, keep the detail.
    console.error(err);
    message = `Something went wrong on this page (${err.message}); what you typed is still here.`;
  }
  const field = fieldMap[err.field] || err.field;
  const box = fieldBox(form, field);
  if (box) {
    const p = [...box.querySelectorAll(':scope > .field-error')].pop() || box.querySelector('.field-error');
    p.textContent = message;
    const controls = box.querySelectorAll('input, select, textarea');
    controls.forEach((c) => c.setAttribute('aria-invalid', 'true'));
    const fe = form.querySelector('.form-error');
    if (fe) fe.textContent = 'Not saved: see the message below.';
    if (controls[0]) controls[0].focus();
  } else {
    const fe = form.querySelector('.form-error');
    fe.textContent = message;
    fe.focus();
  }
}

/** Checks the boxes marked required before anything goes to the server. */
export function checkRequired(form) {
  for (const box of form.querySelectorAll('[data-field]')) {
    const required = box.dataset.required === '1' || box.querySelector(':scope > input[data-required], :scope > select[data-required], :scope > textarea[data-required]');
    if (!required) continue;
    const controls = [...box.querySelectorAll('input, select, textarea')];
    const radios = controls.filter((c) => c.type === 'radio' || c.type === 'checkbox');
    const empty = radios.length ? !radios.some((c) => c.checked) : controls.every((c) => c.value.trim() === '');
    if (empty) {
      showError(form, { message: radios.length ? 'Please choose one.' : 'Please fill this in.', field: box.dataset.field });
      return false;
    }
  }
  return true;
}

/** Wires a form: submit runs fn(form); a refusal stays on the form, nothing typed is lost. */
export function onSubmit(form, fn, opts = {}) {
  form.noValidate = true;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    const buttons = form.querySelectorAll('button[type="submit"]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await fn(form);
    } catch (err) {
      if (err && err.status === 401 && (err.code === 'session_expired' || err.code === 'unauthenticated')) return;
      showError(form, err, opts.fieldMap);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}

export function formError() {
  return h('p', { class: 'form-error', role: 'alert', tabindex: '-1' });
}

// ---- Dialogs --------------------------------------------------------------------

/**
 * openDialog({title, intro, fields: [nodes], submitLabel, danger, fieldMap,
 *             submit: async (form) => result, done: (result) => void})
 */
export function openDialog(o) {
  const titleId = nextId('dlg-title');
  const form = h('form', { class: o.formClass },
    formError(),
    o.fields,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: o.danger ? 'primary danger' : 'primary' }, o.submitLabel || 'Save'),
      h('button', { type: 'button', onclick: () => dlg.close() }, 'Cancel')));
  const dlg = h('dialog', { 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, o.title), o.intro ? h('p', null, o.intro) : null),
    form);
  dlg.addEventListener('close', () => { if (!dlg.dataset.suspended) dlg.remove(); });
  onSubmit(form, async (f) => {
    const result = await o.submit(f);
    dlg.close();
    if (o.done) o.done(result);
  }, { fieldMap: o.fieldMap });
  document.body.appendChild(dlg);
  dlg.showModal();
  const first = form.querySelector('input:not([type=hidden]), select, textarea');
  if (first) first.focus();
  return { dialog: dlg, form };
}

/** Closes every open dialog (logout, session end). */
export function closeDialogs() {
  document.querySelectorAll('dialog').forEach((d) => { d.close(); d.remove(); });
}

// ---- Announcements -----------------------------------------------------------------

let statusTimer = null;
export function announce(text) {
  const box = document.getElementById('status');
  clear(box).appendChild(h('p', null, text));
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => clear(box), 6000);
}

export function badge(cls, text) {
  return h('span', { class: `badge ${cls}` }, text);
}

/** Who is at the hatch: the photograph when one is held, the name, and the
 * date of birth with the age.  p: a board row (has_photo, birth_date, age). */
export function identity(p, opts = {}) {
  const born = p.birth_date ? `Born ${fmtDay(p.birth_date).replace(/^\w+ /, '')} ${p.birth_date.slice(0, 4)}${p.age >= 0 ? ` (${p.age})` : ''}` : '';
  return h('div', { class: `identity${opts.large ? ' identity-large' : ''}` },
    p.has_photo
      ? h('img', { class: 'photo', src: `/api/v1/patients/${p.patient_id}/photo?v=${opts.v || ''}`, alt: `Photograph of ${p.given_name} ${p.family_name}` })
      : h('span', { class: 'photo photo-none', 'aria-hidden': 'true' }, 'No photo'),
    h('div', null, opts.name ? h('strong', null, `${p.given_name} ${p.family_name}`) : null, born ? h('div', { class: 'born' }, born) : null));
}
