// visit.js: the steps of a patient's dosing session, each a small dialog
// that the board and the chart both open: check in, assessment, the dose
// (the witness signs in inside the same dialog), post-dose check, leave,
// withhold, declined, adverse event, and the prescriber's review and
// authorisation of a reduced dose.

import { get, post, newIdempotencyKey } from '../api.js';
import {
  h, add, openDialog, numberInput, select, textarea, choices, checkbox, witnessFields, witnessValue, str, num, int, radio, compact, announce, mg, formatMg, mmss, fmtTime, identity, DECISION_LABEL, REASON_LABEL, BREATHING_LABEL, AE_LABEL, REVIEW_LABEL, ROUTE_LABEL, SITES, siteLabel,
} from '../ui.js';

const name = (p) => `${p.given_name} ${p.family_name}`;
const reasonOptions = Object.entries(REASON_LABEL);

/** The buttons a patient's row offers, given their state and the user's roles. */
export function actionsFor(p, ctx, done) {
  const out = [];
  const nurse = ctx.has('nurse', 'prescriber');
  const blocked = (p.flags || []).includes('blocked_until_review');
  const add = (label, fn, cls) => out.push(h('button', { type: 'button', class: cls, onclick: () => fn(p, ctx, done) }, label));
  if (nurse) {
    switch (p.state) {
      case 'due':
        add('Check in', checkIn, 'primary');
        break;
      case 'planned_absence':
        // Planned away, but here after all: they may still check in
        // while the session runs.
        if (!p.window_over) add('Check in', checkIn);
        break;
      case 'checked_in':
        add('Assess', assess, 'primary');
        add('Withhold', withhold);
        add('Declined', decline);
        break;
      case 'assessed':
        add('Give dose', dose, 'primary');
        add('Withhold', withhold);
        add('Declined', decline);
        break;
      case 'dosed':
      case 'observing':
        if (p.topup_assessed) add('Give top-up', dose, 'primary');
        add('Post-dose check', postdose, p.topup_assessed ? undefined : 'primary');
        add(p.alarm ? 'Leave against advice' : 'Leave', leave, p.alarm ? 'danger' : undefined);
        if (p.topup_allowed && !p.topup_assessed) add('Top-up: assess', assess);
        add('Adverse event', adverse, 'danger');
        break;
      default:
        break;
    }
  }
  if (blocked && ctx.has('prescriber')) add('Review', review, 'primary');
  return out;
}

/** Check-in needs nothing typed: a refusal goes back through done(err). */
export async function checkIn(p, ctx, done) {
  try {
    await post(`/patients/${p.patient_id}/check-in`, {});
    announce(`${name(p)} checked in.`);
    done();
  } catch (e) {
    if (e.status === 401) return;
    done(e);
  }
}

async function sedationOptions(ctx) {
  let scale = ['Alert', 'Drowsy', 'Sedated', 'Very sedated', 'Unrousable'];
  try {
    const s = await ctx.settings();
    if (s && Array.isArray(s.sedation_scale) && s.sedation_scale.length) scale = s.sedation_scale;
  } catch (e) { /* the default scale still lets the nurse record */ }
  return scale.map((label, i) => [i, `${i}: ${label}`]);
}

export async function assess(p, ctx, done) {
  const levels = await sedationOptions(ctx);
  const topup = p.state === 'observing' || p.state === 'dosed';
  openDialog({
    title: `${topup ? 'Assessment for a top-up' : 'Pre-dose assessment'}: ${name(p)}`,
    intro: topup ? 'A top-up needs a fresh assessment.' : null,
    fields: [
      identity(p, { large: true }),
      select('sedation_level', 'Sedation level', levels, { required: true, placeholder: 'Choose a level' }),
      numberInput('breath_alcohol_ug', 'Breath alcohol (µg/100 ml)', { required: true, min: 0, max: 2000, step: '1', inputmode: 'numeric' }),
      textarea('concerns', 'Concerns', { optional: true, rows: 2 }),
      choices('decision', 'Decision', Object.entries(DECISION_LABEL), { required: true }),
      select('reason', 'Reason (when not fit or reduced)', reasonOptions, { placeholder: 'No reason needed', optional: true }),
    ],
    submitLabel: 'Record assessment',
    submit: (f) => post(`/patients/${p.patient_id}/assessments`, compact({
      sedation_level: int(f, 'sedation_level'),
      breath_alcohol_ug: int(f, 'breath_alcohol_ug'),
      concerns: str(f, 'concerns'),
      decision: radio(f, 'decision'),
      reason: str(f, 'reason') || undefined,
    })),
    done: (r) => {
      const d = r.detail || {};
      if (!d.dose_allowed) announce(`${name(p)}: not fit, the dose is withheld.`);
      else if (d.needs_prescriber_authorisation) announce(`${name(p)}: a prescriber must authorise the reduced dose.`);
      else announce(`${name(p)}: assessed fit.`);
      done();
    },
  });
}

