// outcomes.js: the keyworker's workspace for one person: progress in every
// domain drawn as pictures with the change said in words, their goals,
// drug screens, the outcome forms with their history, and their own login.
// The forms are built from the instrument definitions the server holds, so
// a new instrument or a new TOP item needs no change here.  "Print summary"
// prints this page as the review summary (hat.css has the print rules).

import { get, post } from '../api.js';
import {
  h, add, fill, badge, input, select, textarea, checkbox, openDialog, str, compact,
  announce, fmtDay, fmtDateTime, formError, onSubmit,
} from '../ui.js';
import { chart, DIRECTION_LABEL } from './progress_svg.js';

export const GOAL_DOMAINS = [
  ['substance_use', 'Substance use'], ['physical_health', 'Physical health'],
  ['psychological_health', 'Psychological health'], ['social', 'Social life and relationships'],
  ['housing', 'Housing'], ['work_education', 'Work and education'],
  ['crime_justice', 'Crime and justice'], ['own', 'Something else (their own words)'],
];
export const GOAL_STATUS = { open: 'Open', achieved: 'Achieved', let_go: 'Let go' };
const STAGES = [['start', 'Start'], ['review', 'Review'], ['exit', 'Exit'], ['post_exit', 'Post-treatment exit']];
const STAGE_LABEL = Object.fromEntries(STAGES);
const READING_CLASS = { no_evidence: 'oc-ok', evidence: 'oc-warn', undetermined: 'oc-muted' };

const fullDay = (d) => (d ? `${fmtDay(d)} ${d.slice(0, 4)}` : '');
const goalDomain = (g) => (g.domain === 'own' ? g.own_domain : (GOAL_DOMAINS.find((x) => x[0] === g.domain) || [])[1]);

/** One domain's pictures: a chart per series, each with its words. */
export function domainPanel(dom, { plain = false } = {}) {
  return h('section', { class: 'panel domain', 'data-domain': dom.key, 'aria-label': dom.label },
    h('h3', null, dom.label),
    dom.series.map((sr) => h('figure', { class: 'series', 'data-series': sr.key },
      chart(sr, { plain }),
      h('figcaption', null,
        badge(`dir-${sr.direction}`, DIRECTION_LABEL[sr.direction] || sr.direction), ' ', sr.words,
        sr.copyright ? h('small', { class: 'copyright' }, sr.copyright) : null))));
}

/** The fields of an instrument's form, from its definition. */
function itemFields(def) {
  const scale = def.scale || null;
  return (def.items || []).map((it) => {
    const label = `${it.section ? `${it.section} ` : ''}${it.label}`;
    if (it.type === 'yesno') {
      return select(it.key, label, [['no', 'No'], ['yes', 'Yes'], ['na', 'Not answered']], { placeholder: it.required ? '' : '(not asked)' });
    }
    if (it.type === 'text') return input(it.key, label, { maxlength: it.max || 200 });
    if (it.type === 'scale' && scale && scale.length === it.max - it.min + 1) {
      return select(it.key, label, [...scale.map((w, i) => [String(it.min + i), `${it.min + i}: ${w}`]), ['na', 'Not answered']], { placeholder: '' });
    }
    const range = it.type === 'days' ? 'days, 0 to 28' : it.type === 'amount' ? `amount${it.unit ? ` (${it.unit})` : ''}` : `${it.min} to ${it.max}`;
    return h('div', { class: 'field-row' },
      input(it.key, `${label} (${range})`, { type: 'number', inputmode: 'decimal', min: it.type === 'amount' ? 0 : it.min, max: it.type === 'days' ? 28 : (it.type === 'amount' ? undefined : it.max), step: it.type === 'amount' ? 'any' : 1 }),
      checkbox(`${it.key}__na`, 'Not answered'),
      it.weeks ? h('details', { class: 'weeks' }, h('summary', null, 'By week (optional)'),
        h('div', { class: 'row' }, [4, 3, 2, 1].map((w) => input(`${it.key}__w${w}`, `Week ${w}`, { type: 'number', min: 0, max: 7, step: 1 })))) : null);
  });
}

