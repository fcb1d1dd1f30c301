// A nurse runs a morning session on a tablet for three patients, with a
// second nurse witnessing each dose inside the dose dialog: one ordinary
// dose (Shannon Kerr), one withheld for sedation (Kayleigh Robson), one
// dose with a top-up (Joanne Pearson, top-ups up to 50 mg).  A dose over
// the prescription is refused on screen with its message, and nothing
// typed is lost.  The board and the chart show what happened.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

const SHANNON = 2;
const JOANNE = 4;
const KAYLEIGH = 8;
let page;
let shannonDose;

const card = (id) => page.locator(`li.card[data-patient="${id}"]`);
const waitState = (id, state) => page.locator(`li.card[data-patient="${id}"][data-state="${state}"]`).waitFor();
const dialog = () => page.getByRole('dialog');

async function closed() {
  await page.locator('dialog').waitFor({ state: 'detached' });
}

// After a dose the register's booking is shown: what to draw up, what to
// denature.  The nurse reads it and closes it.
async function drawnUp() {
  await page.getByRole('dialog', { name: /^Draw up/ }).getByRole('button', { name: 'Done' }).click();
  await closed();
}

async function checkIn(id) {
  await card(id).getByRole('button', { name: 'Check in' }).click();
  await waitState(id, 'checked_in');
}

async function assess(id, { level = '0', alcohol = '0', decision = 'Fit for the prescribed dose', reason } = {}, button = 'Assess') {
  await card(id).getByRole('button', { name: button }).click();
  const d = dialog();
  await d.getByLabel('Sedation level').selectOption(level);
  await d.getByLabel('Breath alcohol (µg/100 ml)').fill(alcohol);
  await d.getByLabel(decision).check();
  if (reason) await d.getByLabel('Reason (when not fit or reduced)').selectOption(reason);
  await d.getByRole('button', { name: 'Record assessment' }).click();
  await closed();
}

async function fillDose(amount, site = 'arm_left') {
  const d = dialog();
  await d.getByLabel('Amount (mg)').fill(String(amount));
  await d.getByLabel('Route').selectOption('iv');
  await d.getByLabel('Injection site').selectOption(site);
  await d.getByLabel(/^I have checked this is/).check();
    await d.getByLabel('Witness username').fill('nurse.byrne');
  await d.getByLabel('Witness password').fill('demo-nurse-pass');
}

async function postdose(id) {
  await card(id).getByRole('button', { name: 'Post-dose check' }).click();
  const d = dialog();
  await d.getByLabel('Sedation level').selectOption('0');
  await d.getByLabel('Breaths a minute').fill('14');
  await d.getByLabel('Normal').check();
  await d.getByRole('button', { name: 'Record check' }).click();
  await closed();
}

async function leave(id) {
  await card(id).getByRole('button', { name: 'Leave' }).click();
  await dialog().getByRole('button', { name: 'Record leaving' }).click();
  await closed();
  await waitState(id, 'left');
}