/** The prescription in force, or null. */
export async function currentPrescription(patientId) {
  const r = await get(`/patients/${patientId}/prescriptions`);
  return (r.prescriptions || []).find((x) => x.status === 'current') || null;
}

export function prescriptionSummary(rx) {
  if (!rx) return 'No current prescription.';
  const parts = [`${formatMg(rx.session_dose_mg)} mg per session`, `${rx.sessions_per_day} sessions a day`,
    `daily maximum ${formatMg(rx.daily_max_mg)} mg`, `routes: ${rx.routes.map((r) => r.toUpperCase()).join(', ')}`];
  if (rx.is_topup_allowed) parts.push(`top-up up to ${formatMg(rx.topup_max_mg)} mg`);
  return parts.join('; ');
}

export async function dose(p, ctx, done) {
  let rx = null;
  let due = null;
  try {
    [rx, due] = await Promise.all([currentPrescription(p.patient_id), get(`/patients/${p.patient_id}/dose-due`)]);
  } catch (e) { if (e.status === 401) return; }
  const routes = rx ? rx.routes : ['iv', 'im', 'sc'];
  const key = newIdempotencyKey();
  const today = p.day_injected_ug ? `Given today so far: ${mg(p.day_injected_ug)}. ` : '';
  // The amount due now, and the limit in force with its numbers: the
  // server works them out with the same rules that will check the dose.
  const dueLine = !due ? null
    : due.refusal ? h('p', { class: 'due due-refused', role: 'note' }, h('strong', null, 'No dose can be given now: '), due.refusal_message)
      : h('p', { class: 'due', role: 'note' }, h('strong', null, `Due now: ${formatMg(due.amount_mg)} mg`), ` — ${due.message}.`);
  openDialog({
    title: `Give ${due && due.topup ? 'top-up' : 'dose'}: ${name(p)}`,
    intro: `${today}Prescribed: ${prescriptionSummary(rx)}.`,
    fields: [
      identity(p, { large: true }),
      dueLine,
      h('div', { class: 'row' },
        numberInput('amount_mg', 'Amount (mg)', { required: true, min: 0, max: 2000, value: due && !due.refusal && due.amount_mg > 0 ? due.amount_mg : undefined }),
        select('route', 'Route', routes.map((r) => [r, ROUTE_LABEL[r] || r]), { required: true, value: routes[0] })),
      select('site', 'Injection site', SITES.map(([g, list]) => [g, list.map((s) => [s, siteLabel(s)])]), { groups: true, required: true, placeholder: 'Choose a site' }),
      textarea('notes', 'Notes', { optional: true, rows: 2 }),
      h('div', { class: 'confirm-id' }, checkbox('identity_confirmed', `I have checked this is ${name(p)}${p.birth_date ? `, born ${p.birth_date}` : ''}${p.has_photo ? ', against the photograph' : ''}`)),
      witnessFields('A second nurse'),
    ],
    submitLabel: 'Record dose',
    // The idempotency key is the dialog's: sending it again after a lost
    // answer can never record a second dose.
    submit: (f) => post(`/patients/${p.patient_id}/administrations`, compact({
      amount_mg: num(f, 'amount_mg'),
      route: str(f, 'route'),
      site: str(f, 'site'),
      notes: str(f, 'notes'),
      identity_confirmed: !!f.querySelector('input[name="identity_confirmed"]:checked'),
      witness: witnessValue(f),
    }), { idempotencyKey: key }),
    fieldMap: { 'witness.username': 'witness_username', 'witness.password': 'witness_password', 'witness.pin': 'witness_password' },
    done: (r) => {
      const d = r.detail || {};
      const warn = (d.warnings || []).length ? ` Warnings: ${d.warnings.join(', ').replace(/_/g, ' ')}.` : '';
      announce(`${name(p)}: ${mg(d.amount_ug)} given${d.topup ? ' (top-up)' : ''}; observe until ${fmtTime(d.observation_until)}.${warn}`);
      done();
      drawUp(p, d);
    },
  });
}

/** What the register booked for the dose: the ampoules to open (strength
 * and batch) and what is left in them to denature in front of the witness. */
