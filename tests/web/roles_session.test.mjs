// Who sees what, and the session in the browser: a nurse has no Users
// screen (the menu hides it, the screen refuses, the server refuses); the
// administrator has it; the pages carry the Content-Security-Policy; a
// session that goes unused ends with a clear message, and logging in
// again as the same person brings back what they had typed.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

let nurse;

await runTests(import.meta.url, [
  ['the page is served with a strict Content-Security-Policy', async (c) => {
    const r = await fetch(`${c.base}/`);
    const csp = r.headers.get('content-security-policy') || '';
    expect(/default-src 'self'/.test(csp) && /script-src 'self'/.test(csp) && /style-src 'self'/.test(csp), `CSP: ${csp}`);
  }],

  ['a nurse cannot reach the users screen', async (c) => {
    nurse = await c.page({ width: 768, height: 1024 });
    await c.login(nurse, 'nurse.patel', 'demo-nurse-pass');
    const nav = nurse.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('link', { name: 'Dosing board' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Users' }).count() === 0, 'no Users link for a nurse');
    expect(await nav.getByRole('link', { name: 'Clinic settings' }).count() === 0, 'no settings link for a nurse');
    await nurse.goto(`${c.base}/#/users`);
    await nurse.getByRole('heading', { name: 'Not available to your role' }).waitFor();
    expect(await nurse.locator('table').count() === 0, 'no user list drawn');
    const status = await nurse.evaluate(async () => (await fetch('/api/v1/users')).status);
    expect(status === 403, `the server refuses too: ${status}`);
    await c.shot(nurse, 'nurse-users-refused');
  }],

  ['the administrator sees and uses the users screen', async (c) => {
    const admin = await c.page({ width: 1280, height: 800 });
    await c.login(admin, 'admin.demo', 'demo-admin-pass');
    await admin.getByRole('heading', { name: 'Users' }).waitFor();
    const nav = admin.getByRole('navigation', { name: 'Screens' });
    expect(await nav.getByRole('link', { name: 'Dosing board' }).count() === 0, 'an administrator has no clinical screens');
    await admin.locator('tr[data-user="nurse.patel"]').waitFor();
    await admin.getByRole('button', { name: 'Add a user' }).click();
    const d = admin.getByRole('dialog');
    await d.getByLabel('Username', { exact: true }).fill('nurse.new');
    await d.getByLabel('Full name').fill('Grace Adeyemi');
    await d.getByLabel('First password').fill('short');
    await d.getByLabel('Nurse').check();
    await d.getByRole('button', { name: 'Add user' }).click();
    const perr = d.locator('[data-field="password"] .field-error');
    await perr.filter({ hasText: /\S/ }).waitFor();
    expect((await perr.textContent()).includes('10 to 128 characters'), 'a weak password is refused beside it');
    await d.getByLabel('First password').fill('a-long-enough-password');
    await d.getByRole('button', { name: 'Add user' }).click();
    const cerr = d.locator('[data-field="confirmer"] > .field-error');
    await cerr.filter({ hasText: /\S/ }).waitFor();
    expect((await cerr.textContent()).includes('manager or CDAO'), 'a nurse needs a confirmer, said beside the confirmer');
    await d.getByLabel('Confirmer username').fill('mgr.hughes');
    await d.getByLabel('Confirmer password').fill('demo-manager-pass');
    await d.getByRole('button', { name: 'Add user' }).click();
    await admin.locator('tr[data-user="nurse.new"]').waitFor();
    await c.shot(admin, 'admin-users');
    noConsoleErrors(admin);
  }],

  ['a manager changes a clinic setting', async (c) => {
    const mgr = await c.page({ width: 1280, height: 800 });
    await c.login(mgr, 'mgr.hughes', 'demo-manager-pass');
    await mgr.getByRole('link', { name: 'Clinic settings' }).click();
    const obs = mgr.getByLabel('Observation after a dose (minutes)');
    await obs.waitFor();
    await obs.fill('0');
    await mgr.getByRole('button', { name: 'Save settings' }).click();
    const err = mgr.locator('[data-field="observation_min"] .field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    await obs.fill('20');
    await mgr.getByRole('button', { name: 'Save settings' }).click();
    await mgr.locator('#status', { hasText: 'Settings saved' }).waitFor();
    await c.shot(mgr, 'settings');
    await obs.fill('15');
    await mgr.getByRole('button', { name: 'Save settings' }).click();
    await mgr.locator('#status', { hasText: 'version 2' }).waitFor();
    // What the screen said was saved is what the server holds.
    const api = await c.as('mgr.hughes', 'demo-manager-pass');
    const s = (await api('GET', '/premises/1/settings')).body;
    expect(s.observation_min === 15 && s.version === 2, `settings held: observation_min ${s.observation_min}, version ${s.version}`);
    noConsoleErrors(mgr);
  }],

  ['a keyworker adds a patient and opens an episode', async (c) => {
    const kw = await c.page({ width: 1024, height: 800 });
    await c.login(kw, 'kw.mensah', 'demo-keyworker-pass');
    await kw.getByRole('heading', { name: 'Patients' }).waitFor();
    await kw.getByRole('button', { name: 'Add a patient' }).click();
    const d = kw.getByRole('dialog');
    await d.getByLabel('Given name').fill('Ruth');
    await d.getByLabel('Family name').fill('Okonkwo');
    await d.getByLabel('Date of birth').fill('1990-03-14');
    await d.getByLabel('Sex').selectOption('female');
    await d.getByLabel('NHS number').fill('123 456 7890');
    await d.getByRole('button', { name: 'Add patient' }).click();
    const nerr = d.locator('[data-field="nhs_number"] .field-error');
    await nerr.filter({ hasText: /\S/ }).waitFor();
    expect((await nerr.textContent()).includes('check digit'), 'a bad NHS number is refused beside it');
    await d.getByLabel('NHS number').fill('');
    await d.getByRole('button', { name: 'Add patient' }).click();
    await kw.getByRole('heading', { name: 'Ruth Okonkwo' }).waitFor();
    await kw.getByRole('button', { name: 'Open an episode' }).click();
    await kw.getByRole('dialog').getByRole('button', { name: 'Open episode' }).click();
    await kw.locator('dialog').waitFor({ state: 'detached' });
    await kw.locator('section[aria-labelledby="pt-eps"] tbody tr').first().waitFor();
    await kw.getByLabel('Alerts (shown on the board and chart)').fill('Needle-phobic: offer IM.');
    await kw.getByRole('button', { name: 'Save details' }).click();
    await kw.locator('#status', { hasText: 'Details saved' }).waitFor();
    await c.shot(kw, 'patient-edit');
    noConsoleErrors(kw);
  }],

  ['an unused session ends with a clear message; the same nurse gets her typing back', async (c) => {
    await nurse.goto(`${c.base}/#/patients/4`);
    await nurse.getByRole('button', { name: 'Adverse event' }).click();
    const d = nurse.getByRole('dialog');
    await d.getByLabel('What happened').selectOption('other');
    await d.getByLabel('Action taken').fill('Typed before the session ended.');
    await d.getByLabel('Outcome').fill('Settled.');
    // 31 minutes pass on the server's clock with nothing sent.
    await c.advance(31 * 60);
    await d.getByRole('button', { name: 'Record adverse event' }).click();
    const notice = nurse.locator('#login .notice');
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text === 'Your session ended after 30 minutes without use; please log in again.', `message: ${text}`);
    expect(await nurse.locator('#main').isHidden(), 'the patient screen is hidden');
    await c.shot(nurse, 'session-ended');
    await nurse.getByLabel('Username').fill('nurse.patel');
    await nurse.getByLabel('Password', { exact: true }).fill('demo-nurse-pass');
    await nurse.getByRole('button', { name: 'Log in' }).click();
    await d.waitFor();
    expect(await d.getByLabel('Action taken').inputValue() === 'Typed before the session ended.', 'typing kept');
    await d.getByRole('button', { name: 'Cancel' }).click();
    await nurse.locator('dialog').waitFor({ state: 'detached' });
    const n = await nurse.evaluate(() => localStorage.length + sessionStorage.length);
    expect(n === 0, 'nothing in web storage');
  }],

  ['logging out returns to the login form', async () => {
    await nurse.getByRole('button', { name: 'Log out' }).click();
    await nurse.locator('#login .notice', { hasText: 'You have logged out.' }).waitFor();
    const status = await nurse.evaluate(async () => (await fetch('/api/v1/session')).status);
    expect(status === 401, 'the cookie no longer works');
    expect((await nurse.locator('#main').textContent()).trim() === '', 'nothing of the patient screens is left in the page');
  }],

  ['after an admin resets a password, the person chooses their own first', async (c) => {
    const admin = await c.as('admin.demo', 'demo-admin-pass');
    const users = await admin('GET', '/users');
    const kw = users.body.users.find((u) => u.username === 'kw.mensah');
    const r = await admin('POST', `/users/${kw.id}/password`, { password: 'a-reset-password-1' });
    expect(r.status === 200, `reset: ${r.status}`);
    const page = await c.page({ width: 1280, height: 800 });
    await page.goto(`${c.base}/`);
    await page.getByLabel('Username').fill('kw.mensah');
    await page.getByLabel('Password', { exact: true }).fill('a-reset-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Screens' }).getByRole('link').count() === 0, 'no screens before the new password');
    await c.shot(page, 'choose-password');
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.locator('[data-field="password"] .field-error').filter({ hasText: /10 to 128/ }).waitFor();
    await page.getByLabel('New password').fill('demo-keyworker-pass');
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.locator('#who').getByRole('button', { name: 'Log out' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/patients?limit=1')).status);
    expect(status === 200, `the session works once the password is his own: ${status}`);
    noConsoleErrors(page);
  }],
]);
