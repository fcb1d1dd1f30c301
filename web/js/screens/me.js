// me.js: the person's own view.  Their progress in plain words and
// pictures, their goals (and a way to add their own), how they are doing
// in their own notes, and their attendance.  It reads only /me: the server
// gives a service-user login nothing else.

import { get, post } from '../api.js';
import {
  h, add, fill, select, textarea, formError, onSubmit, str, int, compact, announce, fmtDateTime,
} from '../ui.js';
import { domainPanel, goalDialog, goalEventDialog, goalList } from './outcomes.js';

const FEELING = [['5', 'Really good'], ['4', 'Good'], ['3', 'Okay'], ['2', 'Not great'], ['1', 'Bad']];

export function render(main) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading…'));
  add(main, body);

  async function load() {
    try {
      const [p, notes] = await Promise.all([get('/me/progress'), get('/me/notes')]);
      if (!stopped) draw(p, notes.notes);
    } catch (e) {
      if (!stopped && e.status !== 401) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function draw(p, notes) {
    const att = p.attendance;
    const note = h('form', { 'aria-label': 'How you are doing' });
    fill(note, formError(),
      select('feeling', 'How are you doing?', FEELING, { placeholder: '' }),
      textarea('text', 'In your own words', { required: true, maxlength: 2000 }),
      h('button', { type: 'submit', class: 'primary' }, 'Save note'));
    onSubmit(note, async (f) => {
      await post('/me/notes', compact({ feeling: int(f, 'feeling'), text: str(f, 'text') }));
      announce('Your note is saved.');
      load();
    });
    const done = (what) => () => { announce(what); load(); };
    // Things that were never a problem (always none) would only crowd the page.
    const telling = (sr) => !(sr.better === 'lower' && sr.points.every((x) => !x.value));
    const domains = p.domains.map((d) => ({ ...d, series: d.series.filter(telling) })).filter((d) => d.series.length);
    fill(body,
      h('div', { class: 'screen-head' }, h('h1', null, `Hello, ${p.patient.given_name}`)),
      h('section', { class: 'panel summary' },
        h('h2', null, 'How things are going'),
        h('p', { class: p.progressing ? 'progressing' : '' }, p.progress_words),
        p.improved_in.length ? h('p', null, `Better than when you started: ${p.improved_in.join('; ')}.`) : null,
        h('ul', { class: 'facts' },
          p.retained ? h('li', null, `You have been with us for ${p.days_in_treatment} days.`) : null,
          att ? h('li', null, `In the last 4 weeks you came to ${att.sessions_attended} of ${att.sessions_due} sessions.`) : null)),
      p.sessions && p.sessions.sessions_per_day ? h('section', { class: 'panel', 'aria-labelledby': 'me-sessions' },
        h('h2', { id: 'me-sessions' }, 'Your sessions'),
        h('p', null, `You can come ${p.sessions.sessions_per_day === 1 ? 'once' : `${p.sessions.sessions_per_day} times`} a day:`),
        h('ul', null, p.sessions.windows.map((w) => h('li', null, `${w.name[0].toUpperCase()}${w.name.slice(1)}: ${w.opens} to ${w.closes}`)))) : null,
      h('section', null, h('h2', null, 'Your progress'),
        domains.length ? h('div', { class: 'domains' }, domains.map((d) => domainPanel(d, { plain: true })))
          : h('p', { class: 'muted' }, 'Your keyworker will fill in your first review with you.')),
      h('section', { class: 'panel' }, h('h2', null, 'Your goals'),
        h('button', { type: 'button', class: 'primary', onclick: () => goalDialog('/me/goals', done('Your goal is saved.')) }, 'Add a goal of my own'),
        goalList(p.goals, { plain: true, onEvent: (g, k) => goalEventDialog(g, k, done('Your goal is updated.')) })),
      h('section', { class: 'panel' }, h('h2', null, 'Your notes'), note,
        notes.length ? h('ul', { class: 'notes' }, notes.map((n) => h('li', null, `${fmtDateTime(n.written_at)}: `,
          n.feeling ? h('strong', null, `${FEELING.find((x) => x[0] === String(n.feeling))[1]}. `) : null, n.text))) : null));
  }

  load();
  return () => { stopped = true; };
}