export function drawUp(p, d) {
  const entries = d.register_entries || [];
  const waste = entries.reduce((n, e) => n + (e.wasted_ug || 0), 0);
  openDialog({
    title: `Draw up: ${name(p)}`,
    intro: `${mg(d.amount_ug)} ${d.drug || ''} as booked in the register.`,
    fields: [
      h('ul', { class: 'draw-up' }, entries.map((e) => h('li', null,
        h('strong', null, `${e.ampoules} × ${formatMg(e.strength_ug / 1000)} mg`), ` ampoule${e.ampoules === 1 ? '' : 's'}, batch ${e.batch}`,
        e.wasted_ug ? ` (give ${mg(e.given_ug)}, ${mg(e.wasted_ug)} left over)` : ''))),
      h('p', { class: waste ? 'denature' : 'muted' }, waste
        ? h('strong', null, `Denature ${mg(waste)} in front of the witness.`)
        : 'Nothing to denature: the ampoules hold exactly the dose.'),
    ],
    submitLabel: 'Done',
    submit: async () => ({}),
  });
}

export async function postdose(p, ctx, done) {
  const levels = await sedationOptions(ctx);
  openDialog({
    title: `Post-dose check: ${name(p)}`,
    intro: p.observation_remaining_s > 0 ? `Observation time left: ${mmss(p.observation_remaining_s)}.` : null,
    fields: [
      identity(p),
      select('sedation_level', 'Sedation level', levels, { required: true, placeholder: 'Choose a level' }),
      h('div', { class: 'row' },
        numberInput('respiratory_rate', 'Breaths a minute', { required: true, min: 0, max: 80, step: '1', inputmode: 'numeric' }),
        numberInput('spo2', 'Oxygen saturation (%)', { optional: true, min: 50, max: 100, step: '1', inputmode: 'numeric' })),
      select('pupils', 'Pupils', Object.entries(PUPILS_LABEL), { optional: true, placeholder: 'Not looked at' }),
      choices('breathing', 'Breathing', Object.entries(BREATHING_LABEL)),
      textarea('notes', 'Notes', { optional: true, rows: 2 }),
    ],
    submitLabel: 'Record check',
    submit: (f) => post(`/patients/${p.patient_id}/postdose-checks`, compact({
      sedation_level: int(f, 'sedation_level'),
      respiratory_rate: int(f, 'respiratory_rate'),
      spo2: int(f, 'spo2'),
      pupils: str(f, 'pupils') || undefined,
      breathing: radio(f, 'breathing') || undefined,
      notes: str(f, 'notes'),
    })),
    done: (r) => {
      const d = r.detail || {};
      if (d.abnormal) {
        // The alarm is on every station's board; here the adverse-event
        // record opens straight away.
        announce(`${name(p)}: ABNORMAL post-dose check (${(d.alarms || []).map((a) => ALARM_LABEL[a] || a).join(', ')}). Keep under observation.`);
        done();
        adverse(p, ctx, done);
        return;
      }
      announce(`${name(p)}: post-dose check recorded.`);
      done();
    },
  });
}

const PUPILS_LABEL = { normal: 'Normal', constricted: 'Constricted', pinpoint: 'Pinpoint', dilated: 'Dilated' };
export const ALARM_LABEL = { sedation: 'sedation', respiratory_rate: 'breathing rate', oxygen_saturation: 'oxygen saturation' };

export function leave(p, ctx, done) {
  const alarm = !!p.alarm;
  openDialog({
    title: alarm ? `Leave against advice: ${name(p)}` : `Leave: ${name(p)}`,
    intro: alarm
      ? 'The last post-dose check was abnormal: the patient can leave only against advice, and the reason must be recorded.'
      : p.observation_remaining_s > 0
        ? `The observation time is not over (${mmss(p.observation_remaining_s)} left): leaving now is recorded as against advice.`
        : 'The observation time is over.',
    fields: [
      alarm ? textarea('against_advice_reason', 'Why the patient is leaving against advice', { required: true, rows: 2 }) : null,
      textarea('notes', 'Notes', { optional: true, rows: 2 }),
    ],
    submitLabel: alarm ? 'Record leaving against advice' : 'Record leaving',
    danger: alarm,
    submit: (f) => post(`/patients/${p.patient_id}/leave`, compact({
      notes: str(f, 'notes'),
      against_advice_reason: alarm ? str(f, 'against_advice_reason') : undefined,
    })),
    done: (r) => {
      announce(`${name(p)} left${r.detail && r.detail.left_against_advice ? ' against advice' : ''}.`);
      done();
    },
  });
}