/** Reads the answers back: "na" apart from zero; blanks left out. */
function readAnswers(form, def) {
  const out = {};
  for (const it of def.items || []) {
    const na = form.elements.namedItem(`${it.key}__na`);
    const v = str(form, it.key);
    if (na && na.checked) out[it.key] = 'na';
    else if (v === '' && !(it.weeks && [4, 3, 2, 1].some((w) => str(form, `${it.key}__w${w}`) !== ''))) continue;
    else if (v === 'na' || it.type === 'yesno' || it.type === 'text') out[it.key] = v;
    else out[it.key] = Number(v);
    // The week-by-week days, when given, go with the total (week 4 first).
    const weeks = [4, 3, 2, 1].map((w) => str(form, `${it.key}__w${w}`));
    if (it.weeks && weeks.some((w) => w !== '') && !(na && na.checked)) {
      const nums = weeks.map((w) => (w === '' ? 0 : Number(w)));
      out[it.key] = { total: v === '' ? nums.reduce((a, b) => a + b, 0) : Number(v), weeks: nums };
    }
  }
  return out;
}

export function formDialog(pid, inst, today, done, revising) {
  const def = inst.definition;
  const staged = !!def.stages;
  openDialog({
    title: revising ? `Correct ${def.title}` : `Record ${def.title}`,
    intro: def.recall_days ? `About the past ${def.recall_days === 28 ? '4 weeks' : `${def.recall_days} days`}. "Not answered" is kept apart from zero.` : null,
    formClass: 'outcome-form',
    fields: [
      revising ? textarea('reason', 'Why it is being corrected', { required: true }) : null,
      staged ? select('stage', 'Stage', STAGES, { required: true, placeholder: '', value: revising ? revising.stage : undefined }) : null,
      input('form_date', 'Date of the interview', { type: 'date', value: revising ? revising.form_date : today, max: today, required: true }),
      h('div', { class: 'items', dataset: { field: 'answers' } }, itemFields(def), h('p', { class: 'field-error' })),
      def.copyright ? h('p', { class: 'copyright', 'data-copyright': def.code }, def.copyright) : null,
    ],
    submitLabel: revising ? 'Save correction' : 'Save form',
    submit: (f) => {
      const answers = readAnswers(f, def);
      if (revising) {
        return post(`/outcomes/${revising.id}/revisions`, compact({ answers, reason: str(f, 'reason'), form_date: str(f, 'form_date'), stage: staged ? str(f, 'stage') : undefined }));
      }
      return post(`/patients/${pid}/outcomes`, compact({ instrument: def.code, answers, form_date: str(f, 'form_date'), stage: staged ? str(f, 'stage') : undefined }));
    },
    done,
  });
  if (revising) {
    const form = document.querySelector('dialog form.outcome-form');
    for (const [k, v] of Object.entries(revising.answers || {})) {
      const el = form.elements.namedItem(k);
      const na = form.elements.namedItem(`${k}__na`);
      if (v === 'na' && na) na.checked = true;
      else if (el) el.value = typeof v === 'object' && v ? String(v.total) : String(v);
      if (v && typeof v === 'object' && Array.isArray(v.weeks)) {
        [4, 3, 2, 1].forEach((w, i) => { const x = form.elements.namedItem(`${k}__w${w}`); if (x) x.value = String(v.weeks[i]); });
      }
    }
  }
}

export function goalDialog(path, done) {
  openDialog({
    title: 'Set a goal',
    intro: 'A goal in the person\'s own words, in any part of life.',
    fields: [
      select('domain', 'Part of life', GOAL_DOMAINS, { required: true, placeholder: '' }),
      input('own_domain', 'If something else: what to call it', { maxlength: 80 }),
      textarea('text', 'The goal', { required: true, maxlength: 500 }),
      input('target_date', 'Aim to reach it by (optional)', { type: 'date' }),
    ],
    submitLabel: 'Save goal',
    submit: (f) => post(path, compact({ domain: str(f, 'domain'), own_domain: str(f, 'own_domain'), text: str(f, 'text'), target_date: str(f, 'target_date') })),
    done,
  });
}

