// app.js: the session (log in, idle logout, log out), the role-aware
// navigation and the hash router.  Nothing about patients or the session
// is kept in localStorage or sessionStorage: the cookie is HttpOnly and the
// CSRF token lives in memory; a reload asks GET /session again.

import { api, get, put, setCsrf, onAuthLost, ApiError } from './api.js';
import {
  h, add, clear, closeDialogs, announce, clinicToday, openDialog, input,
} from './ui.js';
import * as loginScreen from './screens/login.js';
import * as board from './screens/board.js';
import * as chart from './screens/chart.js';
import * as patients from './screens/patients.js';
import * as prescriptions from './screens/prescriptions.js';
import * as register from './screens/register.js';
import * as users from './screens/users.js';
import * as settings from './screens/settings.js';
import * as attendance from './screens/attendance.js';
import * as outcomes from './screens/outcomes.js';
import * as me from './screens/me.js';
import * as outcomeAdmin from './screens/outcome_admin.js';
import * as summary from './screens/summary.js';
import * as evaluation from './screens/evaluation.js';
import * as flex from './screens/flex.js';
import * as takehome from './screens/takehome.js';

// Who sees which screen follows the server's policy (docs/roles.md): patient
// records are for the care team; the register roles keep to the register.
const CLINICAL = ['prescriber', 'nurse', 'keyworker', 'manager'];
const REGISTER_READ = ['pharmacist', 'cdao', 'auditor', 'manager', 'nurse', 'prescriber'];
// Those who witness or confirm, and so may set a witness PIN (policy user.set_pin).
const WITNESSES = ['nurse', 'prescriber', 'pharmacist', 'cdao', 'manager'];

// Each screen: the hash it answers, who may use it, and (if any) its menu entry.
const ROUTES = [
  { re: /^\/board$/, nav: 'Dosing board', title: 'Dosing board', roles: CLINICAL, screen: board.render },
  { re: /^\/patients$/, nav: 'Patients', title: 'Patients', roles: CLINICAL, screen: patients.renderList },
  { re: /^\/patients\/(\d+)$/, title: 'Patient chart', roles: CLINICAL, screen: chart.render, under: '/patients' },
  { re: /^\/patients\/(\d+)\/edit$/, title: 'Patient details', roles: CLINICAL, screen: patients.renderEdit, under: '/patients' },
  { re: /^\/patients\/(\d+)\/prescriptions$/, title: 'Prescriptions', roles: CLINICAL, screen: prescriptions.render, under: '/patients' },
  { re: /^\/patients\/(\d+)\/take-home$/, title: 'Take-home check', roles: CLINICAL, screen: takehome.render, under: '/patients' },
  { re: /^\/caseload$/, nav: 'Caseload', title: 'Caseload', roles: ['keyworker', 'manager'], screen: outcomes.renderCaseload },
  { re: /^\/patients\/(\d+)\/outcomes$/, title: 'Recovery and outcomes', roles: CLINICAL, screen: outcomes.render, under: '/caseload' },
  { re: /^\/outcome-admin$/, nav: 'Outcomes', title: 'Outcomes', roles: ['manager'], screen: outcomeAdmin.render },
  { re: /^\/evaluation$/, nav: 'Evaluation', title: 'Service evaluation', roles: ['manager', 'auditor'], screen: evaluation.render },
  { re: /^\/flexibility$/, nav: 'Flexibility', title: 'The schedule\'s burden', roles: ['manager'], screen: flex.renderReport },
  { re: /^\/me$/, nav: 'My progress', title: 'My progress', roles: ['service_user'], screen: me.render },
  { re: /^\/attendance$/, nav: 'Attendance', title: 'Attendance', roles: CLINICAL, screen: attendance.render },
  { re: /^\/session-summary$/, nav: 'Handover', title: 'Session summary', roles: CLINICAL, screen: summary.renderSummary },
  { re: /^\/dosing-sheet\/(\d{4}-\d{2}-\d{2})$/, title: 'Daily dosing sheet', roles: CLINICAL, screen: summary.renderSheet, under: '/session-summary' },
  { re: /^\/register(?:\/(\d+))?$/, nav: 'Register', title: 'Controlled-drug register', roles: REGISTER_READ, screen: register.render, home: '/register' },
  { re: /^\/users$/, nav: 'Users', title: 'Users', roles: ['admin'], screen: users.render },
  { re: /^\/settings$/, nav: 'Clinic settings', title: 'Clinic settings', roles: ['manager'], screen: settings.render },
];

