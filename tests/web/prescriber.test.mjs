// A prescriber signs a prescription (superseding the one in force, and a
// refusal shown beside its field), a nurse records an adverse event with
// naloxone that blocks the patient, and the prescriber reviews the
// blocked patient from the board, which lifts the block.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

const NICOLA = 10;
const GARY = 9;
let doctor;
let nurse;

await runTests(import.meta.url, [
  ['the prescriber supersedes a prescription; a refusal shows by its field', async (c) => {
    doctor = await c.page({ width: 1280, height: 900 });
    await c.login(doctor, 'dr.okafor', 'demo-prescriber-pass');
    await doctor.goto(`${c.base}/#/patients/${NICOLA}/prescriptions`);
    const current = doctor.locator('tr.current');
    await current.waitFor();
    await current.getByRole('button', { name: 'Supersede' }).click();
    const form = doctor.locator('form[aria-labelledby="rx-form-title"]');
    await form.waitFor();
    expect((await form.textContent()).includes('You sign this as Dr Adaeze Okafor, Home Office licence HO-DIA-2026-0147'), 'the form names who signs');
    // Over the clinic's ceiling first: refused beside the daily maximum.
    await form.getByLabel('Dose per session (mg)', { exact: true }).fill('180');
    await form.getByLabel('Daily maximum (mg)', { exact: true }).fill('1500');
    await form.getByLabel('Notes').fill('Cravings in the afternoon; increase agreed with keyworker.');
    await form.getByRole('button', { name: 'Sign prescription' }).click();
    const err = form.locator('[data-field="daily_max_mg"] .field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    const msg = await err.textContent();
    expect(/ceiling|more than|out/i.test(msg), `refusal beside the daily maximum: ${msg}`);
    expect(await form.getByLabel('Notes').inputValue() === 'Cravings in the afternoon; increase agreed with keyworker.', 'the notes typed are kept');
    await c.shot(doctor, 'rx-refused');
    await form.getByLabel('Daily maximum (mg)', { exact: true }).fill('360');
    await form.getByRole('button', { name: 'Sign prescription' }).click();
    await doctor.locator('tr.current', { hasText: '180 mg' }).waitFor();
    const rows = await doctor.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('superseded')), 'the old prescription shows as superseded');
    await c.shot(doctor, 'rx-signed');
  }],

  ['a nurse records naloxone given: the patient is blocked', async (c) => {
    nurse = await c.page({ width: 1024, height: 768 });
    await c.login(nurse, 'nurse.patel', 'demo-nurse-pass');
    await nurse.goto(`${c.base}/#/patients/${GARY}`);
    await nurse.getByRole('button', { name: 'Adverse event' }).click();
    const d = nurse.getByRole('dialog');
    await d.getByLabel('What happened').selectOption('naloxone');
    await d.getByLabel('Action taken').fill('Naloxone 400 micrograms IM, oxygen, ambulance called.');
    await d.getByLabel('Outcome').fill('Roused within 3 minutes; observed for 2 hours.');
    // Naloxone without its dose is refused beside the dose.
    await d.getByRole('button', { name: 'Record adverse event' }).click();
    const err = d.locator('[data-field="naloxone_dose_mg"] .field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    expect((await err.textContent()).includes('Naloxone given needs its dose'), 'missing naloxone dose refused by its field');
    await d.getByLabel('Naloxone dose (mg)').fill('0.4');
    await d.getByLabel('Naloxone route').selectOption('im');
    await d.getByRole('button', { name: 'Record adverse event' }).click();
    await nurse.locator('dialog').waitFor({ state: 'detached' });
    // The chart says which review is pending and why.
    await nurse.locator('.review-pending', { hasText: 'Naloxone or a seizure is on record since the last review' }).waitFor();
    await nurse.getByRole('link', { name: 'Dosing board' }).click();
    const card = nurse.locator(`li.card[data-patient="${GARY}"]`);
    await card.getByText('Blocked until prescriber review').waitFor();
    await c.shot(nurse, 'board-blocked');
  }],

  ['a dose for the blocked patient is refused in plain words', async () => {
    const card = nurse.locator(`li.card[data-patient="${GARY}"]`);
    await card.getByRole('button', { name: 'Check in' }).click();
    await nurse.locator(`li.card[data-patient="${GARY}"][data-state="checked_in"]`).waitFor();
    await card.getByRole('button', { name: 'Assess' }).click();
    const d = nurse.getByRole('dialog');
    await d.getByLabel('Sedation level').selectOption('0');
    await d.getByLabel('Breath alcohol (µg/100 ml)').fill('0');
    await d.getByLabel('Fit for the prescribed dose').check();
    await d.getByRole('button', { name: 'Record assessment' }).click();
    await nurse.locator('dialog').waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Give dose' }).click();
    await d.getByLabel('Amount (mg)').fill('100');
    await d.getByLabel('Injection site').selectOption('arm_left');
    await d.getByLabel(/^I have checked this is/).check();
    await d.getByLabel('Witness username').fill('nurse.byrne');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record dose' }).click();
    const top = d.locator('.form-error');
    await top.filter({ hasText: /\S/ }).waitFor();
    expect(/Naloxone or a seizure is on record.*a prescriber must review before the next dose/.test(await top.textContent()), `the block and its reason are given: ${await top.textContent()}`);
    expect((await d.locator('.due').textContent()).includes('No dose can be given now'), 'the dialog says so before the nurse types');
    await d.getByRole('button', { name: 'Cancel' }).click();
  }],

  ['the prescriber reviews the blocked patient from the board', async (c) => {
    await doctor.getByRole('link', { name: 'Dosing board' }).click();
    const card = doctor.locator(`li.card[data-patient="${GARY}"]`);
    await card.getByRole('button', { name: 'Review' }).click();
    const d = doctor.getByRole('dialog');
    await d.getByLabel('Continue as prescribed').check();
    await d.getByLabel('Notes').fill('Seen: alert and orientated; continue with a reduced top-up plan.');
    await c.shot(doctor, 'review-dialog');
    await d.getByRole('button', { name: 'Sign review' }).click();
    await doctor.locator('dialog').waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Review' }).waitFor({ state: 'detached' });
    expect(!(await card.textContent()).includes('Blocked until prescriber review'), 'the block is lifted on the board');
    await c.shot(doctor, 'board-reviewed');
  }],

  ['the nurse can now give the dose', async (c) => {
    const card = nurse.locator(`li.card[data-patient="${GARY}"]`);
    await card.getByText('Blocked until prescriber review').waitFor({ state: 'detached', timeout: 15000 });
    await card.getByRole('button', { name: 'Give dose' }).click();
    const d = nurse.getByRole('dialog');
    await d.getByLabel('Amount (mg)').fill('100');
    await d.getByLabel('Injection site').selectOption('arm_left');
    await d.getByLabel(/^I have checked this is/).check();
    await d.getByLabel('Witness username').fill('nurse.byrne');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record dose' }).click();
    // The register's booking: what to draw up and denature.
    await nurse.getByRole('dialog', { name: /^Draw up/ }).getByRole('button', { name: 'Done' }).click();
    await nurse.locator('dialog').waitFor({ state: 'detached' });
    await nurse.locator(`li.card[data-patient="${GARY}"][data-state="observing"]`).waitFor();
    await nurse.goto(`${c.base}/#/patients/${GARY}`);
    await nurse.getByRole('heading', { name: /Adverse events and blocks/ }).waitFor();
    const ae = await nurse.locator('section[aria-labelledby="chart-ae"]').textContent();
    expect(ae.includes('Naloxone given') && ae.includes('0.4 mg'), `the chart lists the naloxone event: ${ae}`);
    // The review that lifted the block: beside the event, in the reviews, and on the day in the grid.
    expect(/Until review: lifted .* by Dr Adaeze Okafor/.test(ae), `the block shows the review that lifted it: ${ae}`);
    const rv = (await nurse.locator('table[aria-labelledby="chart-reviews"] tbody tr').first().textContent()).replace(/\s+/g, ' ');
    expect(rv.includes('Continue as prescribed') && rv.includes('Dr Adaeze Okafor') && rv.includes('Seen: alert and orientated'), `the review is listed: ${rv}`);
    const day = (await nurse.locator('table.grid14 tbody tr').first().textContent()).replace(/\s+/g, ' ');
    expect(/Review \d\d:\d\d: continue as prescribed \(Dr Adaeze Okafor\)/.test(day), `today's events show the review: ${day}`);
    await c.shot(nurse, 'chart-after-review');
    noConsoleErrors(nurse);
    noConsoleErrors(doctor);
  }],
]);