export function goalEventDialog(g, kind, done) {
  const titles = { review: 'Review the goal', achieved: 'Mark the goal achieved', let_go: 'Let the goal go', reopen: 'Reopen the goal' };
  openDialog({
    title: titles[kind],
    intro: g.text,
    fields: [textarea('note', 'Note (optional)', { maxlength: 2000 })],
    submitLabel: titles[kind].split(' ')[0],
    submit: (f) => post(`/goals/${g.id}/events`, compact({ kind, note: str(f, 'note') })),
    done,
  });
}

export function goalList(goals, { onEvent, plain = false } = {}) {
  if (!goals.length) return h('p', { class: 'muted' }, plain ? 'No goals yet.' : 'No goals recorded yet.');
  return h('ul', { class: 'goals' }, goals.map((g) => h('li', { class: `goal goal-${g.status}`, 'data-goal': g.id },
    h('div', null, badge(`goal-${g.status}`, GOAL_STATUS[g.status]), ' ', h('strong', null, goalDomain(g)), ': ', g.text,
      g.by_self ? h('span', { class: 'muted' }, ' (set by the person)') : null),
    h('ol', { class: 'timeline' },
      h('li', null, `${fullDay(g.set_on)}: set${g.target_date ? `, aiming for ${fullDay(g.target_date)}` : ''}`),
      g.events.map((e) => h('li', null, `${fullDay(e.event_on)}: ${{ review: 'reviewed', achieved: 'achieved', let_go: 'let go', reopen: 'reopened' }[e.kind]}${e.note ? `: ${e.note}` : ''}`))),
    onEvent ? h('div', { class: 'actions' }, g.status === 'open'
      ? [h('button', { type: 'button', onclick: () => onEvent(g, 'review') }, 'Review'),
        h('button', { type: 'button', class: 'primary', onclick: () => onEvent(g, 'achieved') }, 'Achieved'),
        h('button', { type: 'button', onclick: () => onEvent(g, 'let_go') }, 'Let go')]
      : h('button', { type: 'button', onclick: () => onEvent(g, 'reopen') }, 'Reopen')) : null)));
}

function screenDialog(pid, analytes, now, done) {
  const results = analytes.map((a) => select(`r_${a.code}`, a.label, [['negative', 'Negative'], ['positive', 'Positive'], ['invalid', 'Invalid'], ['not_tested', 'Not tested']], { placeholder: '(not in this test)' }));
  openDialog({
    title: 'Record a drug screen',
    intro: 'For a diamorphine patient morphine and 6-MAM are expected; only the street-heroin markers (or the person\'s own word) show street heroin.',
    fields: [
      select('sample_type', 'Sample', [['urine', 'Urine'], ['oral_fluid', 'Oral fluid'], ['other', 'Other']], { required: true, value: 'urine' }),
      input('collected_at', 'Collected at', { type: 'datetime-local', value: now, required: true }),
      select('supervised', 'Collection supervised', [['true', 'Yes'], ['false', 'No']], { value: 'true' }),
      select('collection', 'Random or scheduled', [['random', 'Random'], ['scheduled', 'Scheduled']], { value: 'random' }),
      select('method', 'Method', [['point_of_care', 'Point-of-care test'], ['lab_screen', 'Laboratory screen'], ['confirmatory', 'Confirmatory (GC-MS / LC-MS)']], { value: 'point_of_care' }),
      input('lab_ref', 'Laboratory reference', { maxlength: 100 }),
      select('self_report', 'Street heroin, in the person\'s own words', [['unknown', 'Not asked'], ['no', 'Says none'], ['yes', 'Says yes']], { value: 'unknown' }),
      h('fieldset', { class: 'field', dataset: { field: 'results' } }, h('legend', null, 'Results'), results, h('p', { class: 'field-error' })),
    ],
    submitLabel: 'Save screen',
    submit: (f) => post(`/patients/${pid}/drug-screens`, {
      sample_type: str(f, 'sample_type'),
      collected_at: new Date(str(f, 'collected_at')).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      supervised: str(f, 'supervised') === 'true',
      collection: str(f, 'collection'),
      method: str(f, 'method'),
      lab_ref: str(f, 'lab_ref'),
      self_report: str(f, 'self_report'),
      results: analytes.filter((a) => str(f, `r_${a.code}`)).map((a) => ({ analyte: a.code, result: str(f, `r_${a.code}`) })),
    }),
    done,
  });
}

