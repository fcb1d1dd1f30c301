// A pharmacist records a receipt (witnessed by the CD accountable officer
// signing in inside the dialog) and a stock check, and the register page
// shows the entries with their running balance; the print view opens.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

let page;
let before;
const PAGE_100MG = 1;

await runTests(import.meta.url, [
  ['the pharmacist opens the 100 mg page of the register', async (c) => {
    page = await c.page({ width: 1366, height: 900 });
    await c.login(page, 'pharm.lindqvist', 'demo-pharmacist-pass');
    await page.getByRole('heading', { name: 'Controlled-drug register' }).waitFor();
    expect(await page.getByRole('link', { name: 'Dosing board' }).count() === 0, 'a pharmacist keeps to the register: no board link');
    expect(await page.getByRole('link', { name: 'Users' }).count() === 0, 'no Users link');
    // The page's card among the register's pages (the alerts may name it too).
    await page.getByRole('navigation', { name: 'Register pages' }).getByRole('link', { name: /Diamorphine 100 mg/ }).click();
    await page.getByRole('heading', { name: /100 mg powder/ }).waitFor();
    before = Number((await page.locator('.balance strong').textContent()).match(/(\d+) ampoules/)[1]);
    expect(before > 0, 'the page has stock');
  }],

  ['a receipt is refused without the right witness, then recorded', async (c) => {
    await page.getByRole('button', { name: 'Record a receipt' }).click();
    const d = page.getByRole('dialog');
    expect(await d.getByLabel('Strength per ampoule (mg)').inputValue() === '100', 'strength comes from the page');
    await d.getByLabel('Quantity (ampoules)').fill('50');
    await d.getByLabel('Batch').fill('DIA100-TEST1');
    await d.getByLabel('Expiry date').fill('2028-06-30');
    await d.getByLabel('Invoice reference').fill('INV-77120');
    await d.getByLabel('Witness username').fill('pharm.lindqvist');
    await d.getByLabel('Witness password').fill('demo-pharmacist-pass');
    await d.getByRole('button', { name: 'Record receipt' }).click();
    const werr = d.locator('[data-field="witness"] > .field-error');
    await werr.filter({ hasText: /\S/ }).waitFor();
    expect(/different person/.test(await werr.textContent()), `the witness must be another person: ${await werr.textContent()}`);
    await c.shot(page, 'receipt-refused');
    await d.getByLabel('Witness username').fill('cdao.fraser');
    await d.getByLabel('Witness password').fill('demo-cdao-pass');
    await d.getByRole('button', { name: 'Record receipt' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    const first = page.locator('table.register tbody tr').first();
    await first.filter({ hasText: 'DIA100-TEST1' }).waitFor();
    const cells = await first.locator('td').allTextContents();
    expect(cells[2] === 'Receipt', `newest entry is the receipt: ${cells}`);
    expect(cells[3] === '50', `50 ampoules in: ${cells}`);
    expect(Number(cells[5]) === before + 50, `balance ${before} + 50: ${cells[5]}`);
    expect(cells[6].includes('Northgate Specials Pharmacy') && cells[6].includes('INV-77120'), 'supplier and invoice shown');
    expect(cells[9].includes('Alasdair Fraser'), `witness named: ${cells[9]}`);
    await page.locator('.balance strong', { hasText: `${before + 50} ampoules` }).waitFor();
  }],

  ['a stock check that matches the register', async (c) => {
    await page.getByRole('button', { name: 'Stock check' }).click();
    const d = page.getByRole('dialog');
    await d.getByLabel('Ampoules counted').fill(String(before + 50));
    await d.getByLabel('Witness username').fill('cdao.fraser');
    await d.getByLabel('Witness password').fill('demo-cdao-pass');
    await d.getByRole('button', { name: 'Record stock check' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await page.locator('#status', { hasText: 'Stock check recorded' }).waitFor();
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${c.today}T12:00:00Z`));
    // Wait for the redrawn page: the card says "Last stock check" before and after.
    await page.locator('.pages a[aria-current="page"]', { hasText: `Last stock check: ${today}` }).waitFor();
    const card = await page.locator('.pages a[aria-current="page"]').textContent();
    expect(card.includes(`Last stock check: ${today}`), `the page shows today's stock check: ${card}`);
    // The check is at the top of the page's stock checks, matching.
    const check = (await page.locator('table.checks tbody tr').first().textContent()).replace(/\s+/g, ' ');
    expect(check.includes(`${before + 50}`) && check.includes('matches') && check.includes('Alasdair Fraser'), `the newest stock check: ${check}`);
    await c.shot(page, 'register-page');
  }],

  ['a stock check that does not match opens a discrepancy case', async (c) => {
    await page.getByRole('button', { name: 'Stock check' }).click();
    const d = page.getByRole('dialog');
    await d.getByLabel('Ampoules counted').fill(String(before + 49));
    await d.getByLabel('Witness username').fill('cdao.fraser');
    await d.getByLabel('Witness password').fill('demo-cdao-pass');
    await d.getByRole('button', { name: 'Record stock check' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    const cases = page.locator('section[aria-labelledby="reg-disc"]');
    await cases.getByText(/Case \d+: -1 ampoules/).waitFor();
    await cases.getByRole('button', { name: 'Record a check' }).click();
    await page.getByRole('dialog').getByLabel('What was checked').selectOption('recount');
    await page.getByRole('dialog').getByLabel('Finding').fill('Recounted with the CDAO: 1 ampoule short.');
    await page.getByRole('dialog').getByRole('button', { name: 'Record check' }).click();
    await page.locator('dialog').waitFor({ state: 'detached' });
    await cases.getByText('Recounted with the CDAO').waitFor();
    await c.shot(page, 'discrepancy');
    // The case the screen shows is open on the server, with its check.
    const cdao = await c.as('cdao.fraser', 'demo-cdao-pass');
    const open = (await cdao('GET', '/discrepancies')).body.discrepancies.filter((d) => d.status === 'open' && d.page_id === PAGE_100MG);
    expect(open.length === 1, `open cases on the 100 mg page: ${JSON.stringify(open)}`);
    expect(open[0].events.some((e) => e.kind === 'check' && e.item === 'recount'), `its events: ${JSON.stringify(open[0].events)}`);
  }],

  ['the print view opens as the printable register page', async (c) => {
    const href = await page.getByRole('link', { name: 'Print view' }).getAttribute('href');
    expect(href.includes('format=html') && href.includes(`page_id=${PAGE_100MG}`), `print link: ${href}`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('link', { name: 'Print view' }).click()]);
    await popup.waitForLoadState();
    const text = await popup.textContent('body');
    expect(text.includes('DIA100-TEST1') && /100 mg/.test(text), 'the printable page has the receipt');
    await c.shot(popup, 'print-view');
    noConsoleErrors(page);
  }],
]);
