// A witness signs faster on a shared tablet: a nurse sets her own PIN and
// steps aside ("Switch user") without logging out; her colleague logs in on
// the same tablet, and in the dose dialog the witness picks her name from
// the staff signed in on this device and types her PIN (a wrong one is
// refused in the witness box).  Then a prescriber reviews a blocked patient
// with the outcome "reduce" and signs the lower prescription in the same
// dialog (one command): a dose that is not lower is refused beside its box.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

const SHANNON = 2;
const GARY = 9;
const PIN = '505172';
let tablet;
let doctor;
let api;

const card = (page, id) => page.locator(`li.card[data-patient="${id}"]`);
const closed = (page) => page.locator('dialog').waitFor({ state: 'detached' });

await runTests(import.meta.url, [
  ['a nurse sets her witness PIN; the rules and a mistyped repeat are refused by their boxes', async (c) => {
    tablet = await c.page({ width: 768, height: 1024 });
    await c.login(tablet, 'nurse.byrne', 'demo-nurse-pass');
    await tablet.locator('#who').getByRole('button', { name: 'My PIN' }).click();
    const d = tablet.getByRole('dialog', { name: 'Your witness PIN' });
    await d.getByLabel('Your current password').fill('demo-nurse-pass');
    await d.getByLabel('New PIN', { exact: true }).fill('123456');
    await d.getByLabel('New PIN again').fill('123456');
    await d.getByRole('button', { name: 'Set my PIN' }).click();
    const pinErr = d.locator('[data-field="pin"] .field-error');
    await pinErr.filter({ hasText: /\S/ }).waitFor();
    expect(/run of digits up or down/.test(await pinErr.textContent()), `a run is refused with its rule: ${await pinErr.textContent()}`);
    await c.shot(tablet, 'pin-rule-refused', false);
    await d.getByLabel('New PIN', { exact: true }).fill(PIN);
    await d.getByLabel('New PIN again').fill('505173');
    await d.getByRole('button', { name: 'Set my PIN' }).click();
    const againErr = d.locator('[data-field="pin_again"] .field-error');
    await againErr.filter({ hasText: /\S/ }).waitFor();
    expect((await againErr.textContent()).includes('not the same'), 'a mistyped repeat is refused beside it');
    await d.getByLabel('New PIN again').fill(PIN);
    await d.getByRole('button', { name: 'Set my PIN' }).click();
    await closed(tablet);
    await tablet.locator('#status').filter({ hasText: 'Your witness PIN is set.' }).waitFor();
  }],

  ['she steps aside without logging out; her colleague logs in on the same tablet', async (c) => {
    await tablet.locator('#who').getByRole('button', { name: 'Switch user' }).click();
    const notice = tablet.locator('#login-notice');
    await notice.waitFor();
    expect((await notice.textContent()).includes('Ciaran Byrne is still signed in on this device'), `the login says who stays signed in: ${await notice.textContent()}`);
    await c.shot(tablet, 'switch-user', false);
    // The browser no longer holds her session: a reload asks for a login.
    await c.login(tablet, 'nurse.patel', 'demo-nurse-pass');
    expect((await tablet.locator('#who').textContent()).includes('Priya Patel'), 'Priya Patel is the one logged in now');
  }],

  ['the witness picks her name from the device\'s staff and types her PIN; a wrong PIN is refused in the witness box', async (c) => {
    api = await c.as('nurse.patel', 'demo-nurse-pass');
    expect((await api('POST', `/patients/${SHANNON}/check-in`, {})).status === 201, 'checked in');
    expect((await api('POST', `/patients/${SHANNON}/assessments`, { sedation_level: 0, breath_alcohol_ug: 0, decision: 'fit' })).status === 201, 'assessed');
    await tablet.goto(`${c.base}/#/board`);
    await card(tablet, SHANNON).getByRole('button', { name: 'Give dose' }).click({ timeout: 15000 });
    const d = tablet.getByRole('dialog');
    await d.locator('.due').waitFor();
    const pick = d.getByLabel('Witness (signed in on this device)');
    await pick.locator('option', { hasText: 'Ciaran Byrne (PIN)' }).waitFor({ state: 'attached' });
    const options = await pick.locator('option').allTextContents();
    expect(!options.some((o) => o.includes('Priya Patel')), `the nurse giving the dose is not offered as her own witness: ${options}`);
    await pick.selectOption('nurse.byrne');
    expect(await d.getByLabel('Witness username').isHidden(), 'a picked name needs no username');
    expect(await d.getByLabel('Their PIN').isChecked(), 'her PIN is the way offered first');
    await d.getByLabel('Injection site').selectOption('arm_left');
    await d.getByLabel(/^I have checked this is/).check();
    await d.getByLabel("Ciaran Byrne's PIN").fill('505179');
    await d.getByRole('button', { name: 'Record dose' }).click();
    const wErr = d.locator('[data-field="witness"] > .field-error');
    await wErr.filter({ hasText: /\S/ }).waitFor();
    expect(/not right/.test(await wErr.textContent()), `a wrong PIN is refused in the witness box: ${await wErr.textContent()}`);
    await c.shot(tablet, 'witness-picker-wrong-pin', false);
    await d.getByLabel("Ciaran Byrne's PIN").fill(PIN);
    await d.getByRole('button', { name: 'Record dose' }).click();
    await tablet.getByRole('dialog', { name: /^Draw up/ }).getByRole('button', { name: 'Done' }).click();
    await closed(tablet);
    await tablet.locator(`li.card[data-patient="${SHANNON}"][data-state="observing"]`).waitFor();
    const hist = (await api('GET', `/patients/${SHANNON}/dosing-history?from=${c.today}&to=${c.today}`)).body;
    const doses = hist.days[0].administrations || [];
    const last = doses[doses.length - 1] || {};
    expect(last.witness === 'Ciaran Byrne' && last.nurse === 'Priya Patel', `the dose is given by Priya Patel, witnessed by Ciaran Byrne: ${JSON.stringify(last)}`);
  }],

  ['the prescriber reviews a blocked patient with "reduce" and signs the lower prescription in the same dialog', async (c) => {
    const nurseApi = await c.as('nurse.byrne', 'demo-nurse-pass');
    const ae = await nurseApi('POST', `/patients/${GARY}/adverse-events`, {
      kind: 'naloxone', naloxone_dose_mg: 0.4, naloxone_route: 'im',
      action_taken: 'Naloxone 400 micrograms IM, oxygen.', outcome: 'Roused within 3 minutes.',
    });
    expect(ae.status === 201, `naloxone recorded: ${JSON.stringify(ae.body)}`);
    const rxs = (await nurseApi('GET', `/patients/${GARY}/prescriptions`)).body.prescriptions;
    const current = rxs.find((x) => x.status === 'current');
    doctor = await c.page({ width: 1280, height: 900 });
    await c.login(doctor, 'dr.okafor', 'demo-prescriber-pass');
    await doctor.goto(`${c.base}/#/patients/${GARY}`);
    await doctor.getByRole('button', { name: 'Review', exact: true }).click();
    const d = doctor.getByRole('dialog');
    const fs = d.locator('fieldset.reduced-rx');
    await d.getByLabel('Reduce the dose').waitFor();
    expect(await fs.isHidden(), 'the prescription boxes are hidden until "reduce" is chosen');
    await d.getByLabel('Reduce the dose').check();
    await fs.waitFor();
    expect((await fs.textContent()).includes(`gives ${current.session_dose_mg} mg a session`), `the dialog says what the current prescription gives: ${await fs.textContent()}`);
    // Not lower: refused beside the dose box, nothing signed.
    await d.getByLabel('New dose per session (mg)').fill(String(current.session_dose_mg));
    await d.getByLabel('New daily maximum (mg)').fill(String(current.daily_max_mg));
    await d.getByLabel('Notes').fill('Naloxone this morning: dose reduced.');
    await d.getByRole('button', { name: 'Sign review' }).click();
    const err = d.locator('[data-field="rx_session_dose_mg"] .field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    expect(/must give less/.test(await err.textContent()), `a dose that is not lower is refused beside its box: ${await err.textContent()}`);
    await c.shot(doctor, 'review-reduce-refused', false);
    const lower = current.session_dose_mg - 20;
    await d.getByLabel('New dose per session (mg)').fill(String(lower));
    await d.getByLabel('New daily maximum (mg)').fill(String(lower * current.sessions_per_day));
    await c.shot(doctor, 'review-reduce-dialog', false);
    await d.getByRole('button', { name: 'Sign review' }).click();
    await closed(doctor);
    await doctor.locator('#status').filter({ hasText: `${lower} mg a session is now prescribed` }).waitFor();
    const after = (await nurseApi('GET', `/patients/${GARY}/prescriptions`)).body.prescriptions;
    const now = after.find((x) => x.status === 'current');
    expect(now && now.session_dose_mg === lower && now.id !== current.id, `the lower prescription is in force: ${JSON.stringify(now)}`);
    expect(after.some((x) => x.id === current.id && x.status === 'superseded'), 'the reviewed one is superseded');
    await doctor.goto(`${c.base}/#/board`);
    const row = card(doctor, GARY);
    await row.waitFor();
    expect(!(await row.textContent()).includes('Blocked until prescriber review'), 'the block is lifted by the review with its lower prescription');
    await c.shot(doctor, 'board-after-reduce', false);
    noConsoleErrors(tablet);
    noConsoleErrors(doctor);
  }],
]);