function accountPanel(pid, accounts, ctx, reload) {
  const open = accounts.find((a) => !a.closed_at);
  const form = h('form', { 'aria-label': 'Make their own login' });
  fill(form, formError(),
    input('username', 'Username', { required: true, autocomplete: 'off' }),
    input('display_name', 'Their name as they would like it shown', { required: true }),
    input('password', 'A first password (at least 10 characters)', { type: 'password', required: true, autocomplete: 'new-password' }),
    textarea('consent', 'How they agreed to it', { required: true }),
    h('button', { type: 'submit', class: 'primary' }, 'Make login'));
  onSubmit(form, async (f) => {
    await post(`/patients/${pid}/service-user-accounts`, { username: str(f, 'username'), display_name: str(f, 'display_name'), password: f.elements.namedItem('password').value, consent: str(f, 'consent') });
    // The screen is drawn again before it says so: what it says is on it.
    await reload();
    announce('Their own login is made.');
  });
  return h('section', { class: 'panel no-print', 'aria-labelledby': 'oc-acct' },
    h('h2', { id: 'oc-acct' }, 'Their own view'),
    open
      ? h('p', null, `${open.display_name} logs in as `, h('code', null, open.username), ` (since ${fmtDateTime(open.opened_at)}; consent: ${open.consent}). `,
        ctx.has('keyworker', 'manager') ? h('button', { type: 'button', onclick: () => openDialog({
          title: 'Close their login', fields: [textarea('reason', 'Why', { required: true })], submitLabel: 'Close login', danger: true,
          submit: (f) => post(`/service-user-accounts/${open.id}/close`, { reason: str(f, 'reason') }), done: reload,
        }) }, 'Close login') : null)
      : (ctx.has('keyworker', 'manager') ? [h('p', { class: 'muted' }, 'With their consent, the person can have a login that shows only their own progress, goals and attendance.'), form]
        : h('p', { class: 'muted' }, 'No login of their own.')));
}

/** The national return's details for the newest episode, and a form to record them. */
function ndtmsPanel(episode, nd, ctx, reload) {
  if (!episode) return null;
  const d = (nd && nd.details) || {};
  const can = ctx.has('keyworker', 'manager');
  const form = h('form', { 'aria-label': 'National return details' });
  fill(form, formError(),
    select('consent', 'Consents to the national return', [['Y', 'Yes'], ['N', 'No']], { required: true, placeholder: '', value: d.consent }),
    input('local_authority', 'Local authority of residence', { value: d.local_authority }),
    input('postcode', 'Postcode', { value: d.postcode, maxlength: 8 }),
    input('referral_source', 'Referral source', { value: d.referral_source }),
    input('triage_date', 'Triage date', { type: 'date', value: d.triage_date }),
    input('care_plan_date', 'Care plan start', { type: 'date', value: d.care_plan_date }),
    h('button', { type: 'submit', class: 'primary' }, 'Save return details'));
  onSubmit(form, async (f) => {
    await post(`/episodes/${episode.id}/ndtms`, compact({
      consent: str(f, 'consent'), local_authority: str(f, 'local_authority'), postcode: str(f, 'postcode').toUpperCase(),
      referral_source: str(f, 'referral_source'), triage_date: str(f, 'triage_date'), care_plan_date: str(f, 'care_plan_date'),
    }));
    // Drawn again first, so that no one types into a panel about to be replaced.
    await reload();
    announce('Return details saved.');
  });
  const mods = (nd && nd.modalities) || [];
  return h('section', { class: 'panel no-print', 'aria-labelledby': 'oc-ndtms' },
    h('h2', { id: 'oc-ndtms' }, 'National return (NDTMS)'),
    h('p', { class: 'muted' }, d.consent === 'N' ? 'No consent: this episode is left out of the identifiable return.' : 'Sent only with the person\'s consent.'),
    mods.length ? h('ul', null, mods.map((m) => h('li', null, `${m.MODAL}: from ${fullDay(m.MODST)}${m.MODEND ? ` to ${fullDay(m.MODEND)}` : ''}${m.MODEXIT ? ` (${m.MODEXIT})` : ''}`))) : h('p', { class: 'muted' }, 'No modality recorded.'),
    can ? form : null);
}