export function withhold(p, ctx, done) {
  openDialog({
    title: `Withhold dose: ${name(p)}`,
    fields: [
      select('reason', 'Reason', reasonOptions, { required: true, placeholder: 'Choose a reason' }),
      textarea('notes', 'Notes', { optional: true, rows: 2 }),
    ],
    submitLabel: 'Withhold dose',
    danger: true,
    submit: (f) => post(`/patients/${p.patient_id}/withhold`, compact({ reason: str(f, 'reason'), notes: str(f, 'notes') })),
    done: () => { announce(`${name(p)}: dose withheld.`); done(); },
  });
}

export function decline(p, ctx, done) {
  openDialog({
    title: `Declined: ${name(p)}`,
    intro: 'The patient declines today\'s dose.',
    fields: [textarea('notes', 'Notes', { optional: true, rows: 2 })],
    submitLabel: 'Record decline',
    submit: (f) => post(`/patients/${p.patient_id}/decline`, compact({ notes: str(f, 'notes') })),
    done: () => { announce(`${name(p)} declined the dose.`); done(); },
  });
}

export function adverse(p, ctx, done) {
  openDialog({
    title: `Adverse event: ${name(p)}`,
    intro: 'Over-sedation, overdose, naloxone or a seizure blocks further doses until a prescriber reviews the patient.',
    fields: [
      select('kind', 'What happened', Object.entries(AE_LABEL), { required: true, placeholder: 'Choose one' }),
      h('fieldset', null, h('legend', null, 'Naloxone (if given)'),
        h('div', { class: 'row' },
          numberInput('naloxone_dose_mg', 'Naloxone dose (mg)', { min: 0, max: 20, optional: true }),
          select('naloxone_route', 'Naloxone route', [['im', 'Intramuscular'], ['iv', 'Intravenous'], ['intranasal', 'Intranasal'], ['sc', 'Subcutaneous']], { placeholder: 'Not given', optional: true }))),
      textarea('action_taken', 'Action taken', { required: true, rows: 2 }),
      textarea('outcome', 'Outcome', { required: true, rows: 2 }),
    ],
    submitLabel: 'Record adverse event',
    danger: true,
    submit: (f) => post(`/patients/${p.patient_id}/adverse-events`, compact({
      kind: str(f, 'kind'),
      naloxone_dose_mg: num(f, 'naloxone_dose_mg'),
      naloxone_route: str(f, 'naloxone_route'),
      action_taken: str(f, 'action_taken'),
      outcome: str(f, 'outcome'),
    })),
    done: (r) => {
      announce(r.blocks_until_review
        ? `${name(p)}: adverse event recorded. Doses are blocked until a prescriber reviews.`
        : `${name(p)}: adverse event recorded.`);
      done();
    },
  });
}

/** The prescriber's review.  "Reduce" may carry the lower prescription in
 * the same command (one transaction): the dose boxes start empty and the
 * rest is the current prescription's, superseding it from today. */
