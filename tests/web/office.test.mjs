// The office side of the clinic and a keyboard-only check-in: the manager
// reads the demo's attendance (the same numbers as the API's for the same
// dates); a nurse checks a patient in with the keyboard alone; a nurse
// gives Michelle Barker her afternoon methadone with a witness and the
// chart shows it and who gave it; a prescriber stops a prescription with a
// reason; and, two days on, a pharmacist destroys an ampoule of a lot that
// has expired, with a witness and an authorised witness, and the register
// shows the destruction, the new balance and the page's stock checks.

import { runTests, expect, noConsoleErrors, londonInstant } from './harness.mjs';

const LEE = 3;
const MICHELLE = 6;
const PAGE_100MG = 1;

const pct = (rate) => (rate === null ? null : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`);
const squash = (t) => t.replace(/\s+/g, ' ').trim();

/** The attendance screen's numbers, read from the page, against the API's for its dates. */
async function compareAttendance(page, api) {
  const from = await page.getByLabel('From', { exact: true }).inputValue();
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  const r = await api('GET', `/attendance?from=${from}&to=${to}`);
  expect(r.status === 200, `attendance API: ${r.status}`);
  const want = r.body;
  expect(want.from === from && want.to === to, `the API answers for the dates shown: ${want.from}..${want.to} vs ${from}..${to}`);
  const clinic = await page.locator('[data-rate="clinic"]').textContent();
  expect(clinic === pct(want.clinic.attendance_rate), `clinic rate ${clinic} vs ${pct(want.clinic.attendance_rate)}`);
  const clinicLine = squash(await page.locator('.att-clinic').textContent());
  expect(clinicLine.includes(`${want.clinic.sessions_attended} of ${want.clinic.sessions_due}`), `clinic counts: ${clinicLine}`);
  const rows = await page.locator('table.attendance tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    id: Number(tr.dataset.patient),
    cells: [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim()),
  })));
  expect(rows.length === want.patients.length, `${rows.length} rows vs ${want.patients.length} patients`);
  want.patients.forEach((p, i) => {
    const row = rows[i];
    expect(row.id === p.id, `row ${i} is patient ${p.id}: ${row.id}`);
    expect(row.cells[0] === `${p.family_name}, ${p.given_name}`, `name: ${row.cells[0]}`);
    expect(Number(row.cells[1]) === p.sessions_attended, `${p.family_name} attended ${row.cells[1]} vs ${p.sessions_attended}`);
    expect(Number(row.cells[2]) === p.sessions_due, `${p.family_name} due ${row.cells[2]} vs ${p.sessions_due}`);
    const shown = (row.cells[3].match(/[\d.]+%/) || [null])[0];
    expect(shown === pct(p.attendance_rate), `${p.family_name} rate ${row.cells[3]} vs ${pct(p.attendance_rate)}`);
  });
  return want;
}

await runTests(import.meta.url, [
  ['the manager reads the attendance for the last 28 days, as the API gives it', async (c) => {
    const page = await c.page({ width: 1280, height: 900 });
    await c.login(page, 'mgr.hughes', 'demo-manager-pass');
    const nav = page.getByRole('navigation', { name: 'Screens' });
    await nav.getByRole('link', { name: 'Attendance' }).click();
    await page.getByRole('heading', { name: 'Attendance', level: 1 }).waitFor();
    await page.locator('table.attendance tbody tr').first().waitFor();
    expect(await page.getByLabel('To', { exact: true }).inputValue() === c.today, 'the range ends today');
    const api = await c.as('mgr.hughes', 'demo-manager-pass');
    const want = await compareAttendance(page, api);
    const days = (Date.parse(want.to) - Date.parse(want.from)) / 86400e3 + 1;
    expect(days === 28, `the default range is 28 days: ${want.from}..${want.to}`);
    expect(want.clinic.sessions_due > 0 && want.patients.some((p) => p.sessions_attended > 0), 'the demo has attendance');
    // The bar is decoration: hidden from screen readers, the number is text.
    expect(await page.locator('table.attendance .bar[aria-hidden="true"]').count() === want.patients.length, 'one hidden bar per row');
    await c.shot(page, 'attendance');
    // Another range: yesterday and today, with today's sessions still to
    // come: every rate is low, and marked so in words.
    const from = new Date(`${c.today}T12:00:00Z`);
    from.setUTCDate(from.getUTCDate() - 1);
    await page.getByLabel('From', { exact: true }).fill(from.toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: new RegExp(`^Clinic, .* ${from.getUTCDate()} `) }).waitFor();
    const short = await compareAttendance(page, api);
    const low = short.patients.filter((p) => p.attendance_rate !== null && p.attendance_rate < 0.8).length;
    expect(low > 0 && await page.locator('table.attendance tr.is-low', { hasText: 'Low: ' }).count() === low, `${low} low rates marked`);
    await c.shot(page, 'attendance-low', false);
    // Dates the wrong way round: refused beside the field.
    await page.getByLabel('From', { exact: true }).fill(c.today);
    await page.getByLabel('To', { exact: true }).fill(from.toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('[data-field="from"] .field-error').filter({ hasText: /\S/ }).waitFor();
    noConsoleErrors(page);
    await page.context().close();
  }],

  ['keyboard only: a nurse tabs to the first "Check in" and presses Enter', async (c) => {
    const page = await c.page({ width: 1280, height: 900 });
    await c.login(page, 'nurse.patel', 'demo-nurse-pass');
    await page.locator('li.card button', { hasText: 'Check in' }).first().waitFor();
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    let tabs = 0;
    let focused = null;
    while (tabs < 40) {
      await page.keyboard.press('Tab');
      tabs += 1;
      focused = await page.evaluate(() => {
        const el = document.activeElement;
        const card = el && el.closest('li.card');
        return { text: el ? el.textContent : '', tag: el ? el.tagName : '', patient: card ? card.dataset.patient : null };
      });
      if (focused.tag === 'BUTTON' && focused.text === 'Check in') break;
    }
    expect(focused.text === 'Check in' && focused.patient, `Tab reached a Check in button: ${JSON.stringify(focused)} after ${tabs}`);
    const first = await page.locator('li.card button', { hasText: 'Check in' }).first()
      .evaluate((b) => b.closest('li.card').dataset.patient);
    expect(first === focused.patient, `the first Check in on the board (patient ${first}), not ${focused.patient}`);
    await c.shot(page, 'keyboard-focus', false);
    await page.keyboard.press('Enter');
    await page.locator(`li.card[data-patient="${first}"][data-state="checked_in"]`).waitFor();
    // The focus stays on the card: on its next step.
    await page.waitForFunction((id) => {
      const el = document.activeElement;
      return el && el.closest('li.card') && el.closest('li.card').dataset.patient === id;
    }, first);
    const now = await page.evaluate(() => document.activeElement.textContent);
    expect(now === 'Assess', `the focus moves to the next step: ${now}`);
    await c.shot(page, 'keyboard-checked-in', false);
    noConsoleErrors(page);
    await page.context().close();
  }],

  ['an afternoon oral dose, witnessed: the chart\'s Oral column shows it and who gave it', async (c) => {
    await c.setClock(londonInstant(c.today, '15:30'));
    const page = await c.page({ width: 1280, height: 900 });
    await c.login(page, 'nurse.patel', 'demo-nurse-pass');
    await page.goto(`${c.base}/#/patients/${MICHELLE}`);
    await page.getByRole('heading', { name: 'Last 14 days', exact: true }).waitFor();
    const oralCol = async () => page.locator('table.grid14 tbody tr').first().locator('td.num').nth(1).textContent();
    expect(squash(await oralCol()) === '—', `no oral dose yet today: ${await oralCol()}`);
    await page.getByRole('button', { name: 'Oral dose' }).click();
    const d = page.getByRole('dialog');
    expect((await d.textContent()).includes('methadone 30 mg'), 'the dialog says what is prescribed');
    await d.getByLabel('Amount (mg)').fill('30');
    await d.getByLabel('Witness username').fill('nurse.byrne');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record oral dose' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await page.locator('#status', { hasText: 'oral 30 mg given' }).waitFor();
    const today = page.locator('table.grid14 tbody tr').first();
    await today.locator('td.num', { hasText: '30 mg' }).waitFor();
    const oral = squash(await oralCol());
    expect(/^30 mg ?15:3\d PP\/CB/.test(oral), `Oral column: ${oral}`);
    const who = today.locator('td.num').nth(1).locator('.who-gave');
    expect(await who.getAttribute('title') === 'Given by Priya Patel, witnessed by Ciaran Byrne', `names on hover: ${await who.getAttribute('title')}`);
    // Yesterday's injections carry who gave and witnessed them too.
    const yesterday = squash(await page.locator('table.grid14 tbody tr').nth(1).textContent());
    expect(/160 mg ?\d\d:\d\d IV arm, \w+ PP\/CB/.test(yesterday), `yesterday's doses with initials: ${yesterday}`);
    await c.shot(page, 'chart-oral');
    noConsoleErrors(page);
    await page.context().close();
  }],

  ['a prescriber stops a prescription with a reason: the chart has none current', async (c) => {
    const page = await c.page({ width: 1280, height: 900 });
    await c.login(page, 'dr.okafor', 'demo-prescriber-pass');
    await page.goto(`${c.base}/#/patients/${LEE}/prescriptions`);
    const current = page.locator('tr.current');
    await current.waitFor();
    await current.getByRole('button', { name: 'Stop' }).click();
    const d = page.getByRole('dialog');
    // No reason: refused before anything is sent.
    await d.getByRole('button', { name: 'Stop prescription' }).click();
    await d.locator('[data-field="reason"] .field-error').filter({ hasText: 'Please fill this in.' }).waitFor();
    await d.getByLabel('Reason for stopping').fill('Transferred to oral treatment at the community team.');
    await d.getByRole('button', { name: 'Stop prescription' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await current.waitFor({ state: 'detached' });
    const rows = squash(await page.locator('tbody').textContent());
    expect(rows.includes('Transferred to oral treatment at the community team.'), `the reason is shown: ${rows}`);
    await c.shot(page, 'rx-stopped');
    await page.getByRole('link', { name: 'Back to chart' }).click();
    await page.getByText('No current prescription: nothing can be given.').waitFor();
    await c.shot(page, 'chart-no-rx');
    const api = await c.as('dr.okafor', 'demo-prescriber-pass');
    const list = (await api('GET', `/patients/${LEE}/prescriptions`)).body.prescriptions;
    expect(!list.some((r) => r.status === 'current'), 'the server has no current prescription either');
    noConsoleErrors(page);
    await page.context().close();
  }],

  ['two days on, a pharmacist destroys an ampoule of an expired lot', async (c) => {
    // A lot received today that expires tomorrow.
    let pharm = await c.as('pharm.lindqvist', 'demo-pharmacist-pass');
    const exp = new Date(`${c.today}T12:00:00Z`);
    exp.setUTCDate(exp.getUTCDate() + 1);
    const expiry = exp.toISOString().slice(0, 10);
    const got = await pharm('POST', '/register/receipts', {
      premises_id: 1, supplier_id: 1, drug: 'diamorphine', strength_mg: 100, form: 'powder_for_injection', quantity: 5,
      batch: 'DIA100-SHORT', expiry_date: expiry, invoice_ref: 'INV-SHORT-1',
      witness: { username: 'cdao.fraser', password: 'demo-cdao-pass' },
    });
    expect(got.status === 201 && got.body.page_id === PAGE_100MG, `receipt: ${got.status} ${JSON.stringify(got.body)}`);
    const lotId = got.body.lot_id;
    await c.advance(2 * 86400);
    // Two idle days end every session: sign in again.
    pharm = await c.as('pharm.lindqvist', 'demo-pharmacist-pass');
    const lots = (await pharm('GET', `/register/pages/${PAGE_100MG}/lots`)).body.lots;
    expect(lots.find((l) => l.id === lotId).is_expired, 'the lot has expired');
    const checks = (await pharm('GET', `/register/pages/${PAGE_100MG}/stock-checks`)).body.stock_checks;

    const page = await c.page({ width: 1366, height: 900 });
    await c.login(page, 'pharm.lindqvist', 'demo-pharmacist-pass');
    await page.goto(`${c.base}/#/register/${PAGE_100MG}`);
    await page.getByRole('heading', { name: /100 mg powder/ }).waitFor();
    const before = Number((await page.locator('p.balance strong').textContent()).match(/(\d+) ampoules/)[1]);

    // The page's last stock checks, newest first.
    const shown = page.locator('table.checks tbody tr');
    expect(await shown.count() === Math.min(5, checks.length), `${await shown.count()} stock checks shown`);
    const firstCheck = squash(await shown.first().textContent());
    expect(firstCheck.includes(String(checks[0].counted)) && firstCheck.includes(checks[0].checked_by) && firstCheck.includes(checks[0].second_checker),
      `the newest stock check: ${firstCheck}`);

    await page.getByRole('button', { name: 'Destruction' }).click();
    const d = page.getByRole('dialog');
    const lot = d.getByLabel('Lot');
    // The lots arrive after the dialog opens: wait for the expired one.
    await lot.locator('option', { hasText: 'DIA100-SHORT' }).waitFor({ state: 'attached' });
    const options = await lot.locator('option').allTextContents();
    expect(options[1] === `Batch DIA100-SHORT — expired — quarantined: 5 ampoules, expiry ${expiry}`, `the expired lot is listed first: ${options.slice(0, 3)}`);
    expect(options.slice(2).every((o) => !o.includes('expired')), 'the others are in date');
    expect(await lot.inputValue() === String(lotId), 'the only expired lot is chosen already');
    await d.getByLabel('Ampoules destroyed').fill('1');
    await d.getByLabel('Reason').fill('Expired stock, quarantined since its expiry.');
    await d.getByLabel('Authorised witness (name and authority)').fill('PC Dawn Ellis, police controlled drugs liaison officer');
    await d.getByLabel('Witness username').fill('cdao.fraser');
    await d.getByLabel('Witness password').fill('demo-cdao-pass');
    await c.shot(page, 'destruction-dialog', false);
    await d.getByRole('button', { name: 'Record destruction' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await page.locator('#status', { hasText: `Destruction recorded: the balance is now ${before - 1}` }).waitFor();
    await page.locator('p.balance strong', { hasText: `${before - 1} ampoules` }).waitFor();
    const row = page.locator('table.register tbody tr').first();
    await row.filter({ hasText: 'DIA100-SHORT' }).waitFor();
    const cells = (await row.locator('td').allTextContents()).map(squash);
    expect(cells[2] === 'Destruction', `the newest entry is the destruction: ${cells}`);
    expect(cells[4] === '1' && cells[3] === '', `one ampoule out: ${cells}`);
    expect(Number(cells[5]) === before - 1, `balance ${before} - 1: ${cells[5]}`);
    expect(cells[7].includes(`exp ${expiry}`), `the lot's expiry: ${cells[7]}`);
    expect(cells[8] === 'Maja Lindqvist', `made by: ${cells[8]}`);
    expect(cells[9].includes('Alasdair Fraser') && cells[9].includes('PC Dawn Ellis'), `witnesses: ${cells[9]}`);
    expect(cells[10].includes('Expired stock'), `reason: ${cells[10]}`);
    const after = (await pharm('GET', `/register/pages/${PAGE_100MG}/lots`)).body.lots.find((l) => l.id === lotId);
    expect(after.ampoules === 4, `4 ampoules left in the lot: ${after.ampoules}`);
    await page.locator('#reg-checks').scrollIntoViewIfNeeded();
    const head = squash(await page.locator('p.chain-head code').textContent());
    expect(/^\d+:[0-9a-f]{64}$/.test(head), `the stock-check panel shows the chain head: ${head}`);
    await page.evaluate(() => document.getElementById('reg-checks').scrollIntoView());
    await c.shot(page, 'register-destroyed', false);
    noConsoleErrors(page);
  }],
]);
