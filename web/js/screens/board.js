// board.js: the dosing board for the session now running.  Refreshes
// itself every few seconds; each patient is a card large enough to read
// across the room: state, flags, the observation countdown, today's doses
// and the next step's buttons.  A refresh never takes the focus away.

import { get } from '../api.js';
import {
  h, addDays, fmtDay, add, clear, badge, fmtTime, fmtLongDay, mg, mmss, STATE_LABEL, FLAG_LABEL, identity,
} from '../ui.js';
import { actionsFor, ALARM_LABEL } from './visit.js';

const REFRESH_MS = 4000;

const ORDER = { observing: 0, dosed: 1, assessed: 2, checked_in: 3, due: 4, withheld: 5, declined: 6, left: 7, did_not_attend: 8 };

export function render(main, ctx) {
  const errors = new Map(); // patient id -> refusal text, kept across refreshes
  const cards = new Map(); // patient id -> {key, node}
  let data = null;
  let fetchedAt = 0;
  let timer = null;
  let ticker = null;
  let stopped = false;

  const title = h('h1', null, 'Dosing board');
  const windowLine = h('p', { class: 'window' });
  const updated = h('p', { class: 'updated', 'aria-live': 'off' });
  const summary = h('p', { class: 'muted' });
  const list = h('ul', { class: 'board', 'aria-label': 'Patients due this session' });
  const problem = h('p', { class: 'form-error', role: 'alert' });
  // The board keeps its order while a nurse works: another station's change
  // is announced here, and the cards move only when the nurse re-sorts.
  let order = null; // patient ids in the order shown
  const lastState = new Map(); // patient id -> state at the last refresh
  const changes = h('p', { class: 'board-changes', role: 'status', 'aria-live': 'polite' });
  const resort = h('button', { type: 'button', class: 'resort', hidden: true, onclick: () => { order = null; draw(); } }, 'Re-sort the board');
  const search = h('input', { type: 'search', id: 'board-search', placeholder: 'Name', autocomplete: 'off', oninput: () => applyFilter() });
  const filter = h('select', { id: 'board-filter', onchange: () => applyFilter() },
    h('option', { value: '' }, 'Everyone'),
    h('option', { value: 'attention' }, 'Needs attention (alarm, blocked, missed doses)'),
    Object.entries(STATE_LABEL).map(([v, l]) => h('option', { value: v }, l)));
  const tools = h('div', { class: 'board-tools' },
    h('label', { for: 'board-search' }, 'Find a patient'), search,
    h('label', { for: 'board-filter' }, 'Show'), filter, resort, changes);
  // Every station sees every alarm here, whichever card its nurse works on.
  const alarms = h('div', { class: 'board-alarms', role: 'alert', 'aria-label': 'Alarms' });
  add(main, h('div', { class: 'board-head' }, title, windowLine, updated), alarms, tools, summary, problem, list);

  const needsAttention = (p) => !!p.alarm || p.flags.some((f) => ['blocked_until_review', 'restart_induction', 'missed_dose_alert'].includes(f));
  function applyFilter() {
    const q = search.value.trim().toLowerCase();
    const want = filter.value;
    let shown = 0;
    for (const p of data ? data.patients : []) {
      const c = cards.get(p.patient_id);
      if (!c) continue;
      const ok = (!q || `${p.given_name} ${p.family_name}`.toLowerCase().includes(q)) &&
        (!want || (want === 'attention' ? needsAttention(p) : p.state === want));
      c.node.hidden = !ok;
      if (ok) shown += 1;
    }
    list.dataset.shown = String(shown);
  }

  function remaining(p) {
    const left = p.observation_remaining_s - (Date.now() - fetchedAt) / 1000;
    return Math.max(0, Math.ceil(left));
  }

  function cardFor(p) {
    const blocked = p.flags.includes('blocked_until_review');
    const observing = p.observation_remaining_s > 0;
    const err = errors.get(p.patient_id);
    const pp = { ...p, observation_remaining_s: remaining(p) };
    const onDone = (e) => {
      if (e) errors.set(p.patient_id, e.message);
      else errors.delete(p.patient_id);
      refresh();
    };
    const actions = actionsFor(pp, ctx, onDone);
    const nameId = `card-${p.patient_id}-name`;
    const alarm = !!p.alarm;
    const node = h('li', { class: `card${observing || alarm ? ' is-observing' : ''}${blocked ? ' is-blocked' : ''}${alarm ? ' is-alarm' : ''}`, 'aria-labelledby': nameId, dataset: { patient: p.patient_id, state: p.state } },
      h('h2', { id: nameId }, h('a', { href: `#/patients/${p.patient_id}` }, `${p.given_name} ${p.family_name}`)),
      identity(p),
      h('p', { class: 'state' }, badge(`state-${p.state}`, STATE_LABEL[p.state] || p.state),
        observing ? h('span', null, ' ', h('span', { class: 'countdown', dataset: { countdown: '1' }, 'aria-label': 'Observation time left' }, mmss(remaining(p))), ' left') : null),
      shownFlags(p).length ? h('p', { class: 'flags' }, shownFlags(p).map((f) => badge(`flag flag-${f}`, FLAG_LABEL[f] || f))) : null,
      p.alerts ? h('p', { class: 'facts-line' }, h('strong', null, 'Alert: '), p.alerts) : null,
      h('p', { class: 'facts-line' }, `Today: ${p.sessions_today} of ${p.sessions_per_day} sessions`, p.day_injected_ug ? `, ${mg(p.day_injected_ug)}` : '', p.day_oral_ug ? `, oral ${mg(p.day_oral_ug)}` : ''),
      p.last_dose_at ? h('p', { class: 'facts-line muted' }, `Last dose ${whenDay(p.last_dose_at, data.date)}${fmtTime(p.last_dose_at)}, ${mg(p.last_dose_ug)}`) : null,
      p.days_missed ? h('p', { class: 'facts-line' }, `${p.days_missed} day${p.days_missed === 1 ? '' : 's'} missed`) : null,
      p.review_pending ? h('p', { class: 'facts-line review-pending' }, h('strong', null, 'Review pending: '), p.review_pending.message) : null,
      p.oral_review_required ? h('p', { class: 'facts-line review-pending' }, h('strong', null, 'Oral dose: '), `${p.oral_days_missed} days without it; a prescriber must review before the next one.`) : null,
      err ? h('p', { class: 'form-error card-error', role: 'alert' }, err) : null,
      actions.length ? h('div', { class: 'actions' }, actions) : null);
    return node;
  }

  // The alert's own words are on the card, so its badge would only repeat them.
  const shownFlags = (p) => p.flags.filter((f) => f !== 'observing' && !(f === 'alerts_on_record' && p.alerts));

  function whenDay(iso, today) {
    const d = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date(iso));
    if (d === today) return 'today ';
    if (d === addDays(today, -1)) return 'yesterday ';
    return `${fmtDay(d)} `;
  }

  function draw() {
    if (!data) return;
    const w = data.window;
    windowLine.textContent = w
      ? `${w.name[0].toUpperCase()}${w.name.slice(1)} session ${w.start}–${w.end}: ${w.open ? 'open' : 'closed'}`
      : 'No session today';
    title.textContent = `Dosing board, ${fmtLongDay(data.date)}`;
    drawAlarms();
    const sorted = [...data.patients].sort((a, b) => (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) ||
      a.family_name.localeCompare(b.family_name));
    const byId = new Map(data.patients.map((p) => [p.patient_id, p]));
    // Keep the order already shown; someone new joins at the end.
    if (!order) order = sorted.map((p) => p.patient_id);
    else {
      order = order.filter((id) => byId.has(id));
      for (const p of sorted) if (!order.includes(p.patient_id)) order.push(p.patient_id);
    }
    const rows = order.map((id) => byId.get(id));
    resort.hidden = sorted.every((p, i) => p.patient_id === order[i]);
    const moved = [];
    for (const p of data.patients) {
      const was = lastState.get(p.patient_id);
      if (was && was !== p.state) moved.push(`${p.given_name} ${p.family_name}: ${(STATE_LABEL[p.state] || p.state).toLowerCase()}`);
      lastState.set(p.patient_id, p.state);
    }
    if (moved.length) changes.textContent = `Changed: ${moved.join('; ')}.`;
    const counts = {};
    rows.forEach((p) => { counts[p.state] = (counts[p.state] || 0) + 1; });
    summary.textContent = rows.length
      ? Object.entries(counts).map(([s, n]) => `${n} ${(STATE_LABEL[s] || s).toLowerCase()}`).join(' · ')
      : (w ? 'Nobody is due in this session.' : 'Nobody to show outside a session.');
    const active = document.activeElement;
    const focusCard = active && active.closest ? active.closest('li.card') : null;
    const focusKey = focusCard ? [focusCard.dataset.patient, active.textContent] : null;
    const seen = new Set();
    let prev = null;
    for (const p of rows) {
      seen.add(p.patient_id);
      const key = JSON.stringify([p.state, p.flags, p.observation_remaining_s > 0, p.sessions_today, p.day_injected_ug,
        p.last_dose_at, errors.get(p.patient_id) || '', p.alerts, p.days_missed, p.alarm, p.review_pending, p.oral_review_required, p.has_photo]);
      let c = cards.get(p.patient_id);
      if (!c || c.key !== key) {
        const node = cardFor(p);
        if (c) c.node.replaceWith(node);
        c = { key, node };
        cards.set(p.patient_id, c);
      }
      // Keep the sorted order without rebuilding cards that did not change.
      const want = prev ? prev.nextSibling : list.firstChild;
      if (want !== c.node) list.insertBefore(c.node, want);
      prev = c.node;
    }
    for (const [id, c] of cards) {
      if (!seen.has(id)) { c.node.remove(); cards.delete(id); }
    }
    applyFilter();
    if (focusKey && !document.activeElement.closest?.('li.card') && !document.querySelector('dialog[open]')) {
      const card = list.querySelector(`li.card[data-patient="${focusKey[0]}"]`);
      // The same control if it is still there, else the card's next step
      // (after "Check in", "Assess"), else the patient's name.
      const again = card && ([...card.querySelectorAll('a, button')].find((b) => b.textContent === focusKey[1]) ||
        card.querySelector('button.primary') || card.querySelector('a'));
      if (again) again.focus({ preventScroll: true });
    }
    tick();
  }

  function drawAlarms() {
    const list2 = data.alarms || [];
    const text = JSON.stringify(list2);
    if (alarms.dataset.shown === text) return;
    alarms.dataset.shown = text;
    clear(alarms);
    list2.forEach((a) => add(alarms, h('p', null, 'ALARM: ',
      h('a', { href: `#/patients/${a.patient_id}` }, `${a.given_name} ${a.family_name}`),
      `: abnormal post-dose check at ${fmtTime(a.at)} (${a.alarms.map((x) => ALARM_LABEL[x] || x).join(', ')}).`)));
  }

  function tick() {
    if (!data) return;
    for (const p of data.patients) {
      const c = cards.get(p.patient_id);
      const span = c && c.node.querySelector('[data-countdown]');
      if (span) span.textContent = mmss(remaining(p));
    }
  }

  async function refresh() {
    clearTimeout(timer);
    if (stopped) return;
    try {
      const premises = await ctx.premises();
      const d = await get(`/board?premises_id=${premises}`);
      if (stopped) return;
      data = d;
      fetchedAt = Date.now();
      problem.textContent = '';
      updated.textContent = `Updated ${new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date())}`;
      draw();
    } catch (e) {
      if (e.status === 401) return;
      problem.textContent = `The board could not be refreshed: ${e.message}`;
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }

  refresh();
  ticker = setInterval(tick, 1000);
  return () => {
    stopped = true;
    clearTimeout(timer);
    clearInterval(ticker);
  };
}