const $ = (id) => document.getElementById(id);

const state = {
  session: null, // {user, csrf_token, idle_timeout_s}
  cleanup: null,
  lastActivity: Date.now(),
  idleTimer: null,
  premisesId: null,
  settingsPromise: null,
  suspendedUser: null,
  alerts: null, // {count, at}: the alerts' total for the menu's badge
};

// The alerts' count on the menu is read again at most this often (ms);
// the register screen reports it each time it loads.
const ALERTS_TTL = 60000;

const ctx = {
  get user() { return state.session && state.session.user; },
  has(...roles) {
    // A role held at one premises opens its screens too; the server checks
    // each request against the premises it is for.
    const u = state.session && state.session.user;
    const mine = u ? [...(u.roles || []), ...(u.premises_roles || []).map((g) => g.role)] : [];
    return roles.some((r) => mine.includes(r));
  },
  navigate(hash) {
    if (location.hash === `#${hash}`) route();
    else location.hash = hash;
  },
  /** The premises the screens show: the first one, or for someone whose
   * roles are held at some premises only, the first of those. */
  async premises() {
    if (state.premisesId === null) {
      const u = state.session && state.session.user;
      const held = u && !(u.roles || []).length ? (u.premises_roles || []).map((g) => g.premises_id) : [];
      if (held.length) state.premisesId = Math.min(...held);
      else {
        const r = await get('/premises');
        state.premisesId = r.premises.length ? r.premises[0].id : 1;
      }
    }
    return state.premisesId;
  },
  /** The clinic settings (sessions, sedation scale), fetched once per login. */
  settings() {
    if (!state.settingsPromise) {
      state.settingsPromise = ctx.premises().then((id) => get(`/premises/${id}/settings`));
      state.settingsPromise.catch(() => { state.settingsPromise = null; });
    }
    return state.settingsPromise;
  },
  forgetSettings() { state.settingsPromise = null; },
  /** The register screen says how many alerts there are: the menu shows it. */
  alertCount(n) {
    state.alerts = { count: n, at: Date.now() };
    showAlertCount();
  },
  /** Today in the clinic by the server's clock (the browser's may be off). */
  async today() {
    try {
      const r = await get('/health', { authHook: false });
      if (r && r.time) return londonDate(r.time);
    } catch (e) { /* fall back on the browser's clock */ }
    return clinicToday();
  },
};

const londonDate = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));

function idleMinutes() {
  return Math.round(((state.session && state.session.idle_timeout_s) || 1800) / 60);
}

function idleMessage() {
  return `Your session ended after ${idleMinutes()} minutes without use; please log in again.`;
}

function homeFor() {
  if (ctx.has('service_user')) return '/me';
  if (ctx.has('nurse', 'prescriber')) return '/board';
  if (ctx.has('pharmacist', 'cdao', 'auditor')) return '/register';
  if (ctx.has('admin')) return '/users';
  if (ctx.has('manager')) return '/board';
  if (ctx.has('keyworker')) return '/patients';
  return '/board';
}

