// The manager's service evaluation over the demo clinic: the charts carry
// the same figures as the API, suppressed counts read "<5", the CSV link
// names the period, the printout has no controls; an auditor may read it
// and a keyworker is not offered it.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

let mgr;
let mgrApi;

await runTests(import.meta.url, [
  ['the manager opens the evaluation: retention, the TOP and the other figures as the API gives them', async (c) => {
    mgrApi = await c.as('mgr.hughes', 'demo-manager-pass');
    mgr = await c.page({ width: 1280, height: 1000 });
    await c.login(mgr, 'mgr.hughes', 'demo-manager-pass');
    await mgr.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Evaluation' }).click();
    await mgr.getByRole('heading', { name: 'Service evaluation' }).waitFor();
    const fig = mgr.locator('figure[data-figure="retention"] svg');
    await fig.waitFor();
    const from = await mgr.getByLabel('From', { exact: true }).inputValue();
    const to = await mgr.getByLabel('To', { exact: true }).inputValue();
    const api = (await mgrApi('GET', `/reports/evaluation?from=${from}&to=${to}`)).body;
    const label = await fig.getAttribute('aria-label');
    const r3 = api.retention['3_months'];
    const want3 = r3.rate === null ? (r3.suppressed ? '<5 people' : 'not yet known') : `${Math.round(r3.rate * 1000) / 10}%`;
    expect(label.includes(`Retained at 3 months: ${want3}`), `the retention chart says ${want3}: ${label}`);
    const fills = await fig.locator('rect.eval-fill').count();
    const rates = ['3_months', '6_months', '12_months'].filter((k) => api.retention[k].rate !== null).length;
    expect(fills === rates, `a bar for each known rate (${fills} for ${rates})`);
    if (typeof api.top.people_compared === 'number' && api.top.people_compared > 0) {
      const words = await mgr.locator('figure[data-figure="top"] svg').getAttribute('aria-label');
      const op = api.top.domains.find((d) => d.key === 'opiates_days');
      expect(words.includes(`${op.label}: ${op.improved} improved`), `the TOP chart says opiates: ${op.improved} improved`);
    } else {
      expect(await mgr.locator('p.eval-none').isVisible(), `fewer than 5 compared (${api.top.people_compared}): no domain chart, said in words`);
    }
    const text = await mgr.locator('main').textContent();
    expect(text.includes('<5'), 'suppressed counts read <5');
    const ref = mgr.locator('table.eval-table', { hasText: 'Referrals' }).locator('tr', { hasText: /^Referrals/ }).locator('td');
    expect((await ref.textContent()) === String(api.referrals.referrals), `referrals ${api.referrals.referrals}`);
    const href = await mgr.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    expect(href === `/api/v1/reports/evaluation?from=${from}&to=${to}&format=csv`, `the CSV link names the period: ${href}`);
    const csv = await mgr.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).text(), href);
    expect(csv.startsWith('section,measure,value'), `the CSV downloads: ${csv.slice(0, 40)}`);
    const nd = await mgr.locator('a[data-export="ndtms"]').getAttribute('href');
    expect(nd === `/api/v1/exports/ndtms?from=${from}&to=${to}&format=csv`, `the national return link names the period: ${nd}`);
    const ndCsv = await mgr.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).text(), nd);
    expect(ndCsv.startsWith('FINITIAL,SINITIAL,DOB,SEX,CONSENT'), `the national return downloads in field order: ${ndCsv.slice(0, 60)}`);
    const res = await mgr.locator('a[data-export="research"]').getAttribute('href');
    const resCsv = await mgr.evaluate(async (u) => (await fetch(u, { credentials: 'same-origin' })).text(), res);
    expect(resCsv.startsWith('pseudonym,') && !/Whitfield|Robson/.test(resCsv), 'the research rows download with pseudonyms and no names');
    await c.shot(mgr, 'evaluation');
    noConsoleErrors(mgr);
  }],

  ['a shorter period moves the figures; the printout has no controls', async (c) => {
    const to = await mgr.getByLabel('To', { exact: true }).inputValue();
    const d = new Date(`${to}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() - 30);
    const from = d.toISOString().slice(0, 10);
    await mgr.getByLabel('From', { exact: true }).fill(from);
    await mgr.getByRole('button', { name: 'Show' }).click();
    await mgr.locator('main p.muted', { hasText: `${from} to ${to}` }).waitFor();
    const api = (await mgrApi('GET', `/reports/evaluation?from=${from}&to=${to}`)).body;
    const ref = mgr.locator('table.eval-table', { hasText: 'Doses' }).locator('tr', { hasText: /^Doses given/ }).locator('td');
    expect((await ref.textContent()) === String(api.doses.given), `doses in the last 31 days: ${api.doses.given}`);
    await mgr.emulateMedia({ media: 'print' });
    expect(!(await mgr.getByRole('button', { name: 'Print' }).isVisible()), 'no buttons on the printout');
    expect(await mgr.locator('figure[data-figure="retention"] svg').isVisible(), 'the charts are printed');
    await c.shot(mgr, 'evaluation-print');
    await mgr.emulateMedia({ media: 'screen' });
  }],

  ['an auditor may read the evaluation; a keyworker is not offered it', async (c) => {
    const aud = await c.page({ width: 1280, height: 900 });
    await c.login(aud, 'audit.silva', 'demo-auditor-pass');
    await aud.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Evaluation' }).click();
    await aud.locator('figure[data-figure="retention"] svg').waitFor();
    expect(await aud.locator('a[data-export="research"]').count() === 1, 'the auditor is offered the research rows');
    expect(await aud.locator('a[data-export="ndtms"]').count() === 0, 'but not the identifiable national return');
    const kw = await c.page({ width: 1280, height: 900 });
    await c.login(kw, 'kw.mensah', 'demo-keyworker-pass');
    const links = await kw.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Evaluation' }).count();
    expect(links === 0, 'no Evaluation link for a keyworker');
    noConsoleErrors(aud);
  }],
]);