export async function review(p, ctx, done) {
  let current = null;
  let today = null;
  try {
    const [r, t] = await Promise.all([get(`/patients/${p.patient_id}/prescriptions`), ctx.today()]);
    current = (r.prescriptions || []).find((x) => x.status === 'current') || null;
    today = t;
  } catch (e) { /* no prescription to carry: the review alone can still be signed */ }
  const reduced = h('fieldset', { class: 'reduced-rx', hidden: true },
    h('legend', null, 'The lower prescription'),
    current ? h('p', { class: 'hint' }, `The current prescription gives ${formatMg(current.session_dose_mg)} mg a session (daily maximum ${formatMg(current.daily_max_mg)} mg). The new one must give less; everything else stays as it is (${current.routes.map((r) => r.toUpperCase()).join(', ')}, ${current.sessions_per_day} a day), and it replaces the current one from today.`) : null,
    checkbox('carry_rx', 'Sign the lower prescription now, with this review', { checked: !!current }),
    h('div', { class: 'row' },
      numberInput('rx_session_dose_mg', 'New dose per session (mg)', { min: 0, max: 2000 }),
      numberInput('rx_daily_max_mg', 'New daily maximum (mg)', { min: 0, max: 5000 })));
  const outcome = choices('outcome', 'Outcome', Object.entries(REVIEW_LABEL), { required: true });
  const { form } = openDialog({
    title: `Prescriber review: ${name(p)}`,
    intro: 'The patient is blocked until a prescriber reviews them. "Continue" lifts the block; "Reduce" holds it until a lower prescription is in force, which you can sign here; "Restart induction" puts the induction caps in force from the next dose.',
    fields: [outcome, current ? reduced : null, textarea('notes', 'Notes', { optional: true, rows: 3 })],
    submitLabel: 'Sign review',
    submit: (f) => {
      const body = compact({ outcome: radio(f, 'outcome'), notes: str(f, 'notes') });
      if (body.outcome === 'reduce' && current && f.elements.carry_rx.checked) {
        body.prescription = compact({
          drug: current.drug,
          routes: current.routes,
          session_dose_mg: num(f, 'rx_session_dose_mg'),
          sessions_per_day: current.sessions_per_day,
          daily_max_mg: num(f, 'rx_daily_max_mg'),
          topup_allowed: false,
          start_date: today,
          end_date: current.end_date || undefined,
          oral_drug: current.oral_drug || undefined,
          oral_dose_mg: current.oral_drug ? current.oral_dose_mg : undefined,
          oral_daily_max_mg: current.oral_drug ? current.oral_daily_max_mg : undefined,
          supersedes_id: current.id,
          notes: 'Reduced at review.',
        });
      }
      return post(`/patients/${p.patient_id}/reviews`, body);
    },
    fieldMap: {
      'prescription.session_dose_mg': 'rx_session_dose_mg',
      'prescription.daily_max_mg': 'rx_daily_max_mg',
    },
    done: (r) => {
      const rx = r && r.prescription;
      announce(rx ? `${name(p)}: review recorded; ${formatMg(rx.session_dose_mg)} mg a session is now prescribed.` : `${name(p)}: review recorded.`);
      done();
    },
  });
  const sync = () => {
    const isReduce = radio(form, 'outcome') === 'reduce';
    reduced.hidden = !isReduce;
    const carry = isReduce && form.elements.carry_rx && form.elements.carry_rx.checked;
    for (const n of ['rx_session_dose_mg', 'rx_daily_max_mg']) {
      const el = form.elements.namedItem(n);
      if (!el) continue;
      if (carry) { el.dataset.required = '1'; el.setAttribute('aria-required', 'true'); } else { delete el.dataset.required; el.removeAttribute('aria-required'); }
    }
  };
  form.addEventListener('change', sync);
  sync();
}

export function authoriseReduced(p, assessmentId, ctx, done) {
  openDialog({
    title: `Authorise a reduced dose: ${name(p)}`,
    fields: [numberInput('amount_mg', 'Reduced amount (mg)', { required: true, min: 0, max: 2000 })],
    submitLabel: 'Authorise',
    submit: (f) => post(`/assessments/${assessmentId}/authorisations`, { amount_mg: num(f, 'amount_mg') }),
    done: () => { announce(`${name(p)}: reduced dose authorised.`); done(); },
  });
}

export function riskDiscussion(p, ctx, done) {
  openDialog({
    title: `Lower-limb injecting risk discussion: ${name(p)}`,
    intro: 'An IV dose into the groin, thigh, leg or foot needs this discussion on record first.',
    fields: [textarea('notes', 'What was discussed', { required: true, rows: 4 })],
    submitLabel: 'Record discussion',
    submit: (f) => post(`/patients/${p.patient_id}/risk-discussions`, { notes: str(f, 'notes') }),
    done: () => { announce(`${name(p)}: risk discussion recorded.`); done(); },
  });
}

export async function oralDose(p, ctx, done, rx) {
  const key = newIdempotencyKey();
  openDialog({
    title: `Oral dose: ${name(p)}`,
    intro: rx && rx.oral_drug ? `Prescribed: ${rx.oral_drug === 'srom' ? 'slow-release oral morphine' : 'methadone'} ${formatMg(rx.oral_dose_mg)} mg (daily maximum ${formatMg(rx.oral_daily_max_mg)} mg).` : null,
    fields: [numberInput('amount_mg', 'Amount (mg)', { required: true, min: 0, max: 2000 }), textarea('notes', 'Notes', { optional: true, rows: 2 }), witnessFields('A second nurse')],
    submitLabel: 'Record oral dose',
    submit: (f) => post(`/patients/${p.patient_id}/oral-doses`, compact({ amount_mg: num(f, 'amount_mg'), notes: str(f, 'notes'), witness: witnessValue(f) }), { idempotencyKey: key }),
    fieldMap: { 'witness.username': 'witness_username', 'witness.password': 'witness_password', 'witness.pin': 'witness_password' },
    done: (r) => { announce(`${name(p)}: oral ${mg(r.amount_ug)} given.`); done(); },
  });
}

export const describeName = name;
