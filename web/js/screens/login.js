// login.js: the login form.  Shown at start, after logout and when a
// session ends, with the reason in plain words.

import { get, post, setCsrf } from '../api.js';
import {
  h, add, clear, input, formError, onSubmit, str,
} from '../ui.js';

export function render(section, { message, onLogin }) {
  clear(section);
  const form = h('form', { 'aria-describedby': message ? 'login-notice' : null },
    formError(),
    input('username', 'Username', { required: true, autocomplete: 'username' }),
    input('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Log in')));
  add(section, 
    h('h1', { id: 'login-title' }, 'Log in'),
    message ? h('p', { class: 'notice', id: 'login-notice', role: 'alert' }, message) : null,
    form);
  onSubmit(form, async (f) => {
    const s = await post('/session', {
      username: str(f, 'username'),
      password: f.elements.password.value,
      token_kind: 'cookie',
    }, { authHook: false });
    setCsrf(s.csrf_token);
    // GET /session gives the idle timeout with the user.
    const full = await get('/session', { authHook: false });
    const typed = f.elements.password.value;
    f.elements.password.value = '';
    if (full.user.must_change_password) {
      choosePassword(section, full, typed, onLogin);
      return;
    }
    await onLogin(full);
  }, { fieldMap: { password: 'password', username: 'username' } });
  section.hidden = false;
  const u = form.elements.username;
  u.focus();
}

// After an administrator's reset the server lets this session do nothing
// but choose a new password: ask for it before anything else.
function choosePassword(section, session, current, onLogin) {
  clear(section);
  const form = h('form', null,
    formError(),
    input('password', 'New password', { type: 'password', required: true, autocomplete: 'new-password', hint: '10 to 128 characters, of your own choosing.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set my password')));
  add(section,
    h('h1', null, 'Choose a new password'),
    h('p', { class: 'notice', role: 'status' }, 'Your password was reset by an administrator. Choose your own before you go on.'),
    form);
  onSubmit(form, async (f) => {
    await post(`/users/${session.user.id}/password`, { password: f.elements.password.value, current_password: current }, { authHook: false });
    f.elements.password.value = '';
    await onLogin(await get('/session', { authHook: false }));
  }, { fieldMap: { password: 'password' } });
  form.elements.password.focus();
}
