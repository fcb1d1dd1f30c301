// settings.js: the clinic's clinical settings (managers): session
// windows, observation and assessment times, missed-dose thresholds,
// ceilings and the sedation scale.  Each save is a new, audited version.

import { api, get } from '../api.js';
import {
  h, add, fill, clear, input, numberInput, textarea, checkbox, formError, onSubmit, str, int, isChecked, announce,
} from '../ui.js';
import { settingsPanel as flexSettings } from './flex.js';

const NUMBERS = [
  ['Sessions', [
    ['min_between_session_starts_min', 'Least time between session starts (minutes)'],
    ['observation_min', 'Observation after a dose (minutes)'],
    ['assessment_valid_min', 'A pre-dose assessment is valid for (minutes)'],
    ['topup_min_gap_min', 'Least time before a top-up (minutes)'],
  ]],
  ['Missed doses', [
    ['missed_flag_days', 'Flag after this many days missed'],
    ['missed_block_days', 'Block until review after this many days'],
    ['missed_restart_days', 'Restart induction after this many days'],
    ['oral_missed_review_days', 'Oral dose needs a review after this many days without it'],
  ]],
  ['Daily ceilings', [
    ['ceiling_diamorphine_mg', 'Diamorphine (mg a day)'],
    ['ceiling_hydromorphone_mg', 'Hydromorphone (mg a day)'],
    ['ceiling_methadone_oral_mg', 'Oral methadone (mg a day)'],
    ['ceiling_srom_mg', 'Slow-release oral morphine (mg a day)'],
  ]],
  ['Assessment thresholds', [
    ['sedation_fit_max', 'Highest sedation level fit for a full dose'],
    ['sedation_reduced_max', 'Highest sedation level fit for a reduced dose'],
    ['alcohol_fit_max_ug', 'Highest breath alcohol for a full dose (µg/100 ml)'],
    ['alcohol_reduced_max_ug', 'Highest breath alcohol for a reduced dose (µg/100 ml)'],
  ]],
  ['Post-dose alarm', [
    ['postdose_sedation_alarm', 'Alarm at this sedation level or worse'],
    ['postdose_resp_rate_min', 'Alarm when breathing is under (breaths a minute)'],
    ['postdose_spo2_min', 'Alarm when oxygen saturation is under (%)'],
  ]],
];

export function render(main, ctx) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading settings…'));
  add(main, h('div', { class: 'screen-head' }, h('h1', null, 'Clinic settings')), body);

  async function load() {
    try {
      const premises = await ctx.premises();
      const s = await get(`/premises/${premises}/settings`);
      if (!stopped) draw(premises, s);
    } catch (e) {
      if (e.status !== 401 && !stopped) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function draw(premises, s) {
    const windows = s.windows.map((w, i) => h('fieldset', { class: 'field', dataset: { field: `windows.${i}` } },
      h('legend', null, `Session ${i + 1}`),
      h('div', { class: 'row' },
        input(`w${i}_name`, 'Name', { required: true, value: w.name }),
        input(`w${i}_start`, 'Opens', { type: 'time', required: true, value: w.start }),
        input(`w${i}_end`, 'Closes', { type: 'time', required: true, value: w.end }))));
    const form = h('form', { 'aria-label': 'Clinic settings' },
      formError(),
      h('p', { class: 'muted' }, `Version ${s.version}. Times are clinic local time (Europe/London).`),
      h('fieldset', { class: 'field', dataset: { field: 'windows' } }, h('legend', null, 'Dosing sessions'), windows, h('p', { class: 'field-error' })),
      NUMBERS.map(([title, list]) => h('fieldset', null, h('legend', null, title),
        h('div', { class: 'row' }, list.map(([k, label]) => numberInput(k, label, { required: true, step: '1', inputmode: 'numeric', value: s[k] }))))),
      textarea('sedation_scale', 'Sedation scale (one level per line, from 0)', { required: true, rows: 5, value: s.sedation_scale.join('\n') }),
      checkbox('im_site_repeat_warn', 'Warn when an IM site repeats the last one', { checked: s.im_site_repeat_warn }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')));
    onSubmit(form, async (f) => {
      const out = {
        windows: s.windows.map((w, i) => ({ name: str(f, `w${i}_name`), start: str(f, `w${i}_start`).slice(0, 5), end: str(f, `w${i}_end`).slice(0, 5) })),
        sedation_scale: str(f, 'sedation_scale').split('\n').map((x) => x.trim()).filter(Boolean),
        im_site_repeat_warn: isChecked(f, 'im_site_repeat_warn'),
      };
      for (const [, list] of NUMBERS) for (const [k] of list) out[k] = int(f, k);
      const saved = await api('PUT', `/premises/${premises}/settings`, out);
      ctx.forgetSettings();
      announce(`Settings saved (version ${saved.version}).`);
      s.version = saved.version;
      form.querySelector('p.muted').textContent = `Version ${saved.version}. Times are clinic local time (Europe/London).`;
    });
    fill(body, h('section', { class: 'panel' }, form), flexSettings(premises));
  }

  load();
  return () => { stopped = true; };
}