export function render(main, ctx, [id]) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading…'));
  add(main, body);

  async function load() {
    try {
      const [p, forms, instruments, analytes, accounts, today, record] = await Promise.all([
        get(`/patients/${id}/progress`), get(`/patients/${id}/outcomes?all=1`), get('/instruments'),
        get('/screen-analytes'), get(`/patients/${id}/service-user-accounts`), ctx.today(), get(`/patients/${id}`),
      ]);
      const episode = (record.episodes || [])[0];
      const nd = episode ? await get(`/episodes/${episode.id}/ndtms`) : null;
      if (!stopped) draw(p, forms.forms, instruments.instruments, analytes.analytes, accounts.accounts, today, episode, nd);
    } catch (e) {
      if (e.status === 401 || stopped) return;
      fill(body, h('div', { class: 'panel' }, h('h1', null, 'Outcomes'),
        h('p', { class: 'form-error', role: 'alert' }, e.status === 404 ? 'There is no patient with this number.' : e.message)));
    }
  }

  function draw(p, forms, instruments, analytes, accounts, today, episode, nd) {
    const pt = p.patient;
    const name = `${pt.given_name} ${pt.family_name}`;
    const on = instruments.filter((i) => i.enabled);
    const top = on.find((i) => i.code === 'top');
    const others = on.filter((i) => i.code !== 'top');
    const byId = Object.fromEntries(instruments.map((i) => [i.code, i]));
    const done = (what) => () => { announce(what); load(); };
    const recording = ctx.has('keyworker', 'nurse', 'prescriber');
    const att = p.attendance;
    const sc = p.screens || {};
    fill(body,
      h('div', { class: 'screen-head' },
        h('h1', null, `${name}: recovery and outcomes`),
        h('div', { class: 'actions no-print' },
          h('a', { href: `#/patients/${pt.patient_id}` }, 'Dosing chart'),
          recording && top ? h('button', { type: 'button', class: 'primary', onclick: () => formDialog(pt.patient_id, top, today, done('TOP saved')) }, 'Record a TOP') : null,
          recording ? others.map((i) => h('button', { type: 'button', onclick: () => formDialog(pt.patient_id, i, today, done(`${i.definition.title} saved`)) }, `Record ${i.code === 'barc10' ? 'BARC-10' : i.code === 'swemwbs' ? 'SWEMWBS' : i.definition.title}`)) : null,
          recording ? h('button', { type: 'button', onclick: () => goalDialog(`/patients/${pt.patient_id}/goals`, done('Goal saved')) }, 'Set a goal') : null,
          recording ? h('button', { type: 'button', onclick: () => screenDialog(pt.patient_id, analytes, `${today}T10:00`, done('Drug screen saved')) }, 'Record a drug screen') : null,
          h('button', { type: 'button', onclick: () => window.print() }, 'Print summary'))),
      h('section', { class: 'panel summary', 'aria-labelledby': 'oc-sum' },
        h('h2', { id: 'oc-sum' }, 'Summary'),
        h('p', { class: p.progressing ? 'progressing' : '' }, p.progress_words),
        p.improved_in.length ? h('p', null, `Improved: ${p.improved_in.join('; ')}.`) : null,
        h('ul', { class: 'facts' },
          h('li', null, p.retained ? `In treatment for ${p.days_in_treatment} days.` : 'Not currently in treatment.'),
          att ? h('li', null, `Attendance over the last 28 days: ${att.sessions_attended} of ${att.sessions_due} sessions${att.attendance_rate !== null ? ` (${Math.round(att.attendance_rate * 100)}%)` : ''}.`) : null,
          h('li', null, sc.screens ? `Drug screens over ${sc.window_days} days: ${sc.negative_for_street_heroin} of ${sc.screens} free of street heroin (${sc.negative_pct}%), ${sc.meets_threshold ? 'meeting' : 'below'} the ${sc.threshold_pct}% mark.` : 'No drug screens in the window.')),
        h('p', { class: 'muted' }, p.thresholds ? p.thresholds.note : '')),
      h('section', { 'aria-labelledby': 'oc-pics' },
        h('h2', { id: 'oc-pics' }, 'Progress in each part of life'),
        p.domains.length ? h('div', { class: 'domains' }, p.domains.map((d) => domainPanel(d))) : h('p', { class: 'muted' }, 'No outcome forms recorded yet.')),
      h('section', { class: 'panel', 'aria-labelledby': 'oc-goals' },
        h('h2', { id: 'oc-goals' }, 'Goals'),
        goalList(p.goals, { onEvent: recording ? (g, k) => goalEventDialog(g, k, done('Goal updated')) : null })),
      h('section', { class: 'panel', 'aria-labelledby': 'oc-screens' },
        h('h2', { id: 'oc-screens' }, 'Drug screens'),
        (p.screen_list || []).length ? h('div', { class: 'table-wrap' }, h('table', null,
          h('thead', null, h('tr', null, ['Collected', 'Sample', 'Method', 'Results', 'Reading', ''].map((x) => h('th', null, x)))),
          h('tbody', null, p.screen_list.map((s) => h('tr', { class: s.entered_in_error ? 'in-error' : '' },
            h('td', null, fmtDateTime(s.collected_at), s.collection === 'random' ? ' (random)' : '', s.supervised ? ', supervised' : ''),
            h('td', null, s.sample_type.replace('_', ' ')), h('td', null, s.method.replace(/_/g, ' ')),
            h('td', null, s.results.map((r) => `${r.label.replace(/ \(.*\)$/, '')}: ${r.result.replace('_', ' ')}${r.expected && r.result === 'positive' ? ' (expected)' : ''}`).join('; ')),
            h('td', null, s.entered_in_error ? badge('oc-muted', `Entered in error: ${s.error_reason}`) : badge(READING_CLASS[s.street_heroin], s.reading)),
            h('td', { class: 'no-print' }, !s.entered_in_error && recording ? h('button', { type: 'button', onclick: () => openDialog({
              title: 'Mark entered in error', fields: [textarea('reason', 'Why', { required: true })], submitLabel: 'Mark in error', danger: true,
              submit: (f) => post(`/drug-screens/${s.id}/entered-in-error`, { reason: str(f, 'reason') }), done: done('Marked entered in error'),
            }) }, 'Entered in error') : null)))))) : h('p', { class: 'muted' }, 'No drug screens recorded.')),
      h('section', { class: 'panel', 'aria-labelledby': 'oc-forms' },
        h('h2', { id: 'oc-forms' }, 'Outcome forms'),
        forms.length ? h('div', { class: 'table-wrap' }, h('table', null,
          h('thead', null, h('tr', null, ['Date', 'Form', 'Stage', 'Score', 'By', ''].map((x) => h('th', null, x)))),
          h('tbody', null, forms.map((f) => h('tr', { class: f.entered_in_error ? 'in-error' : '', 'data-form': f.id },
            h('td', null, fullDay(f.form_date)),
            h('td', null, `${(byId[f.instrument] && byId[f.instrument].definition.title) || f.instrument} (version ${f.version})`),
            h('td', null, STAGE_LABEL[f.stage] || ''),
            h('td', null, f.metric !== null ? `${f.total} (metric ${f.metric.toFixed(2)})` : f.total !== null ? String(f.total) : '—'),
            h('td', null, f.keyworker || '', f.revisions > 1 ? h('span', { class: 'muted' }, ` (corrected ${f.revisions - 1}×)`) : null),
            h('td', { class: 'no-print' },
              f.entered_in_error ? badge('oc-muted', `Entered in error: ${f.error_reason}`) : [
                h('button', { type: 'button', onclick: () => historyDialog(f.id) }, 'History'),
                recording ? h('button', { type: 'button', onclick: () => formDialog(pt.patient_id, instruments.find((i) => i.code === f.instrument), today, done('Correction saved'), f) }, 'Correct') : null,
                recording ? h('button', { type: 'button', onclick: () => openDialog({
                  title: 'Mark entered in error', intro: 'The form stays on record, marked, with your reason.', fields: [textarea('reason', 'Why', { required: true })], submitLabel: 'Mark in error', danger: true,
                  submit: (x) => post(`/outcomes/${f.id}/entered-in-error`, { reason: str(x, 'reason') }), done: done('Marked entered in error'),
                }) }, 'Entered in error') : null])))))) : h('p', { class: 'muted' }, 'No forms yet.')),
      ndtmsPanel(episode, nd, ctx, load),
      accountPanel(pt.patient_id, accounts, ctx, load),
      h('p', { class: 'copyright print-only' }, instruments.filter((i) => i.enabled && i.definition.copyright).map((i) => i.definition.copyright).join(' ')));
  }

  async function historyDialog(formId) {
    const r = await get(`/outcomes/${formId}`);
    const dlg = h('dialog', { 'aria-label': 'Form history' },
      h('div', { class: 'dialog-head' }, h('h2', null, 'History of this form')),
      h('ol', { class: 'history' }, r.revisions.map((v) => h('li', null,
        `${fmtDateTime(v.recorded_at)} by ${v.recorded_by_name}${v.change_reason ? ` (${v.change_reason})` : ''}: `,
        h('code', null, Object.entries(v.answers).map(([k, x]) => `${k}=${typeof x === 'object' ? x.total : x}`).join(', ')),
        v.entered_in_error ? ` — entered in error: ${v.error_reason}` : ''))),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => dlg.close() }, 'Close')));
    dlg.addEventListener('close', () => dlg.remove());
    document.body.appendChild(dlg);
    dlg.showModal();
  }

  load();
  return () => { stopped = true; };
}

