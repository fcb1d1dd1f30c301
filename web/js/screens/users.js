// users.js: staff accounts (administrators only): add, change roles and
// name, disable, set a password, record a prescriber's licence, and give or
// take away a role held at one premises.
// A clinical role or a licence needs a second person: a manager or CDAO
// types their own username and password into the same form.

import { api, get, post } from '../api.js';
import {
  h, add, fill, clear, input, select, choices, checkbox, openDialog, str, checkedValues, isChecked, compact, announce, clinicToday, addDays, ROLE_LABEL,
} from '../ui.js';

const ROLES = Object.entries(ROLE_LABEL);
// The administrator and the auditor are the provider's, never one premises'.
const PREMISES_ROLES = ROLES.filter(([r]) => r !== 'admin' && r !== 'auditor');

// "Nurse" for a global role; "Nurse at North Site" for one held there.
function roleList(u) {
  return [...u.roles.map((x) => ROLE_LABEL[x] || x),
    ...(u.premises_roles || []).map((g) => `${ROLE_LABEL[g.role] || g.role} at ${g.premises}`)].join(', ') || 'No role';
}

const prescribes = (u) => u.roles.includes('prescriber') || (u.premises_roles || []).some((g) => g.role === 'prescriber');

function confirmerFields() {
  return h('fieldset', { class: 'field witness', dataset: { field: 'confirmer' } },
    h('legend', null, 'Confirmed by'),
    h('p', { class: 'hint' }, 'A clinical role (prescriber, nurse, pharmacist, CDAO, manager) or a licence needs a manager or CDAO, other than you and the person concerned, to confirm it with their own username and password.'),
    h('div', { class: 'row' },
      input('confirmer_username', 'Confirmer username', { maxlength: 64 }),
      input('confirmer_password', 'Confirmer password', { type: 'password', autocomplete: 'new-password' })),
    h('p', { class: 'field-error' }));
}

// The confirmer, when one was typed in: the server says whether one was needed.
function withConfirmer(f, body) {
  const username = str(f, 'confirmer_username');
  if (username) body.confirmer = { username, password: f.elements.confirmer_password.value };
  return body;
}

