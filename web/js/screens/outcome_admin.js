// outcome_admin.js: the manager's outcomes screen: the instruments (each
// with its copyright line, licence and switch), the outcome settings (the
// review interval and the change thresholds, which are local definitions),
// and the service report: for each domain, how many improved, stayed the
// same or got worse between Start and the latest Review, with retention,
// attendance, completions and re-presentations.

import { get, post, api } from '../api.js';
import {
  h, add, fill, badge, input, numberInput, formError, onSubmit, str, int, compact, announce,
} from '../ui.js';

const SETTINGS = [
  ['review_interval_days', 'Days between TOP reviews'],
  ['review_grace_days', 'Days a review may run late before it is overdue'],
  ['change_threshold_days', 'Change in days that counts (days of use, work)'],
  ['change_threshold_rating', 'Change in a 0-20 rating that counts'],
  ['screen_window_days', 'Days of drug screens in the street-heroin share'],
  ['screen_negative_pct', 'Share of screens free of street heroin to aim for (%)'],
];

const pct = (x) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);

export function render(main) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading…'));
  add(main, h('div', { class: 'screen-head' }, h('h1', null, 'Outcomes: instruments, settings and report')), body);

  async function load() {
    const [ins, settings, report] = await Promise.all([get('/instruments'), get('/outcome-settings'), get('/reports/outcomes')]);
    if (!stopped) draw(ins.instruments, settings, report);
  }

  function instrumentRow(i, today) {
    const def = i.definition;
    const licence = h('form', { class: 'inline', 'aria-label': `Licence for ${def.title}` });
    fill(licence, formError(),
      input('holder', 'Licence holder', { required: true }),
      input('reference', 'Registration or licence reference', { required: true }),
      input('registered_on', 'Registered on', { type: 'date', value: today, required: true }),
      input('expires_on', 'Expires on (if it does)', { type: 'date' }),
      h('button', { type: 'submit' }, 'Record licence'));
    onSubmit(licence, async (f) => {
      await post('/instruments/licences', compact({ code: i.code, holder: str(f, 'holder'), reference: str(f, 'reference'), registered_on: str(f, 'registered_on'), expires_on: str(f, 'expires_on') }));
      announce('Licence recorded.');
      load();
    });
    const toggle = h('form', { class: 'inline', 'aria-label': `Switch ${def.title}` }, formError(),
      h('button', { type: 'submit', class: i.enabled ? '' : 'primary' }, i.enabled ? 'Switch off' : 'Switch on'));
    onSubmit(toggle, async () => {
      await post('/instruments/switches', { code: i.code, enabled: !i.enabled });
      announce(`${def.title} switched ${i.enabled ? 'off' : 'on'}.`);
      load();
    });
    return h('section', { class: 'panel instrument', 'data-instrument': i.code },
      h('h3', null, `${def.title} (version ${i.version})`, ' ', badge(i.enabled ? 'oc-ok' : 'oc-muted', i.enabled ? 'On' : 'Off'),
        i.licence_required ? [' ', badge(i.licensed ? 'oc-ok' : 'oc-warn', i.licensed ? 'Licensed' : 'Needs a licence')] : null),
      h('p', null, `${def.items.length} items; ${def.scoring === 'none' ? 'each item compared on its own' : def.scoring === 'sum' ? 'scored by the sum of its items' : 'summed, then converted by its table'}${def.recall_days ? `; recall ${def.recall_days} days` : ''}.`),
      def.copyright ? h('p', { class: 'copyright' }, def.copyright) : null,
      i.licence_required && !i.licensed ? licence : null,
      toggle);
  }

  async function draw(instruments, settings, report) {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const form = h('form', { 'aria-label': 'Outcome settings' });
    fill(form, formError(),
      SETTINGS.map(([k, l]) => numberInput(k, l, { value: settings[k], step: 1, required: true })),
      h('p', { class: 'muted' }, settings.note),
      h('button', { type: 'submit', class: 'primary' }, 'Save settings'));
    onSubmit(form, async (f) => {
      const r = await api('PUT', '/outcome-settings', Object.fromEntries(SETTINGS.map(([k]) => [k, int(f, k)])));
      announce(`Outcome settings saved (version ${r.version}).`);
      load();
    });
    const ret = report.retention || {};
    fill(body,
      h('section', { 'aria-labelledby': 'oa-ins' }, h('h2', { id: 'oa-ins' }, 'Instruments'),
        instruments.map((i) => instrumentRow(i, today))),
      h('section', { class: 'panel', 'aria-labelledby': 'oa-set' }, h('h2', { id: 'oa-set' }, 'Settings'), form),
      h('section', { class: 'panel', 'aria-labelledby': 'oa-rep' },
        h('h2', { id: 'oa-rep' }, 'Service report'),
        h('p', null, `${report.people_compared} people have a Start TOP and a later Review or Exit to compare.`),
        h('div', { class: 'table-wrap' }, h('table', { class: 'report' },
          h('thead', null, h('tr', null, ['Domain item', 'Improved', 'About the same', 'Worse', 'Not known'].map((x) => h('th', null, x)))),
          h('tbody', null, report.domains.map((d) => h('tr', { 'data-item': d.key },
            h('td', null, d.label), h('td', null, String(d.improved)), h('td', null, String(d.same)),
            h('td', null, String(d.worse)), h('td', null, String(d.unknown))))))),
        h('ul', { class: 'facts' },
          ['3_months', '6_months', '12_months'].map((k) => h('li', null, `Retained at ${k.replace('_', ' ')}: ${ret[k] ? `${ret[k].retained} of ${ret[k].episodes} (${pct(ret[k].rate)})` : '—'}`)),
          report.attendance_28_days ? h('li', null, `Attendance over the last 28 days: ${pct(report.attendance_28_days.attendance_rate)}`) : null,
          h('li', null, `Successful completions: ${report.discharges.successful_completions}; of them re-presented within 6 months: ${report.discharges.re_presented_within_6_months}`)),
        h('p', { class: 'muted' }, `A change counts when it moves at least the thresholds above; they are this clinic's own definitions. The rows behind the report carry pseudonyms only (${report.rows.length} rows).`)));
  }

  load().catch((e) => { if (!stopped && e.status !== 401) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message)); });
  return () => { stopped = true; };
}

