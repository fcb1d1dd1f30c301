// The take-home check screen: every criterion as the server read it from
// the record.  Take-home is off by default; the manager turns it on; a
// prescriber records a stability assessment through the screen (that
// criterion turns to met) and tries to grant the privilege to a person with
// three months of treatment: refused in plain words, nothing granted.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

const DANIEL = 1; // the demo's first patient: 90 days of daily doses
let doctor;

await runTests(import.meta.url, [
  ['take-home is off by default and the check screen says so', async (c) => {
    doctor = await c.page({ width: 1280, height: 900 });
    noConsoleErrors(doctor);
    await c.login(doctor, 'dr.okafor', 'demo-prescriber-pass');
    await doctor.goto(`${c.base}/#/patients/${DANIEL}`);
    await doctor.getByRole('link', { name: 'Take-home' }).click();
    const verdict = doctor.locator('#takehome-verdict');
    await verdict.waitFor();
    expect((await verdict.textContent()).includes('off at this premises'), 'the screen says take-home is off');
    const enabled = doctor.locator('#takehome-criteria tr[data-criterion="enabled"]');
    expect((await enabled.textContent()).includes('Not met'), 'the enabled criterion is not met');
    expect(await doctor.getByRole('button', { name: 'Hand over a supply' }).count() === 0, 'no supply button while it is off');
    await c.shot(doctor, 'takehome-off');
  }],

  ['with take-home on, each criterion reads the record', async (c) => {
    const mgr = await c.as('mgr.hughes', 'demo-manager-pass');
    const r = await mgr('PUT', '/premises/1/take-home-settings', { enabled: true, jurisdiction_basis: 'Test: a jurisdiction that allows take-home' });
    expect(r.status === 200, `the manager turns take-home on: ${r.status}`);
    await doctor.reload();
    const treatment = doctor.locator('#takehome-criteria tr[data-criterion="treatment"]');
    await treatment.waitFor();
    const t = await treatment.textContent();
    expect(t.includes('Not met') && /\d+ days of uninterrupted treatment/.test(t), `treatment read from the doses: ${t}`);
    const stab = doctor.locator('#takehome-criteria tr[data-criterion="stability"]');
    expect((await stab.textContent()).includes('No prescriber\'s assessment on record'), 'no stability assessment yet');
    await c.shot(doctor, 'takehome-criteria');
  }],

  ['the prescriber records stability: that criterion is met', async () => {
    await doctor.getByRole('button', { name: 'Record an assessment' }).click();
    const d = doctor.getByRole('dialog');
    await d.getByLabel('Assessment').selectOption('stability');
    await d.getByLabel('Finding').selectOption('stable');
    await d.getByLabel('Notes').fill('Housed, attending daily, no incidents.');
    await d.getByRole('button', { name: 'Record' }).click();
    await doctor.locator('dialog').waitFor({ state: 'detached' });
    const stab = doctor.locator('#takehome-criteria tr[data-criterion="stability"]');
    await stab.filter({ hasText: 'Met' }).filter({ hasNotText: 'Not met' }).waitFor();
    await doctor.locator('#takehome-decisions', { hasText: 'stability: stable' }).waitFor();
    const t = await stab.textContent();
    expect(t.includes('Latest assessment 0 days ago') && !t.includes('Not met'), `stability met from the record: ${t}`);
  }],

  ['granting before six months is refused in plain words', async (c) => {
    await doctor.getByRole('button', { name: 'Grant the privilege' }).click();
    const d = doctor.getByRole('dialog');
    await d.getByRole('button', { name: 'Grant' }).click();
    const err = d.locator('.form-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    const msg = await err.textContent();
    expect(/uninterrupted treatment/.test(msg), `the refusal says why: ${msg}`);
    await c.shot(doctor, 'takehome-grant-refused');
    await d.getByRole('button', { name: 'Cancel' }).click();
    const st = await (await c.as('dr.okafor', 'demo-prescriber-pass'))('GET', `/patients/${DANIEL}/take-home`);
    expect(!st.body.decisions.some((x) => x.kind === 'grant'), 'nothing was granted');
  }],
]);
