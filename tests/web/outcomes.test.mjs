// The keyworker's workspace and the person's own view: the caseload with
// reviews due, the progress pictures (one point per TOP, in date order,
// a gap for "not answered", the change in words), recording a TOP with a
// refusal shown beside its item, a goal set and marked achieved on the
// timeline, a login made for the person with their consent, and the person
// seeing only their own record.

import { runTests, expect, noConsoleErrors } from './harness.mjs';

let kw;
let kwApi;
let daniel;
let kayleigh;

async function patientId(family) {
  const r = await kwApi('GET', `/patients?q=${family}`);
  return r.body.patients[0].id;
}

await runTests(import.meta.url, [
  ['the caseload lists everyone in treatment with their next review', async (c) => {
    kwApi = await c.as('kw.mensah', 'demo-keyworker-pass');
    daniel = await patientId('Whitfield');
    kayleigh = await patientId('Robson');
    kw = await c.page({ width: 1280, height: 900 });
    await c.login(kw, 'kw.mensah', 'demo-keyworker-pass');
    await kw.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Caseload' }).click();
    await kw.getByRole('heading', { name: 'Caseload' }).waitFor();
    const api = (await kwApi('GET', '/caseload')).body.patients;
    const rows = kw.locator('table.caseload tbody tr');
    await rows.first().waitFor();
    expect(await rows.count() === api.length, `${await rows.count()} rows for ${api.length} in treatment`);
    const dRow = kw.locator(`tr[data-patient="${daniel}"]`);
    expect((await dRow.textContent()).includes('Daniel Whitfield'), 'Daniel is on the caseload');
    const status = { not_due: 'Up to date', due: 'Review due', overdue: 'Review overdue', start_due: 'Start TOP due' };
    for (const x of api) {
      const text = await kw.locator(`tr[data-patient="${x.patient_id}"]`).textContent();
      expect(text.includes(status[x.review_status]), `${x.family_name}: "${status[x.review_status]}" in ${text}`);
    }
    await c.shot(kw, 'caseload');
    noConsoleErrors(kw);
  }],

  ['the progress pictures: a point per TOP in date order, gaps for not answered, words for the change', async (c) => {
    await kw.locator(`tr[data-patient="${daniel}"] a`).click();
    await kw.getByRole('heading', { name: 'Daniel Whitfield: recovery and outcomes' }).waitFor();
    const api = (await kwApi('GET', `/patients/${daniel}/progress`)).body;
    const psych = api.domains.flatMap((d) => d.series).find((s) => s.key === 'psych_health');
    expect(psych.points.length === 3, `Daniel has 3 TOPs (${psych.points.length})`);
    const fig = kw.locator('figure[data-series="psych_health"]');
    await fig.waitFor();
    expect(await fig.locator('svg circle').count() === 3, 'three points on the psychological health chart');
    const label = await fig.locator('svg').getAttribute('aria-label');
    expect(label === psych.words && /5 → 13 \(\+8\), improved/.test(label), `the chart says the change in words: ${label}`);
    const cx = await fig.locator('svg circle').evaluateAll((cs) => cs.map((e) => Number(e.getAttribute('cx'))));
    expect(cx[0] < cx[1] && cx[1] < cx[2], `points in date order: ${cx}`);
    expect((await kw.locator('.summary').textContent()).includes('Progressing'), 'retained and improving: progressing');
    expect(!/recovered/i.test(await kw.locator('main').textContent()), 'no "recovered" verdict anywhere');
    await c.shot(kw, 'progress-daniel');
    // Joanne's quality of life was not answered at her Start: a gap, not a zero.
    const joanne = await patientId('Pearson');
    await kw.goto(`${c.base}/#/patients/${joanne}/outcomes`);
    const qol = kw.locator('figure[data-series="quality_of_life"]');
    await qol.waitFor();
    expect(await qol.locator('svg circle').count() === 1, 'one answered point');
    expect(await qol.locator('svg text.chart-gap[data-gap="not_answered"]').count() === 1, 'the NA point is drawn as a gap marked NA');
    expect(await qol.locator('svg polyline').count() === 0, 'no line is drawn through the gap');
    await c.shot(kw, 'progress-joanne-gap');
    noConsoleErrors(kw);
  }],

  ['the keyworker records a TOP; a rating of 21 is refused beside it', async (c) => {
    await kw.goto(`${c.base}/#/patients/${kayleigh}/outcomes`);
    await kw.getByRole('button', { name: 'Record a TOP' }).click();
    const d = kw.getByRole('dialog');
    await d.getByLabel('Stage').selectOption('review');
    // Every day count and rating 0, every yes/no "no", then the ones that matter.
    const numbers = d.locator('.items input[type="number"]:visible');
    for (let i = 0; i < await numbers.count(); i++) await numbers.nth(i).fill('0');
    const selects = d.locator('.items select');
    for (let i = 0; i < await selects.count(); i++) await selects.nth(i).selectOption('no');
    await d.getByLabel(/^1b Opiates \(illicit\).*days used/).fill('9');
    // The 4-week breakdown must add up to the total.
    const opiates = d.locator('.field-row').filter({ has: kw.getByLabel(/^1b Opiates \(illicit\).*days used/) });
    await opiates.locator('summary').click();
    for (const [w, v] of [[4, '3'], [3, '3'], [2, '3'], [1, '3']]) await opiates.getByLabel(`Week ${w}`, { exact: true }).fill(v);
    await d.getByLabel(/^4 Psychological health/).fill('21');
    await d.getByRole('button', { name: 'Save form' }).click();
    const werr = d.locator('[data-field="opiates_days"] .field-error');
    await werr.filter({ hasText: /\S/ }).waitFor();
    expect((await werr.textContent()).includes('do not add up'), `weeks that do not add up are refused beside the item: ${await werr.textContent()}`);
    await opiates.getByLabel('Week 1', { exact: true }).fill('0');
    await d.getByLabel(/^4 Overall quality of life/).fill('12');
    await d.locator('[data-field="physical_health__na"] input').check();
    await d.getByRole('button', { name: 'Save form' }).click();
    const err = d.locator('[data-field="psych_health"] .field-error');
    await err.filter({ hasText: /\S/ }).waitFor();
    expect((await err.textContent()).includes('outside the range'), `the refusal sits by the item: ${await err.textContent()}`);
    await c.shot(kw, 'top-refused', false);
    await d.getByLabel(/^4 Psychological health/).fill('12');
    await d.getByRole('button', { name: 'Save form' }).click();
    await kw.locator('dialog').waitFor({ state: 'detached' });
    await kw.locator('#status', { hasText: 'TOP saved' }).waitFor();
    const forms = (await kwApi('GET', `/patients/${kayleigh}/outcomes`)).body.forms;
    expect(JSON.stringify(forms[0].answers.opiates_days) === JSON.stringify({ total: 9, weeks: [3, 3, 3, 0] }), `the weeks are kept: ${JSON.stringify(forms[0].answers.opiates_days)}`);
    expect(forms[0].stage === 'review' && forms[0].answers.psych_health === 12 && forms[0].answers.physical_health === 'na',
      `saved as typed, NA kept: ${JSON.stringify(forms[0].answers)}`);
    const fig = kw.locator('figure[data-series="psych_health"]');
    await fig.locator('svg circle').nth(1).waitFor();
    expect(await fig.locator('svg circle').count() === 2, 'the new review is a second point');
    expect(await kw.locator('figure[data-series="physical_health"] svg text.chart-gap').count() === 1, 'physical health not answered: a gap');
    await c.shot(kw, 'top-recorded');
    noConsoleErrors(kw);
  }],

  ['a goal is set and marked achieved, and shows on the timeline', async (c) => {
    await kw.getByRole('button', { name: 'Set a goal' }).click();
    let d = kw.getByRole('dialog');
    await d.getByLabel('Part of life').selectOption('social');
    await d.getByLabel('The goal').fill('Join the Thursday walking group');
    await d.getByRole('button', { name: 'Save goal' }).click();
    await kw.locator('dialog').waitFor({ state: 'detached' });
    const goal = kw.locator('li.goal', { hasText: 'Join the Thursday walking group' });
    await goal.waitFor();
    expect((await goal.textContent()).includes('Open'), 'the new goal is open');
    await goal.getByRole('button', { name: 'Achieved' }).click();
    d = kw.getByRole('dialog');
    await d.getByLabel('Note (optional)').fill('Went three weeks running');
    await d.getByRole('button', { name: 'Mark' }).click();
    await kw.locator('dialog').waitFor({ state: 'detached' });
    const done = kw.locator('li.goal.goal-achieved', { hasText: 'Join the Thursday walking group' });
    await done.waitFor();
    expect((await done.locator('ol.timeline').textContent()).includes('achieved: Went three weeks running'), 'the achievement is on the timeline');
    await c.shot(kw, 'goal-achieved', false);
    noConsoleErrors(kw);
  }],

  ['the keyworker records the national return details; a postcode slip is refused beside it', async () => {
    const panel = kw.locator('section[aria-labelledby="oc-ndtms"]');
    await panel.getByLabel('Consents to the national return').selectOption('Y');
    await panel.getByLabel('Local authority of residence').fill('Middlesbrough');
    await panel.getByLabel('Postcode').fill('TS9');
    await panel.getByLabel('Referral source').fill('self');
    await panel.getByRole('button', { name: 'Save return details' }).click();
    await panel.locator('[data-field="postcode"] .field-error').filter({ hasText: /\S/ }).waitFor();
    await panel.getByLabel('Postcode').fill('ts3 6ef');
    await panel.getByRole('button', { name: 'Save return details' }).click();
    await kw.locator('#status', { hasText: 'Return details saved' }).waitFor();
    const eid = (await kwApi('GET', `/patients/${kayleigh}`)).body.episodes[0].id;
    const nd = (await kwApi('GET', `/episodes/${eid}/ndtms`)).body;
    expect(nd.details.consent === 'Y' && nd.details.postcode === 'TS3 6EF', `saved: ${JSON.stringify(nd.details)}`);
    noConsoleErrors(kw);
  }],

  ['the keyworker makes a login for the person, with their consent', async () => {
    const panel = kw.locator('section[aria-labelledby="oc-acct"]');
    await panel.getByLabel('Username').fill('kayleigh.r');
    await panel.getByLabel('Their name as they would like it shown').fill('Kayleigh');
    await panel.getByLabel(/A first password/).fill('kayleigh-own-pass');
    await panel.getByLabel('How they agreed to it').fill('Asked at her review today');
    await panel.getByRole('button', { name: 'Make login' }).click();
    // Making a login hashes its password (Argon2id): slow on a loaded machine.
    await panel.getByText('logs in as').waitFor({ timeout: 30000 });
    noConsoleErrors(kw);
  }],

  ['the person sees only their own progress, in plain words', async (c) => {
    const me = await c.page({ width: 420, height: 860 });
    await c.login(me, 'kayleigh.r', 'kayleigh-own-pass');
    await me.getByRole('heading', { name: 'Hello, Kayleigh' }).waitFor();
    const links = await me.getByRole('navigation', { name: 'Screens' }).getByRole('link').allTextContents();
    expect(links.length === 1 && links[0] === 'My progress', `one menu entry: ${links}`);
    await me.locator('figure[data-series="psych_health"] svg').waitFor();
    const text = await me.locator('main').textContent();
    expect(text.includes('How you feel in yourself') && !text.includes('PSYHSTAT') && !text.includes('OPIUSE'), 'plain words, no clinical codes');
    expect(text.includes('Join the Thursday walking group'), 'their goals are there');
    expect(/Your sessions[\s\S]*2 times a day[\s\S]*Morning: 08:30 to 11:00/.test(text), 'their sessions are there');
    expect(/In the last 4 weeks you came to \d+ of \d+ sessions/.test(text), 'their attendance is there');
    await me.getByRole('button', { name: 'Add a goal of my own' }).click();
    const d = me.getByRole('dialog');
    await d.getByLabel('Part of life').selectOption('own');
    await d.getByLabel('If something else: what to call it').fill('cooking');
    await d.getByLabel('The goal').fill('Cook a proper Sunday dinner');
    await d.getByRole('button', { name: 'Save goal' }).click();
    await me.locator('li.goal', { hasText: 'Cook a proper Sunday dinner' }).waitFor();
    await me.getByLabel('How are you doing?').selectOption('4');
    await me.getByLabel('In your own words').fill('A good week');
    await me.getByRole('button', { name: 'Save note' }).click();
    await me.locator('ul.notes li', { hasText: 'A good week' }).waitFor();
    await c.shot(me, 'own-view');
    // Another person's record, a staff screen, the register: none of them.
    await me.goto(`${c.base}/#/patients/${daniel}/outcomes`);
    await me.getByRole('heading', { name: 'Not available to your role' }).waitFor();
    const tries = await me.evaluate(async (id) => Promise.all([`/api/v1/patients/${id}/progress`, `/api/v1/patients/${id}`, '/api/v1/register', '/api/v1/board', '/api/v1/caseload']
      .map((p) => fetch(p).then((r) => r.status))), daniel);
    expect(tries.every((s) => s === 403), `every staff read is refused: ${tries}`);
    const log = (await (await c.as('audit.silva', 'demo-auditor-pass'))('GET', `/access-log?limit=500`)).body;
    const entries = JSON.stringify(log);
    expect(entries.includes('own_progress'), 'the person\'s reads are in the access log');
    noConsoleErrors(me);
  }],

  ['the manager licenses SWEMWBS before it can be switched on; its form shows the copyright line', async (c) => {
    const mgr = await c.page({ width: 1280, height: 900 });
    await c.login(mgr, 'mgr.hughes', 'demo-manager-pass');
    await mgr.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Outcomes' }).click();
    const sw = mgr.locator('section[data-instrument="swemwbs"]');
    await sw.waitFor();
    expect((await sw.textContent()).includes('Needs a licence'), 'SWEMWBS needs a licence');
    await sw.getByRole('button', { name: 'Switch on' }).click();
    await sw.locator('.form-error', { hasText: /licence/ }).waitFor();
    await sw.getByLabel('Licence holder').fill('Riverside HAT Clinic (NHS)');
    await sw.getByLabel('Registration or licence reference').fill('WV-2026-0042');
    await sw.getByRole('button', { name: 'Record licence' }).click();
    await mgr.locator('section[data-instrument="swemwbs"]', { hasText: 'Licensed' }).waitFor();
    await mgr.locator('section[data-instrument="swemwbs"]').getByRole('button', { name: 'Switch on' }).click();
    await mgr.locator('section[data-instrument="swemwbs"]', { hasText: 'On' }).getByRole('button', { name: 'Switch off' }).waitFor();
    const rows = await mgr.locator('table.report tbody tr').count();
    expect(rows > 20, `the service report has a row per domain item (${rows})`);
    await c.shot(mgr, 'outcome-admin');
    await kw.goto(`${c.base}/#/patients/${kayleigh}/outcomes`);
    await kw.reload();
    await kw.getByRole('button', { name: 'Record SWEMWBS' }).click();
    const foot = kw.getByRole('dialog').locator('p.copyright');
    expect((await foot.textContent()).includes('NHS Health Scotland, University of Warwick and University of Edinburgh'), 'the copyright line is on the form');
    await kw.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    noConsoleErrors(mgr);
  }],

  ['the printable summary', async (c) => {
    await kw.emulateMedia({ media: 'print' });
    await kw.goto(`${c.base}/#/patients/${daniel}/outcomes`);
    await kw.locator('figure[data-series="psych_health"] svg').waitFor();
    expect(!(await kw.getByRole('button', { name: 'Record a TOP' }).isVisible()), 'no buttons on the printout');
    expect(await kw.locator('p.copyright.print-only').isVisible(), 'the copyright lines are printed');
    await c.shot(kw, 'print-summary');
    await kw.emulateMedia({ media: 'screen' });
  }],
]);
