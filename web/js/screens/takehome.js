// takehome.js: a person's take-home check.  Every criterion of the rule set
// is shown as the server read it from the record (never a box to tick);
// a prescriber records assessments and grants, reviews or withdraws the
// privilege; a nurse hands over a witnessed supply and records what comes
// back or is lost.  The server decides every one of them.

import { get, post } from '../api.js';
import {
  h, add, fill, input, select, textarea, witnessFields, witnessValue, openDialog, str, int,
  announce, fmtDay, fmtDateTime, formatMg, clinicToday, addDays,
} from '../ui.js';

const CRITERION_LABEL = {
  enabled: 'Take-home enabled at this premises',
  prescription: 'Current prescription, no review pending',
  privilege: 'Privilege granted and in review',
  treatment: 'At least 6 months of uninterrupted treatment',
  stability: 'Medically and socially stable (prescriber)',
  screens: 'Last two drug screens free of drugs not prescribed',
  misuse_risk: 'Very low risk of misuse (prescriber)',
  contact: 'Staff contact at least twice a week',
  days: 'Daily doses to take home',
};

const OUTCOMES = {
  stability: [['stable', 'Stable'], ['unstable', 'Not stable']],
  misuse_risk: [['very_low', 'Very low'], ['low', 'Low'], ['moderate', 'Moderate'], ['high', 'High']],
  comorbidity: [['present', 'Comorbidity risk factors present'], ['absent', 'None']],
};

