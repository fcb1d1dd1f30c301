// The controlled-drugs accountable officer's alerts at the top of the
// register: late entries, overdue stock checks, open discrepancy cases and
// prescribers' licences running out, each list as GET /alerts has it; a
// count on the menu's Register link; a nurse sees neither.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

const GROUPS = {
  late: 'late_entries', overdue: 'stock_checks_overdue', cases: 'open_discrepancies', licences: 'licences_expiring',
};
const SHOWN = 5;
const dayFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
const fmtDay = (d) => dayFmt.format(new Date(`${d}T12:00:00Z`));
const plusDays = (d, n) => {
  const t = new Date(`${d}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};

let page;
let cdao;
let pages;
let licenceDate;
const byStrength = (s) => pages.find((p) => p.strength === s);
const pageName = (id) => {
  const p = pages.find((x) => x.id === id);
  return `${p.drug[0].toUpperCase()}${p.drug.slice(1)} ${p.strength}`;
};

/** What each alert item must say, by the API's record. */
function expected(key, x) {
  switch (key) {
    case 'late': return { link: `#/register/${x.page_id}`, text: [`${pageName(x.page_id)}, entry ${x.id}`, `dated ${fmtDay(x.event_date)}`, x.made_by] };
    case 'overdue': return { link: `#/register/${x.page_id}`, text: [pageName(x.page_id), `last checked ${x.last_check_date ? fmtDay(x.last_check_date) : 'never'}`] };
    case 'cases': return { link: `#/register/${x.page_id}`, text: [`Case ${x.id}, ${pageName(x.page_id)}`, `${x.difference > 0 ? '+' : ''}${x.difference} ampoule`] };
    default: return { link: null, text: [x.prescriber, `licence ${x.licence_number}`, x.is_expired ? 'expired' : 'expires', `${fmtDay(x.expires_on)} ${x.expires_on.slice(0, 4)}`] };
  }
}

/** The panel's four lists match GET /alerts for the same premises, item by item. */
async function panelMatchesApi(c) {
  const api = (await cdao('GET', '/alerts?premises_id=1')).body;
  const panel = page.locator('section.gov-alerts');
  await panel.waitFor();
  let total = 0;
  for (const [key, field] of Object.entries(GROUPS)) {
    const want = api[field];
    total += want.length;
    const group = panel.locator(`section[data-alerts="${key}"]`);
    const head = await group.getByRole('heading', { level: 3 }).textContent();
    expect(head.endsWith(`(${want.length})`), `${key}: heading ${head} says ${want.length}`);
    const items = group.getByRole('listitem');
    if (!want.length) {
      expect(await items.count() === 0 && (await group.textContent()).includes('None'), `${key}: "None" when the API has none`);
      continue;
    }
    expect(await items.count() === Math.min(want.length, SHOWN), `${key}: ${await items.count()} items for ${want.length}`);
    for (let i = 0; i < Math.min(want.length, SHOWN); i++) {
      const e = expected(key, want[i]);
      const text = (await items.nth(i).textContent()).replace(/\s+/g, ' ');
      for (const t of e.text) expect(text.includes(t), `${key} item ${i}: "${text}" lacks "${t}"`);
      if (e.link) expect(await items.nth(i).getByRole('link').getAttribute('href') === e.link, `${key} item ${i} links to ${e.link}`);
    }
    if (want.length > SHOWN) expect((await group.textContent()).includes(`and ${want.length - SHOWN} more`), `${key}: says how many more`);
  }
  expect(await panel.getAttribute('data-total') === String(total), `panel total ${await panel.getAttribute('data-total')} vs ${total}`);
  // The menu's Register link carries the same count, in words for a screen reader.
  const reg = page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: /^Register/ });
  if (total) await reg.getByText(String(total), { exact: false }).waitFor();
  const name = (await reg.textContent()).trim();
  expect(total ? name === `Register${total} alert${total === 1 ? '' : 's'}` : name === 'Register', `Register link says "${name}" for ${total}`);
  return api;
}

