// A keyworker records that Shannon Kerr will miss this afternoon's session
// (court), a prescriber gives oral cover for it (methadone, supervised at
// the clinic earlier), and a nurse gives that dose in the morning with a
// second nurse witnessing.  In the afternoon the board shows her as a
// planned absence, never as did-not-attend.  A day-late absence is refused
// on screen with the server's words.  The manager reads the report of the
// schedule's burden.

import { runTests, expect, noConsoleErrors, londonInstant } from './harness.mjs';

const SHANNON = 2;
let kw;
let doctor;
let nurse;

const flexPanel = (page) => page.locator('section.flex-panel');

await runTests(import.meta.url, [
  ['a keyworker records a planned absence for this afternoon', async (c) => {
    kw = await c.page({ width: 1280, height: 900 });
    await c.login(kw, 'kw.mensah', 'demo-keyworker-pass');
    await kw.goto(`${c.base}/#/patients/${SHANNON}`);
    await flexPanel(kw).getByRole('button', { name: 'Plan an absence' }).click();
    let d = kw.getByRole('dialog');
    // Yesterday first: refused, with the reason in words.
    const yesterday = new Date(`${c.today}T12:00:00Z`);
    yesterday.setUTCDate(yesterday.getUTCDate() - 1);
    const y = yesterday.toISOString().slice(0, 10);
    await d.getByLabel('First day').fill(y);
    await d.getByLabel('Last day').fill(y);
    await d.getByLabel('Reason').selectOption('court');
    await d.getByRole('button', { name: 'Record planned absence' }).click();
    const err = d.locator('.form-error, .field-error').filter({ hasText: /before the session/ });
    await err.first().waitFor();
    expect(/before the session it is about begins/.test(await err.first().textContent()), 'a day-late absence is refused in words');
    await c.shot(kw, 'absence-late-refused');
    await d.getByLabel('First day').fill(c.today);
    await d.getByLabel('Last day').fill(c.today);
    await d.getByLabel(/^afternoon/).check();
    await d.getByLabel('Notes').fill('Magistrates court at 2pm');
    await d.getByRole('button', { name: 'Record planned absence' }).click();
    await kw.locator('dialog').waitFor({ state: 'detached' });
    const item = flexPanel(kw).locator('li.absence').first();
    await item.waitFor();
    const text = (await item.textContent()).replace(/\s+/g, ' ');
    expect(text.includes('Planned absence') && text.includes('Court') && text.includes('afternoon') && text.includes('No oral cover'),
      `the chart lists the absence: ${text}`);
    await c.shot(kw, 'absence-recorded');
    noConsoleErrors(kw);
  }],

  ['the prescriber gives oral cover, supervised earlier at the clinic', async (c) => {
    doctor = await c.page({ width: 1280, height: 900 });
    await c.login(doctor, 'dr.okafor', 'demo-prescriber-pass');
    await doctor.goto(`${c.base}/#/patients/${SHANNON}`);
    await flexPanel(doctor).locator('li.absence').first().getByRole('button', { name: 'Oral cover' }).click();
    const d = doctor.getByRole('dialog');
    await d.getByLabel('Oral drug').selectOption('methadone_oral');
    await d.getByLabel('Daily dose (mg)').fill('30');
    await d.getByLabel('Supervised at the clinic, earlier').check();
    await c.shot(doctor, 'cover-dialog');
    await d.getByRole('button', { name: 'Give oral cover' }).click();
    await doctor.locator('dialog').waitFor({ state: 'detached' });
    const cover = flexPanel(doctor).locator('li.cover').first();
    await cover.waitFor();
    const text = (await cover.textContent()).replace(/\s+/g, ' ');
    expect(text.includes('Methadone (oral) 30 mg a day') && text.includes('not yet taken'), `the cover is listed: ${text}`);
    await c.shot(doctor, 'cover-prescribed');
    noConsoleErrors(doctor);
  }],

  ['a nurse gives the cover dose with a witness', async (c) => {
    nurse = await c.page({ width: 1024, height: 768 });
    await c.login(nurse, 'nurse.patel', 'demo-nurse-pass');
    await nurse.goto(`${c.base}/#/patients/${SHANNON}`);
    await flexPanel(nurse).getByRole('button', { name: 'Give cover dose' }).click();
    const d = nurse.getByRole('dialog');
    expect(await d.getByLabel('Amount (mg)').inputValue() === '30', 'the dose offered is the cover\'s daily dose');
    // Over the cover's dose: refused by its field.
    await d.getByLabel('Amount (mg)').fill('31');
    await d.getByLabel('Witness username').fill('nurse.byrne');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record cover dose' }).click();
    const err = d.locator('[data-field="amount_mg"] .field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    await c.shot(nurse, 'cover-dose-refused');
    await d.getByLabel('Amount (mg)').fill('30');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record cover dose' }).click();
    await nurse.locator('dialog').waitFor({ state: 'detached' });
    const given = flexPanel(nurse).locator('li.cover', { hasText: 'taken here' });
    await given.waitFor();
    expect(/30 mg taken here/.test(await given.textContent()), `the cover shows the dose taken: ${await given.textContent()}`);
    expect(await flexPanel(nurse).getByRole('button', { name: 'Give cover dose' }).count() === 0, 'once given today, no second cover dose is offered');
    await c.shot(nurse, 'cover-given');
    noConsoleErrors(nurse);
  }],

  ['in the afternoon the board shows a planned absence, not did-not-attend', async (c) => {
    await c.setClock(londonInstant(c.today, '17:45'));
    // Hours later the morning's login has gone idle: the nurse logs in again.
    nurse = await c.page({ width: 1024, height: 768 });
    await c.login(nurse, 'nurse.patel', 'demo-nurse-pass');
    await nurse.goto(`${c.base}/#/board`);
    const card = nurse.locator(`li.card[data-patient="${SHANNON}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-state') === 'planned_absence', `the card's state: ${await card.getAttribute('data-state')}`);
    const text = (await card.textContent()).replace(/\s+/g, ' ');
    expect(text.includes('Planned absence') && !text.includes('Did not attend'), `the card says planned: ${text}`);
    expect(await card.getByRole('button', { name: 'Check in' }).count() === 0, 'the window is over: nothing to do');
    await c.shot(nurse, 'board-planned-absence');
    noConsoleErrors(nurse);
  }],

  ['the manager reads the schedule\'s burden', async (c) => {
    const mgr = await c.page({ width: 1280, height: 900 });
    await c.login(mgr, 'mgr.hughes', 'demo-manager-pass');
    await mgr.goto(`${c.base}/#/flexibility`);
    const people = mgr.locator('section[aria-labelledby="flex-people"] tbody tr');
    await people.first().waitFor();
    const row = (await mgr.locator('section[aria-labelledby="flex-people"] tbody tr', { hasText: `#${SHANNON}` }).textContent()).replace(/\s+/g, ' ');
    expect(row.includes('1 supervised'), `Shannon's row counts the cover dose: ${row}`);
    const compare = (await mgr.locator('section[aria-labelledby="flex-compare"]').textContent()).replace(/\s+/g, ' ');
    expect(compare.includes('Used flexibility') && compare.includes('<5'), `small groups are not shown: ${compare}`);
    await c.shot(mgr, 'flexibility-report');
    // The settings: take-home oral cover is off until the manager allows it.
    await mgr.goto(`${c.base}/#/settings`);
    const panel = mgr.locator('section[aria-labelledby="flex-settings"]');
    const takeHome = panel.getByLabel('Oral cover may be a take-home supply');
    await takeHome.waitFor();
    expect(!(await takeHome.isChecked()), 'take-home oral cover is off by default');
    await takeHome.check();
    await panel.getByRole('button', { name: 'Save flexibility settings' }).click();
    await panel.getByText('Version 1.').waitFor();
    const api = await c.as('mgr.hughes', 'demo-manager-pass');
    const saved = (await api('GET', '/premises/1/flex-settings')).body;
    expect(saved.oral_take_home_enabled === true && saved.version === 1, `saved: ${JSON.stringify(saved)}`);
    await c.shot(mgr, 'flexibility-settings');
    noConsoleErrors(mgr);
  }],

  ['a keyworker moves tomorrow\'s afternoon session to the morning', async (c) => {
    // The morning's login has gone idle since: the keyworker logs in again.
    kw = await c.page({ width: 1280, height: 900 });
    await c.login(kw, 'kw.mensah', 'demo-keyworker-pass');
    await kw.goto(`${c.base}/#/patients/${SHANNON}`);
    await flexPanel(kw).getByRole('button', { name: 'Change a session for one day' }).click();
    const d = kw.getByRole('dialog');
    await d.getByLabel('From').selectOption('afternoon');
    await d.getByLabel('To').selectOption('morning');
    await d.getByLabel('Why (optional)').fill('Hospital appointment');
    await d.getByRole('button', { name: 'Change the session' }).click();
    await kw.locator('dialog').waitFor({ state: 'detached' });
    const moved = flexPanel(kw).locator('ul.changes li').first();
    await moved.waitFor();
    const text = (await moved.textContent()).replace(/\s+/g, ' ');
    expect(text.includes('afternoon to morning') && text.includes('Hospital appointment'), `the chart lists the change: ${text}`);
    await c.shot(kw, 'session-moved');
    noConsoleErrors(kw);
  }],
]);