export function render(main, ctx, [id]) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading the take-home check…'));
  add(main, body);

  async function load() {
    try {
      const [patient, st] = await Promise.all([get(`/patients/${id}`), get(`/patients/${id}/take-home`)]);
      if (!stopped) draw(patient, st);
    } catch (e) {
      if (e.status === 401 || stopped) return;
      fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function draw(p, st) {
    const name = `${p.given_name} ${p.family_name}`;
    const prescriber = ctx.has('prescriber');
    const doser = ctx.has('nurse', 'prescriber');
    const granted = (st.criteria || []).find((c) => c.criterion === 'privilege');
    const rows = (st.criteria || []).map((c) => h('tr', { class: c.met ? 'met' : 'not-met', dataset: { criterion: c.criterion } },
      h('th', { scope: 'row' }, CRITERION_LABEL[c.criterion] || c.criterion),
      h('td', null, h('strong', null, c.met ? 'Met' : 'Not met')),
      h('td', null, c.finding)));
    fill(body,
      h('div', { class: 'screen-head' },
        h('h1', null, `Take-home doses: ${name}`),
        h('div', { class: 'actions' },
          h('a', { class: 'button', href: `#/patients/${p.id}` }, 'Back to chart'),
          prescriber ? h('button', { type: 'button', onclick: () => assess() }, 'Record an assessment') : null,
          prescriber ? h('button', { type: 'button', onclick: () => decide(granted && granted.met ? 'review' : 'grant') },
            granted && granted.met ? 'Review the privilege' : 'Grant the privilege') : null,
          prescriber && granted && granted.met ? h('button', { type: 'button', class: 'danger', onclick: () => withdraw() }, 'Withdraw') : null,
          doser && st.setting.enabled ? h('button', { type: 'button', class: 'primary', onclick: () => supply(st) }, 'Hand over a supply') : null)),
      h('section', { class: 'panel' },
        h('p', { id: 'takehome-verdict', role: 'status' },
          !st.setting.enabled ? 'Take-home doses are off at this premises.'
            : st.eligible ? `Eligible today: up to ${st.max_days} daily doses (${st.setting.rule_set}).`
              : 'Not eligible today: see the criteria not met.'),
        h('p', { class: 'muted' }, `Uninterrupted treatment since ${fmtDay(st.treatment_since)} ${st.treatment_since.slice(0, 4)}; six months on ${fmtDay(st.eligible_from)} ${st.eligible_from.slice(0, 4)}.`),
        h('div', { class: 'table-wrap' }, h('table', { id: 'takehome-criteria' },
          h('thead', null, h('tr', null, ['Criterion', 'Result', 'What the record says'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, rows)))),
      h('section', { class: 'panel' },
        h('h2', null, 'Supplies'),
        (st.supplies || []).length ? h('div', { class: 'table-wrap' }, h('table', { id: 'takehome-supplies' },
          h('thead', null, h('tr', null, ['From', 'Days', 'Doses a day', 'Dose', 'Ampoules', 'Handed over', doser ? 'Actions' : null].filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', null, st.supplies.map((s) => h('tr', null,
            h('td', null, fmtDay(s.first_date)), h('td', { class: 'num' }, s.days), h('td', { class: 'num' }, s.doses_per_day),
            h('td', { class: 'num' }, `${formatMg(s.dose_ug / 1000)} mg`), h('td', { class: 'num' }, s.ampoules),
            h('td', null, fmtDateTime(s.supplied_at)),
            doser ? h('td', null, h('div', { class: 'actions' },
              h('button', { type: 'button', onclick: () => giveBack(s, 'returned') }, 'Return'),
              h('button', { type: 'button', class: 'danger', onclick: () => giveBack(s, 'lost') }, 'Report lost'))) : null)))))
          : h('p', null, 'No take-home supply yet.'),
        (st.returns || []).length ? h('ul', { id: 'takehome-returns' }, st.returns.map((r) => h('li', null,
          `${fmtDateTime(r.returned_at)}: ${r.kind === 'lost' ? 'Lost' : 'Returned'}: ${r.ampoules} ampoule(s) of supply ${r.supply_id}${r.days_unused ? `, ${r.days_unused} day(s) unused` : ''}. ${r.notes}`))) : null),
      h('section', { class: 'panel' },
        h('h2', null, 'Assessments and decisions'),
        (st.decisions || []).length ? h('ul', { id: 'takehome-decisions' }, st.decisions.map((d) => h('li', null,
          `${fmtDateTime(d.decided_at)}: ${d.kind.replace('_', ' ')}: ${d.outcome.replace('_', ' ')}${d.review_by_date ? ` (review by ${fmtDay(d.review_by_date)})` : ''}, ${d.by_name}. ${d.notes}`)))
          : h('p', null, 'None recorded.')));

    function assess() {
      const kind = select('kind', 'Assessment', [['stability', 'Medical and social stability'], ['misuse_risk', 'Risk of misuse'], ['comorbidity', 'Comorbidity risk factors']], { required: true });
      const outcomeHolder = h('div');
      const drawOutcome = () => fill(outcomeHolder, select('outcome', 'Finding', OUTCOMES[kind.querySelector('select').value], { required: true }));
      kind.querySelector('select').addEventListener('change', drawOutcome);
      drawOutcome();
      openDialog({
        title: `Take-home assessment: ${name}`,
        fields: [kind, outcomeHolder, textarea('notes', 'Notes', { rows: 3 })],
        submitLabel: 'Record',
        submit: (f) => post(`/patients/${p.id}/take-home/assessments`, { kind: str(f, 'kind'), outcome: str(f, 'outcome'), notes: str(f, 'notes') || '' }),
        done: () => { announce('Assessment recorded.'); load(); },
      });
    }

    function decide(what) {
      openDialog({
        title: `${what === 'grant' ? 'Grant' : 'Review'} the take-home privilege: ${name}`,
        intro: 'Every criterion is checked from the record when you do this.',
        fields: [input('review_by', 'Review by', { type: 'date', value: addDays(clinicToday(), st.setting.review_days) }), textarea('notes', 'Notes', { rows: 3 })],
        submitLabel: what === 'grant' ? 'Grant' : 'Record the review',
        submit: (f) => post(`/patients/${p.id}/take-home/${what}`, { review_by: str(f, 'review_by'), notes: str(f, 'notes') || '' }),
        done: () => { announce(what === 'grant' ? 'Privilege granted.' : 'Privilege reviewed.'); load(); },
      });
    }

    function withdraw() {
      openDialog({
        title: `Withdraw the take-home privilege: ${name}`,
        fields: [textarea('notes', 'Reason', { required: true, rows: 3 })],
        submitLabel: 'Withdraw',
        danger: true,
        submit: (f) => post(`/patients/${p.id}/take-home/withdraw`, { notes: str(f, 'notes') }),
        done: () => { announce('Privilege withdrawn.'); load(); },
      });
    }

    function supply() {
      const today = clinicToday();
      openDialog({
        title: `Take-home supply: ${name}`,
        intro: 'Each day is the prescription\'s doses in whole ampoules, posted to the register now.',
        fields: [select('first_date', 'First day', [[addDays(today, 1), `Tomorrow (${fmtDay(addDays(today, 1))})`], [today, `Today (${fmtDay(today)})`]], { required: true }),
          input('days', 'Daily doses', { type: 'number', min: 1, max: 31, value: '1', required: true }),
          witnessFields('A second nurse or pharmacist')],
        submitLabel: 'Hand over',
        submit: (f) => post(`/patients/${p.id}/take-home/supplies`, { first_date: str(f, 'first_date'), days: int(f, 'days'), witness: witnessValue(f) }),
        done: (r) => { announce(`Supply handed over: ${r.ampoules} ampoule(s).`); load(); },
      });
    }

    function giveBack(s, kind) {
      const lost = kind === 'lost';
      openDialog({
        title: `${lost ? 'Report lost' : 'Return'}: supply from ${fmtDay(s.first_date)}`,
        intro: lost ? 'A loss of a controlled drug opens an incident for the CDAO.'
          : 'Returned ampoules are denatured in front of the witness and never go back into stock.',
        fields: [input('ampoules', 'Ampoules', { type: 'number', min: 1, value: '1', required: true }),
          input('days_unused', 'Whole days not taken', { type: 'number', min: 0, value: '0' }),
          textarea('notes', 'Notes', { rows: 2 }), lost ? null : witnessFields('A second nurse or pharmacist')].filter(Boolean),
        submitLabel: lost ? 'Report lost' : 'Record the return',
        danger: lost,
        submit: (f) => {
          const b = { kind, ampoules: int(f, 'ampoules'), days_unused: int(f, 'days_unused') || 0, notes: str(f, 'notes') || '' };
          if (!lost) b.witness = witnessValue(f);
          return post(`/take-home-supplies/${s.id}/returns`, b);
        },
        done: () => { announce(lost ? 'Loss reported.' : 'Return recorded.'); load(); },
      });
    }
  }

  load();
  return () => { stopped = true; };
}