export function render(main, ctx) {
  let stopped = false;
  const body = h('div', null, h('p', null, 'Loading users…'));
  add(main, 
    h('div', { class: 'screen-head' }, h('h1', null, 'Users'),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: addUser }, 'Add a user'))),
    body);

  async function load() {
    try {
      const r = await get('/users');
      if (stopped) return;
      fill(body, h('section', { class: 'panel' }, h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, ['Name', 'Username', 'Roles', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, r.users.map((u) => h('tr', { dataset: { user: u.username } },
          h('td', null, u.display_name),
          h('td', null, u.username),
          h('td', null, roleList(u)),
          h('td', null, u.is_disabled ? 'Disabled' : 'Active'),
          h('td', null, h('div', { class: 'actions' },
            h('button', { type: 'button', onclick: () => edit(u), 'aria-label': `Edit ${u.display_name}` }, 'Edit'),
            h('button', { type: 'button', onclick: () => password(u), 'aria-label': `Set password for ${u.display_name}` }, 'Set password'),
            h('button', { type: 'button', onclick: () => premisesRoles(u), 'aria-label': `Roles at one premises for ${u.display_name}` }, 'Roles at premises'),
            prescribes(u) ? h('button', { type: 'button', onclick: () => licence(u), 'aria-label': `Add licence for ${u.display_name}` }, 'Add licence') : null)))))))));
    } catch (e) {
      if (e.status !== 401 && !stopped) fill(body, h('p', { class: 'form-error', role: 'alert' }, e.message));
    }
  }

  function addUser() {
    openDialog({
      title: 'Add a user',
      fields: [
        input('username', 'Username', { required: true, maxlength: 64, hint: 'Lower-case letters, digits, dot, dash or underscore.' }),
        input('display_name', 'Full name', { required: true, maxlength: 120 }),
        input('password', 'First password', { type: 'password', required: true, autocomplete: 'new-password', hint: '10 to 128 characters.' }),
        choices('roles', 'Roles', ROLES, { multiple: true, required: true }),
        confirmerFields(),
      ],
      submitLabel: 'Add user',
      submit: (f) => post('/users', withConfirmer(f, { username: str(f, 'username'), display_name: str(f, 'display_name'), password: f.elements.password.value, roles: checkedValues(f, 'roles') })),
      done: () => { announce('User added.'); load(); },
    });
  }

  function edit(u) {
    openDialog({
      title: `Edit ${u.display_name}`,
      fields: [
        input('display_name', 'Full name', { required: true, maxlength: 120, value: u.display_name }),
        choices('roles', 'Roles at every premises', ROLES, { multiple: true, required: !(u.premises_roles || []).length, value: u.roles }),
        checkbox('disabled', 'Account disabled (cannot log in)', { checked: u.is_disabled }),
        confirmerFields(),
      ],
      submitLabel: 'Save',
      submit: (f) => api('PATCH', `/users/${u.id}`, withConfirmer(f, { display_name: str(f, 'display_name'), roles: checkedValues(f, 'roles'), disabled: isChecked(f, 'disabled') })),
      done: () => { announce('User saved.'); load(); },
    });
  }

  function password(u) {
    // One's own password needs the current one; anyone else's is a reset,
    // and they choose their own at their next login.
    const own = ctx.user && ctx.user.id === u.id;
    openDialog({
      title: own ? 'Change your password' : `Reset the password for ${u.display_name}`,
      intro: own ? null : 'Every session of theirs ends, and they must choose a new password when they next log in.',
      fields: [
        own ? input('current_password', 'Current password', { type: 'password', required: true, autocomplete: 'current-password' }) : null,
        input('password', 'New password', { type: 'password', required: true, autocomplete: 'new-password', hint: '10 to 128 characters.' }),
      ].filter(Boolean),
      submitLabel: 'Set password',
      submit: (f) => post(`/users/${u.id}/password`, own ? { password: f.elements.password.value, current_password: f.elements.current_password.value } : { password: f.elements.password.value }),
      done: () => announce('Password set.'),
    });
  }

  async function licence(u) {
    // A licence names its premises: those where the person prescribes.
    const list = (await get('/premises')).premises.filter((p) => u.roles.includes('prescriber')
      || (u.premises_roles || []).some((g) => g.role === 'prescriber' && g.premises_id === p.id));
    openDialog({
      title: `Home Office licence for ${u.display_name}`,
      fields: [
        input('licence_number', 'Licence number', { required: true, maxlength: 64 }),
        select('premises_id', 'Premises', list.map((p) => [p.id, p.name]), { required: true }),
        input('expires_on', 'Expires on', { type: 'date', required: true, value: addDays(clinicToday(), 365) }),
        confirmerFields(),
      ],
      submitLabel: 'Record licence',
      submit: (f) => post(`/users/${u.id}/licences`, withConfirmer(f, compact({ licence_number: str(f, 'licence_number'), premises_id: Number(f.elements.premises_id.value), expires_on: str(f, 'expires_on') }))),
      done: () => announce('Licence recorded.'),
    });
  }

  // The roles held at one premises: each listed with a button that takes
  // it away, and a form that gives one (a clinical role needs a confirmer).
  async function premisesRoles(u) {
    const list = (await get('/premises')).premises;
    const held = u.premises_roles || [];
    const { dialog } = openDialog({
      title: `Roles at one premises: ${u.display_name}`,
      intro: 'A role held at one premises opens that premises\' patients, register, board and reports only. Roles at every premises are set with Edit.',
      fields: [
        h('section', { class: 'panel', 'aria-label': 'Held now' },
          held.length ? h('ul', { class: 'plain' }, held.map((g) => h('li', { dataset: { grant: `${g.premises_id}:${g.role}` } },
            `${ROLE_LABEL[g.role] || g.role} at ${g.premises} `,
            h('button', { type: 'button', onclick: () => revoke(g), 'aria-label': `Take away ${ROLE_LABEL[g.role] || g.role} at ${g.premises}` }, 'Take away'))))
            : h('p', null, 'None: every role this person holds is held at every premises.')),
        select('premises_id', 'Premises', list.map((p) => [p.id, p.name]), { required: true }),
        select('role', 'Role', PREMISES_ROLES, { required: true }),
        confirmerFields(),
      ],
      submitLabel: 'Give the role',
      submit: (f) => post(`/users/${u.id}/premises-roles`, withConfirmer(f, { premises_id: Number(f.elements.premises_id.value), role: f.elements.role.value })),
      done: () => { announce('Role given.'); load(); },
    });

    async function revoke(g) {
      try {
        await post(`/users/${u.id}/premises-roles/revocations`, { premises_id: g.premises_id, role: g.role });
        dialog.close();
        announce(`${ROLE_LABEL[g.role] || g.role} at ${g.premises} taken away.`);
        load();
      } catch (e) {
        announce(e.message);
      }
    }
  }

  load();
  return () => { stopped = true; };
}