/** The caseload: people in treatment, reviews due, open goals. */
export function renderCaseload(main) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading the caseload…'));
  const STATUS = { start_due: ['oc-warn', 'Start TOP due'], due: ['oc-warn', 'Review due'], overdue: ['oc-danger', 'Review overdue'], not_due: ['oc-ok', 'Up to date'] };
  add(main, h('div', { class: 'screen-head' }, h('h1', null, 'Caseload')), body);
  get('/caseload').then((r) => {
    if (stopped) return;
    fill(body, h('section', { class: 'panel' },
      h('p', { class: 'muted' }, 'Everyone in treatment, with their next TOP review (every 6 months unless the clinic set otherwise) and their open goals.'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'caseload' },
        h('thead', null, h('tr', null, ['Person', 'Last TOP', 'Next review', 'Open goals', 'Last drug screen'].map((x) => h('th', null, x)))),
        h('tbody', null, r.patients.map((x) => h('tr', { 'data-patient': x.patient_id },
          h('td', null, h('a', { href: `#/patients/${x.patient_id}/outcomes` }, `${x.given_name} ${x.family_name}`)),
          h('td', null, x.last_top_date ? fullDay(x.last_top_date) : 'None yet'),
          h('td', null, badge(...STATUS[x.review_status]), x.review_status === 'start_due' ? '' : ` ${fullDay(x.review_due_date)}`),
          h('td', null, String(x.open_goals)),
          h('td', null, x.last_screen_at ? fmtDateTime(x.last_screen_at) : '—'))))))));
  }).catch((e) => { if (!stopped && e.status !== 401) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message)); });
  return () => { stopped = true; };
}