await runTests(import.meta.url, [
  ['the scene: a late receipt and an open discrepancy case', async (c) => {
    const pharm = await c.as('pharm.lindqvist', 'demo-pharmacist-pass');
    cdao = await c.as('cdao.fraser', 'demo-cdao-pass');
    pages = (await cdao('GET', '/register/pages?premises_id=1')).body.pages;
    const witness = { username: 'cdao.fraser', password: 'demo-cdao-pass' };
    const late = await pharm('POST', '/register/receipts', {
      premises_id: 1, supplier_id: 1, drug: 'diamorphine', strength_mg: 100, form: 'powder_for_injection', quantity: 10,
      batch: 'DIA100-LATE', expiry_date: plusDays(c.today, 400), invoice_ref: 'INV-LATE-1', received_date: plusDays(c.today, -3), witness,
    });
    expect(late.status === 201 && late.body.is_late, `late receipt: ${late.status} ${JSON.stringify(late.body)}`);
    const p10 = byStrength('10 mg');
    const check = await pharm('POST', `/register/pages/${p10.id}/stock-checks`, { counted: p10.balance - 2, witness });
    expect(check.status === 201 && check.body.discrepancy_id, `stock check: ${check.status} ${JSON.stringify(check.body)}`);
  }],

  ['the CDAO sees the alerts above the register, as the API lists them', async (c) => {
    page = await c.page({ width: 1280, height: 900 });
    await c.login(page, 'cdao.fraser', 'demo-cdao-pass');
    await page.goto(`${c.base}/#/register`);
    await page.getByRole('heading', { name: 'Controlled-drug register' }).waitFor();
    await page.getByRole('region', { name: /^Alerts/ }).waitFor();
    const api = await panelMatchesApi(c);
    expect(api.late_entries.some((e) => e.page_id === byStrength('100 mg').id), 'the late receipt is listed');
    expect(api.open_discrepancies.length === 1, 'one open case');
    // The 5 mg page: overdue or not, the panel says what the API says.
    const p5 = byStrength('5 mg');
    const overdue = api.stock_checks_overdue.some((x) => x.page_id === p5.id);
    const listed = await page.locator('section[data-alerts="overdue"] li', { hasText: pageName(p5.id) }).count();
    expect(listed === (overdue ? 1 : 0), `5 mg page overdue=${overdue}, listed ${listed}`);
    await c.shot(page, 'alerts-desktop');
  }],

  ['a licence expiring in 10 days appears with its date', async (c) => {
    const admin = await c.as('admin.demo', 'demo-admin-pass');
    const u = await admin('POST', '/users', { username: 'dr.shortlicence', display_name: 'Dr Nadia Short', password: 'a-long-demo-password-17', roles: ['prescriber'], confirmer: { username: 'mgr.hughes', password: 'demo-manager-pass' } });
    expect(u.status === 201, `new prescriber: ${u.status} ${JSON.stringify(u.body)}`);
    licenceDate = plusDays(c.today, 10);
    const l = await admin('POST', `/users/${u.body.id}/licences`, { licence_number: 'HO-SHORT-10', premises_id: 1, expires_on: licenceDate, confirmer: { username: 'mgr.hughes', password: 'demo-manager-pass' } });
    expect(l.status === 201 || l.status === 200, `licence: ${l.status} ${JSON.stringify(l.body)}`);
    await page.reload();
    const item = page.locator('section[data-alerts="licences"] li', { hasText: 'HO-SHORT-10' });
    await item.waitFor();
    const text = (await item.textContent()).replace(/\s+/g, ' ');
    const shown = `${fmtDay(licenceDate)} ${licenceDate.slice(0, 4)}`;
    expect(text.includes('Dr Nadia Short') && text.includes(`expires ${shown}`), `licence item: ${text}`);
    expect(await item.locator('time').getAttribute('datetime') === licenceDate, 'machine-readable date');
    await panelMatchesApi(c);
  }],

  ['an alert links to its register page', async (c) => {
    const p10 = byStrength('10 mg');
    await page.locator('section[data-alerts="cases"]').getByRole('link', { name: /^Case \d+/ }).click();
    await page.getByRole('heading', { name: /10 mg powder/ }).waitFor();
    expect(page.url().endsWith(`#/register/${p10.id}`), `at ${page.url()}`);
    expect(await page.locator('.pages a[aria-current="page"]').getAttribute('href') === `#/register/${p10.id}`, 'the 10 mg card is current');
    // The panel stays on top of the chosen page.
    await panelMatchesApi(c);
  }],

  ['at 768 px the lists sit two by two and stay readable', async (c) => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${c.base}/#/register`);
    await page.locator('section.gov-alerts').waitFor();
    const boxes = await page.locator('section.gov-alerts .alert-group').evaluateAll((els) => els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: Math.round(r.x), w: Math.round(r.width) };
    }));
    const xs = [...new Set(boxes.map((b) => b.x))];
    expect(xs.length === 2, `two columns at 768 px: ${JSON.stringify(boxes)}`);
    expect(boxes.every((b) => b.w >= 250), `columns wide enough: ${JSON.stringify(boxes)}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(!overflow, 'no sideways scrolling');
    await c.shot(page, 'alerts-768');
    noConsoleErrors(page);
  }],

  ['a week on, pages fall overdue for a stock check and the panel follows', async (c) => {
    await c.advance(7 * 86400);
    cdao = await c.as('cdao.fraser', 'demo-cdao-pass');
    await page.setViewportSize({ width: 1280, height: 900 });
    await c.login(page, 'cdao.fraser', 'demo-cdao-pass');
    await page.goto(`${c.base}/#/register`);
    const api = await panelMatchesApi(c);
    expect(api.stock_checks_overdue.length > 0, 'some page is overdue a week on');
    await c.shot(page, 'alerts-week-on');
    // The menu carries the count.  (The CDAO keeps to the register, so it
    // has no other screen to carry it to; the manager's menu shows it on
    // the board, below.)
    const total = api.late_entries.length + api.stock_checks_overdue.length + api.open_discrepancies.length + api.licences_expiring.length;
    await page.locator('#nav .nav-count', { hasText: String(total) }).waitFor();
    noConsoleErrors(page);
    await page.context().close();
    // Elsewhere the menu still carries the count: the manager's, on the board.
    const mgr = await c.page({ width: 1280, height: 900 });
    await c.login(mgr, 'mgr.hughes', 'demo-manager-pass');
    await mgr.goto(`${c.base}/#/board`);
    await mgr.locator('#nav .nav-count', { hasText: String(total) }).waitFor();
    noConsoleErrors(mgr);
    await mgr.context().close();
  }],

  ['a nurse sees no alerts and no count', async (c) => {
    const nurse = await c.page({ width: 1280, height: 900 });
    const asked = [];
    nurse.on('request', (r) => { if (r.url().includes('/api/v1/alerts')) asked.push(r.url()); });
    await c.login(nurse, 'nurse.patel', 'demo-nurse-pass');
    await nurse.goto(`${c.base}/#/register`);
    await nurse.getByRole('heading', { name: 'Controlled-drug register' }).waitFor();
    await nurse.getByRole('navigation', { name: 'Register pages' }).waitFor();
    expect(await nurse.locator('section.gov-alerts').count() === 0, 'no alerts panel for a nurse');
    expect(await nurse.getByRole('heading', { name: /^Alerts/ }).count() === 0, 'no Alerts heading');
    expect(await nurse.locator('#nav .nav-count').count() === 0, 'no count on the menu');
    expect(asked.length === 0, `the nurse's browser never asks for the alerts: ${asked}`);
    await c.shot(nurse, 'alerts-nurse', false);
    noConsoleErrors(nurse);
  }],
]);