await runTests(import.meta.url, [
  ['the nurse logs in on a tablet and sees the board', async (c) => {
    page = await c.page({ width: 768, height: 1024 });
    const api = await c.as('dr.okafor', 'demo-prescriber-pass');
    const rx = (await api('GET', `/patients/${SHANNON}/prescriptions`)).body.prescriptions.find((r) => r.status === 'current');
    shannonDose = rx.session_dose_mg;
    await c.login(page, 'nurse.patel', 'demo-nurse-pass');
    await page.getByRole('heading', { name: /Dosing board/ }).waitFor();
    await card(SHANNON).waitFor();
    expect(await page.locator('.window').textContent().then((t) => t.includes('Morning session 08:30–11:00: open')), 'the morning window is shown open');
    expect(await page.getByRole('link', { name: 'Users' }).count() === 0, 'a nurse has no Users link');
    await c.shot(page, 'board-start');
  }],

  ['an ordinary dose, witnessed by a second nurse in the same dialog', async (c) => {
    await checkIn(SHANNON);
    await assess(SHANNON);
    await waitState(SHANNON, 'assessed');
    await card(SHANNON).getByRole('button', { name: 'Give dose' }).click();
    await fillDose(shannonDose);
    await c.shot(page, 'dose-dialog');
    await dialog().getByRole('button', { name: 'Record dose' }).click();
    await drawnUp();
    await waitState(SHANNON, 'observing');
    const countdown = await card(SHANNON).locator('.countdown').textContent();
    expect(/^1[45]:\d\d$/.test(countdown), `observation countdown shows about 15 minutes, got ${countdown}`);
    await postdose(SHANNON);
  }],

  ['a patient too sedated is withheld', async () => {
    await checkIn(KAYLEIGH);
    await assess(KAYLEIGH, { level: '2', decision: 'Not fit: withhold', reason: 'sedated' });
    await waitState(KAYLEIGH, 'withheld');
    expect(await card(KAYLEIGH).getByRole('button').count() === 0, 'a withheld patient has no next step');
  }],

  ['a dose over the prescription is refused beside the amount, nothing typed lost', async (c) => {
    await checkIn(JOANNE);
    await assess(JOANNE);
    await waitState(JOANNE, 'assessed');
    await card(JOANNE).getByRole('button', { name: 'Give dose' }).click();
    await fillDose(400, 'arm_right');
    await dialog().getByRole('button', { name: 'Record dose' }).click();
    const amountBox = dialog().locator('[data-field="amount_mg"]');
    const err = amountBox.locator('.field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    const msg = await err.textContent();
    expect(/At most \d+ mg can be given now: the prescription allows \d+ mg a session/.test(msg), `refusal shown by the amount, with its limit and numbers: ${msg}`);
    expect(await amountBox.locator('input').getAttribute('aria-invalid') === 'true', 'the amount is marked invalid');
    expect(await dialog().getByLabel('Injection site').inputValue() === 'arm_right', 'the site chosen is kept');
    expect(await dialog().getByLabel('Witness username').inputValue() === 'nurse.byrne', 'the witness name is kept');
    expect(await dialog().getByLabel('Witness password').inputValue() === 'demo-nurse-pass', 'the witness password is kept');
    expect(await page.evaluate(() => document.activeElement && document.activeElement.name) === 'amount_mg', 'focus goes to the amount');
    await c.shot(page, 'dose-refused');
    await dialog().getByLabel('Amount (mg)').fill('100');
    await dialog().getByRole('button', { name: 'Record dose' }).click();
    await drawnUp();
    await waitState(JOANNE, 'observing');
    await postdose(JOANNE);
  }],

  ['a wrong witness password is refused beside the witness', async (c) => {
    // Sixteen minutes on: observation over, a top-up now allowed.
    await c.advance(16 * 60);
    await assess(JOANNE, {}, 'Top-up: assess');
    // Assessed for a top-up, she is still under observation of her dose.
    await waitState(JOANNE, 'observing');
    await card(JOANNE).getByRole('button', { name: 'Give top-up' }).click();
    await fillDose(50, 'arm_right');
    await dialog().getByLabel('Witness password').fill('not-her-password');
    await dialog().getByRole('button', { name: 'Record dose' }).click();
    const werr = dialog().locator('[data-field="witness"] > .field-error');
    await werr.filter({ hasText: /\S/ }).waitFor();
    expect(/witness's username, password or token is not right/.test(await werr.textContent()), 'witness refusal shown in the witness box');
    expect(await dialog().getByLabel('Amount (mg)').inputValue() === '50', 'the amount is kept');
  }],

  ['the top-up is given with the right witness', async (c) => {
    await dialog().getByLabel('Witness password').fill('demo-nurse-pass');
    await dialog().getByRole('button', { name: 'Record dose' }).click();
    await drawnUp();
    await waitState(JOANNE, 'observing');
    await postdose(JOANNE);
    const api = await c.as('nurse.patel', 'demo-nurse-pass');
    const hist = (await api('GET', `/patients/${JOANNE}/dosing-history?from=${c.today}&to=${c.today}`)).body;
    const given = hist.days[0].administrations.filter((a) => a.kind === 'injection');
    expect(given.length === 2 && given.filter((a) => a.is_topup).length === 1,
      `today's injections for Joanne: ${JSON.stringify(given.map((a) => [a.amount_ug, a.is_topup]))}`);
  }],

  ['both leave after observation and the board shows the session', async (c) => {
    await c.advance(16 * 60);
    await leave(SHANNON);
    await leave(JOANNE);
    await waitState(KAYLEIGH, 'withheld');
    expect((await card(JOANNE).textContent()).includes('150 mg'), 'Joanne has had 150 mg today');
    await c.shot(page, 'board-after');
  }],

  ['the chart shows the dose with its top-up and the withheld dose', async (c) => {
    await card(JOANNE).getByRole('link', { name: 'Joanne Pearson' }).click();
    await page.getByRole('heading', { name: 'Last 14 days', exact: true }).waitFor();
    const today = page.locator('table.grid14 tbody tr').first();
    const text = (await today.textContent()).replace(/\s+/g, ' ');
    expect(/100 \+ 50 top-up mg/.test(text), `today's morning shows 100 + 50 top-up: ${text}`);
    expect(/150 mg/.test(text), 'today injected 150 mg');
    await c.shot(page, 'chart-joanne');
    await page.goto(`${c.base}/#/patients/${KAYLEIGH}`);
    await page.getByRole('heading', { name: 'Last 14 days', exact: true }).waitFor();
    const k = (await page.locator('table.grid14 tbody tr').first().textContent()).replace(/\s+/g, ' ');
    expect(/W \(sedated\)/.test(k), `Kayleigh's morning shows withheld (sedated): ${k}`);
    await c.shot(page, 'chart-kayleigh');
    noConsoleErrors(page);
  }],

  ['nothing about patients is kept in web storage', async () => {
    const n = await page.evaluate(() => localStorage.length + sessionStorage.length);
    expect(n === 0, `web storage holds ${n} items`);
  }],
]);
