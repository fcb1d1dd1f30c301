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
    f.elements.password.value = '';
    await onLogin(full);
  }, { fieldMap: { password: 'password', username: 'username' } });
  section.hidden = false;
  const u = form.elements.username;
  u.focus();
}