function renderNav(current) {
  const nav = clear($('nav'));
  for (const r of ROUTES) {
    if (!r.nav || !ctx.has(...r.roles)) continue;
    const path = r.home || r.re.source.replace(/^\^\\|\$$/g, '').replace(/\\\//g, '/');
    const active = current && (current === r || current.under === path);
    nav.appendChild(h('a', { href: `#${path}`, 'aria-current': active ? 'page' : null }, r.nav));
  }
  nav.hidden = false;
  showAlertCount();
  // The register screen reads the alerts itself; elsewhere, now and then.
  if (ctx.has(...register.ALERT_ROLES) && !(current && current.home === '/register') &&
      (!state.alerts || Date.now() - state.alerts.at > ALERTS_TTL)) {
    const asked = state.session;
    ctx.premises().then((id) => get(`/alerts?premises_id=${id}`, { authHook: false })).then((a) => {
      if (state.session === asked) ctx.alertCount(register.alertTotal(a));
    }).catch(() => {});
  }
  const who = clear($('who'));
  const u = state.session.user;
  const atPremises = (u.premises_roles || []).map((g) => `${g.role} at ${g.premises}`);
  add(who, h('span', null, `${u.display_name} (${[...u.roles, ...atPremises].join(', ')})`),
    ctx.has(...WITNESSES) ? h('button', { type: 'button', onclick: pinDialog }, 'My PIN') : null,
    ctx.has('service_user') ? null : h('button', { type: 'button', onclick: switchUser }, 'Switch user'),
    h('button', { type: 'button', onclick: logout }, 'Log out'));
  who.hidden = false;
}

/** The count badge on the menu's Register link, for those who see the alerts. */
function showAlertCount() {
  const link = document.querySelector('#nav a[href="#/register"]');
  if (!link) return;
  const old = link.querySelector('.nav-count');
  if (old) old.remove();
  const n = state.alerts && ctx.has(...register.ALERT_ROLES) ? state.alerts.count : 0;
  if (n > 0) link.appendChild(h('span', { class: 'nav-count' }, String(n), h('span', { class: 'sr-only' }, n === 1 ? ' alert' : ' alerts')));
}

function route() {
  if (!state.session) return;
  if (state.cleanup) {
    try { state.cleanup(); } catch (e) { /* a screen's cleanup must not stop the next */ }
    state.cleanup = null;
  }
  closeDialogs();
  const path = (location.hash || '').replace(/^#/, '') || '';
  const main = $('main');
  main.hidden = false;
  $('login').hidden = true;
  const r = ROUTES.find((x) => x.re.test(path));
  if (!r) {
    location.replace(`#${homeFor()}`);
    return;
  }
  renderNav(r);
  clear(main);
  if (!ctx.has(...r.roles)) {
    document.title = `Not available: hat`;
    add(main, h('section', { class: 'panel' },
      h('h1', null, 'Not available to your role'),
      h('p', null, `The ${r.title} screen is not open to ${state.session.user.roles.join(', ')} accounts. `,
        h('a', { href: `#${homeFor()}` }, 'Go to your start screen'), '.')));
    main.focus();
    return;
  }
  document.title = `${r.title}: hat`;
  const params = path.match(r.re).slice(1);
  const out = r.screen(main, ctx, params);
  if (typeof out === 'function') state.cleanup = out;
  main.focus({ preventScroll: true });
}

function startSession(s) {
  state.session = s;
  setCsrf(s.csrf_token);
  state.lastActivity = Date.now();
  state.settingsPromise = null;
  state.premisesId = null; // each person's own premises (ctx.premises)
  clearInterval(state.idleTimer);
  state.idleTimer = setInterval(checkIdle, 5000);
}

async function afterLogin(s) {
  const resume = state.suspendedUser !== null && state.suspendedUser === s.user.id;
  state.suspendedUser = null;
  startSession(s);
  $('login').hidden = true;
  if (resume) {
    // The same person signed in again: bring back what they were doing,
    // with everything they had typed, and let them send it again.
    $('main').hidden = false;
    renderNav(ROUTES.find((x) => x.re.test((location.hash || '').slice(1))));
    document.querySelectorAll('dialog[data-suspended]').forEach((d) => {
      delete d.dataset.suspended;
      d.showModal();
    });
    announce('Logged in again: your work is as you left it. Send it again when ready.');
    return;
  }
  closeDialogs();
  state.alerts = null;
  if (!location.hash || location.hash === '#/login' || location.hash === '#') location.replace(`#${homeFor()}`);
  route();
}

/** Hides everything and shows the login form with why. */
function endSession(message, { keepWork = false } = {}) {
  if (keepWork && state.session) {
    state.suspendedUser = state.session.user.id;
    document.querySelectorAll('dialog[open]').forEach((d) => {
      d.dataset.suspended = '1';
      d.close();
    });
  } else {
    state.suspendedUser = null;
    state.alerts = null;
    closeDialogs();
    if (state.cleanup) {
      try { state.cleanup(); } catch (e) { /* ignore */ }
      state.cleanup = null;
    }
    clear($('main'));
  }
  state.session = null;
  setCsrf(null);
  clearInterval(state.idleTimer);
  $('main').hidden = true;
  $('nav').hidden = true;
  $('who').hidden = true;
  document.title = 'Log in: hat';
  loginScreen.render($('login'), { message, onLogin: afterLogin });
}

/** One's own witness PIN: colleagues signed in on the same device pick their
 * name and type it to witness.  Setting it needs the current password. */
function pinDialog() {
  openDialog({
    title: 'Your witness PIN',
    intro: 'When you are signed in on a device, you can witness there by picking your name and typing this PIN. 6 to 12 digits, not one digit repeated and not a run like 123456. Never share it.',
    fields: [
      input('current_password', 'Your current password', { type: 'password', required: true, autocomplete: 'current-password' }),
      input('pin', 'New PIN', { type: 'password', required: true, inputmode: 'numeric', autocomplete: 'new-password', maxlength: 12 }),
      input('pin_again', 'New PIN again', { type: 'password', required: true, inputmode: 'numeric', autocomplete: 'new-password', maxlength: 12 }),
    ],
    submitLabel: 'Set my PIN',
    submit: async (f) => {
      const pin = f.elements.pin.value;
      if (pin !== f.elements.pin_again.value) {
        throw new ApiError(0, 'pin_mismatch', 'The two PINs are not the same.', 'pin_again');
      }
      return put('/session/pin', { pin, current_password: f.elements.current_password.value });
    },
    done: () => announce('Your witness PIN is set.'),
  });
}

/** Lets someone else sign in on this device without logging the current
 * person out: the browser forgets their session (the server drops its
 * cookie) but they stay signed in on this device, and can witness here by
 * PIN, until their session goes unused for the idle time. */
async function switchUser() {
  const name = state.session.user.display_name;
  try {
    await api('POST', '/session/switch', {}, { authHook: false });
  } catch (e) {
    // The browser must not keep this person's session for the next one.
    await logout();
    return;
  }
  endSession(`${name} is still signed in on this device and can witness here with their PIN until ${idleMinutes()} minutes without use. Log in as the next person.`);
}

async function logout() {
  try {
    await api('DELETE', '/session', undefined, { authHook: false });
  } catch (e) { /* gone already: either way the person is logged out */ }
  endSession('You have logged out.');
}

function checkIdle() {
  if (!state.session) return;
  if (Date.now() - state.lastActivity >= state.session.idle_timeout_s * 1000) {
    const msg = idleMessage();
    api('DELETE', '/session', undefined, { authHook: false }).catch(() => {});
    endSession(msg);
  }
}

function noteActivity() {
  state.lastActivity = Date.now();
}

onAuthLost((err) => {
  if (!state.session) return;
  const msg = err.code === 'session_expired' || err.code === 'unauthenticated' ? idleMessage() : err.message;
  // The server ended it (idle or restarted): keep the work hidden for
  // the same person to finish once they log in again.
  endSession(msg, { keepWork: true });
});

async function boot() {
  for (const ev of ['keydown', 'pointerdown', 'input', 'wheel', 'touchstart']) {
    document.addEventListener(ev, noteActivity, { capture: true, passive: true });
  }
  window.addEventListener('hashchange', () => { if (state.session) route(); });
  get('/health', { authHook: false }).then((r) => {
    if (r && r.clinic) $('clinic').textContent = r.clinic;
  }).catch(() => {});
  try {
    const s = await get('/session', { authHook: false });
    startSession(s);
    route();
  } catch (e) {
    endSession(e.status === 401 ? '' : e.message);
  }
}

boot();
