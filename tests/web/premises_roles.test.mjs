// Roles held at one premises, in the browser: the administrator gives a
// nurse the nurse's role at a second premises from the users screen (a
// manager confirming), the nurse then works there only (her board is that
// premises', without the first premises' patients), a prescriber's licence
// is recorded for the premises chosen, and the administrator takes the role
// away again from the same screen.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

let admin;
let north;
let nurseId;
let demoFamily;

await runTests(import.meta.url, [
  ['the scene: a second premises, and a keyworker who will work there', async (c) => {
    const api = await c.as('admin.demo', 'demo-admin-pass');
    const p = await api('POST', '/premises', { name: 'North Site', address: '2 North Road, Testtown' });
    expect(p.status === 201, `premises added: ${p.status} ${JSON.stringify(p.body)}`);
    north = (p.body.premises || p.body).id;
    const u = await api('POST', '/users', { username: 'nurse.north', display_name: 'Nia North', password: 'a-long-enough-password', roles: ['keyworker'] });
    expect(u.status === 201, `user added: ${u.status}`);
    nurseId = u.body.id;
    const nurse = await c.as('nurse.patel', 'demo-nurse-pass');
    const list = await nurse('GET', '/patients?limit=1');
    demoFamily = list.body.patients[0].family_name;
    expect(Boolean(demoFamily), 'the demo clinic has patients at its first premises');
  }],

  ['the administrator gives the nurse\'s role at North Site, confirmed by a manager', async (c) => {
    admin = await c.page({ width: 1280, height: 900 });
    await c.login(admin, 'admin.demo', 'demo-admin-pass');
    const row = admin.locator('tr[data-user="nurse.north"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Roles at one premises for Nia North' }).click();
    const d = admin.getByRole('dialog');
    await d.getByText('None: every role this person holds is held at every premises.').waitFor();
    await d.getByLabel('Premises').selectOption(String(north));
    await d.getByLabel('Role', { exact: true }).selectOption('nurse');
    await d.getByRole('button', { name: 'Give the role' }).click();
    const cerr = d.locator('[data-field="confirmer"] > .field-error');
    await cerr.filter({ hasText: /\S/ }).waitFor();
    expect((await cerr.textContent()).includes('manager or CDAO'), 'a nurse\'s role needs a confirmer, said beside the confirmer');
    await d.getByLabel('Confirmer username').fill('mgr.hughes');
    await d.getByLabel('Confirmer password').fill('demo-manager-pass');
    await c.shot(admin, 'premises-role-dialog');
    await d.getByRole('button', { name: 'Give the role' }).click();
    await row.getByText('Nurse at North Site').waitFor();
    expect((await row.textContent()).includes('Keyworker, Nurse at North Site'), 'the list shows the global role and the one at North Site');
    await c.shot(admin, 'users-premises-role');
    // Left with the role at North Site only.
    await row.getByRole('button', { name: 'Edit Nia North' }).click();
    const e = admin.getByRole('dialog');
    await e.getByLabel('Keyworker').uncheck();
    await e.getByRole('button', { name: 'Save' }).click();
    await row.locator('td', { hasText: /^Nurse at North Site$/ }).waitFor();
    expect(true, 'no role at every premises is left');
    noConsoleErrors(admin);
  }],

  ['the nurse works at North Site only', async (c) => {
    const nurse = await c.page({ width: 1024, height: 768 });
    await c.login(nurse, 'nurse.north', 'a-long-enough-password');
    const who = nurse.locator('#who');
    expect((await who.textContent()).includes('nurse at North Site'), `the header says where: ${await who.textContent()}`);
    const nav = nurse.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('link', { name: 'Dosing board' }).click();
    await nurse.getByRole('heading', { name: 'Dosing board' }).waitFor();
    await nurse.locator('.muted').first().waitFor();
    expect(await nurse.locator('p.form-error[role=alert]', { hasText: /\S/ }).count() === 0, 'the board loads without a refusal');
    expect(await nurse.getByText(demoFamily).count() === 0, 'the first premises\' patients are not on her board');
    const status = await nurse.evaluate(async () => (await fetch('/api/v1/board?premises_id=1')).status);
    expect(status === 403, `the first premises' board is refused by the server: ${status}`);
    await c.shot(nurse, 'nurse-north-board');
    noConsoleErrors(nurse);
  }],

  ['a licence is recorded for the premises chosen', async (c) => {
    const row = admin.locator('tr[data-user="dr.okafor"]');
    await row.getByRole('button', { name: 'Add licence for Dr Adaeze Okafor' }).click();
    const d = admin.getByRole('dialog');
    await d.getByLabel('Licence number').fill('HO-DIA-NORTH-01');
    await d.getByLabel('Premises').selectOption(String(north));
    await d.getByLabel('Confirmer username').fill('mgr.hughes');
    await d.getByLabel('Confirmer password').fill('demo-manager-pass');
    await d.getByRole('button', { name: 'Record licence' }).click();
    await admin.locator('#status', { hasText: 'Licence recorded' }).waitFor();
    const api = await c.as('admin.demo', 'demo-admin-pass');
    const users = await api('GET', '/users');
    const dr = users.body.users.find((u) => u.username === 'dr.okafor');
    const one = await api('GET', `/users/${dr.id}`);
    expect(one.body.licences.some((l) => l.licence_number === 'HO-DIA-NORTH-01' && l.premises_id === north),
      `the licence names North Site: ${JSON.stringify(one.body.licences)}`);
  }],

  ['the administrator takes the role away', async (c) => {
    const row = admin.locator('tr[data-user="nurse.north"]');
    await row.getByRole('button', { name: 'Roles at one premises for Nia North' }).click();
    const d = admin.getByRole('dialog');
    await d.getByRole('button', { name: 'Take away Nurse at North Site' }).waitFor();
    await c.shot(admin, 'premises-role-held');
    await d.getByRole('button', { name: 'Take away Nurse at North Site' }).click();
    await admin.locator('#status', { hasText: 'taken away' }).waitFor();
    await row.locator('td', { hasText: 'North Site' }).waitFor({ state: 'detached' });
    const api = await c.as('admin.demo', 'demo-admin-pass');
    const u = await api('GET', `/users/${nurseId}`);
    expect(u.body.premises_roles.length === 0, `the server holds no role for her at any premises: ${JSON.stringify(u.body.premises_roles)}`);
    await c.shot(admin, 'users-role-taken-away');
    noConsoleErrors(admin);
  }],
]);
