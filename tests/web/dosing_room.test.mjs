// The dosing room's safety screens on two tablets at once: the dose dialog
// pre-filled with the amount due and the limit in force, what to draw up
// once the dose is recorded, and an abnormal post-dose check that raises
// the alarm on the other station's board and lets the patient leave only
// against advice with a reason.

import { deflateSync, crc32 } from 'node:zlib';

import { runTests, expect } from './harness.mjs';

/** A small real PNG: a face-sized block of colour. */
function png(w = 48, h = 48) {
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(kind), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < h; y++) {
    rows.push(Buffer.from([0]));
    for (let x = 0; x < w; x++) rows.push(Buffer.from([(x * 5) % 256, 90 + (y % 60), 160]));
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const SHANNON = 2;
let a; // nurse.patel's tablet
let b; // nurse.byrne's tablet
let api;

const card = (page, id) => page.locator(`li.card[data-patient="${id}"]`);
const waitState = (page, id, state) => page.locator(`li.card[data-patient="${id}"][data-state="${state}"]`).waitFor();
const closed = (page) => page.locator('dialog').waitFor({ state: 'detached' });

await runTests(import.meta.url, [
  ['two nurses log in on two tablets', async (c) => {
    a = await c.page({ width: 768, height: 1024 });
    b = await c.page({ width: 768, height: 1024 });
    await c.login(a, 'nurse.patel', 'demo-nurse-pass');
    await c.login(b, 'nurse.byrne', 'demo-nurse-pass');
    api = await c.as('nurse.patel', 'demo-nurse-pass');
    await card(a, SHANNON).waitFor();
    await card(b, SHANNON).waitFor();
    expect(await card(a, SHANNON).count() === 1 && await card(b, SHANNON).count() === 1,
      'each tablet shows the board with Shannon Kerr on it');
  }],

  ['the nurse takes the patient\'s photograph on the chart; the card shows it with the age', async (c) => {
    await b.goto(`${c.base}/#/patients/${SHANNON}`);
    await b.getByText('Take or upload a photograph').waitFor();
    await b.locator('#photo-file').setInputFiles({ name: 'face.png', mimeType: 'image/png', buffer: png() });
    await b.locator('section[aria-labelledby="chart-id"] img.photo').waitFor();
    await c.shot(b, 'chart-photo', false);
    await b.goto(`${c.base}/#/board`);
    const img = card(a, SHANNON).locator('img.photo');
    await img.waitFor({ timeout: 15000 });
    expect(await img.evaluate((i) => i.complete && i.naturalWidth === 48), 'the photograph loads on the other station\'s card');
    const born = await card(a, SHANNON).locator('.born').textContent();
    expect(/^Born \d+ \w+ \d{4} \(\d+\)$/.test(born), `date of birth and age: ${born}`);
  }],

  ['the board keeps its order while another station changes a state, and says what changed', async (c) => {
    const index = () => a.evaluate((id) => [...document.querySelectorAll('ul.board > li.card')].findIndex((n) => n.dataset.patient === String(id)), SHANNON);
    const before = await index();
    expect(before > 0, `Shannon Kerr is not first while everyone is due (index ${before})`);
    expect((await api('POST', `/patients/${SHANNON}/check-in`, {})).status === 201, 'checked in');
    expect((await api('POST', `/patients/${SHANNON}/assessments`, { sedation_level: 0, breath_alcohol_ug: 0, decision: 'fit' })).status === 201, 'assessed');
    await waitState(a, SHANNON, 'assessed');
    expect(await index() === before, `the card stayed where it was (index ${await index()}, was ${before})`);
    const said = await a.locator('.board-changes').textContent();
    expect(said.includes('Shannon Kerr'), `the change is announced: ${said}`);
    await a.getByRole('button', { name: 'Re-sort the board' }).waitFor();
    await c.shot(a, 'board-kept-order', false);
    await a.getByRole('button', { name: 'Re-sort the board' }).click();
    expect(await index() === 0, 'after the nurse re-sorts, the assessed patient comes first');
    expect(await a.getByRole('button', { name: 'Re-sort the board' }).isHidden(), 'nothing left to re-sort');
  }],

  ['the board can be searched by name and filtered by state', async (c) => {
    const visible = () => a.locator('ul.board > li.card:visible').count();
    const all = await visible();
    await a.getByLabel('Find a patient').fill('kerr');
    expect(await visible() === 1 && await card(a, SHANNON).isVisible(), 'only Shannon Kerr is shown');
    await a.getByLabel('Find a patient').fill('');
    await a.getByLabel('Show').selectOption('assessed');
    expect(await visible() === 1 && await card(a, SHANNON).isVisible(), 'only the assessed patient is shown');
    await c.shot(a, 'board-filtered', false);
    await a.getByLabel('Show').selectOption('');
    expect(await visible() === all, `everyone again (${all})`);
  }],

  ['the dose dialog is pre-filled with the amount due and says which limit is in force', async (c) => {
    const due = (await api('GET', `/patients/${SHANNON}/dose-due`)).body;
    expect(due.amount_mg > 0 && !due.refusal, `a dose is due: ${JSON.stringify(due)}`);
    await card(a, SHANNON).getByRole('button', { name: 'Give dose' }).click();
    const d = a.getByRole('dialog');
    await d.locator('.due').waitFor();
    const amount = await d.getByLabel('Amount (mg)').inputValue();
    expect(Number(amount) === due.amount_mg, `amount pre-filled with ${due.amount_mg}: ${amount}`);
    const line = await d.locator('.due').textContent();
    expect(line.includes(`Due now: ${due.amount_mg} mg`) && line.includes(due.message), `the limit in words: ${line}`);
    expect(await d.locator('.identity img.photo').count() === 1, 'the dose dialog shows the photograph');
    await d.getByLabel('Injection site').selectOption('arm_left');
    await d.getByLabel('Witness username').fill('nurse.byrne');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record dose' }).click();
    const idErr = d.locator('[data-field="identity_confirmed"] .field-error');
    await idErr.filter({ hasText: /\S/ }).waitFor();
    expect(/confirm the patient's identity/.test(await idErr.textContent()), 'a dose without the identity confirmed is refused beside the box');
    await c.shot(a, 'dose-prefilled', false);
    await d.getByLabel('Injection site').selectOption('arm_left');
    await d.getByLabel(/^I have checked this is/).check();
    await d.getByLabel('Witness username').fill('nurse.byrne');
    await d.getByLabel('Witness password').fill('demo-nurse-pass');
    await d.getByRole('button', { name: 'Record dose' }).click();
  }],

  ['after the dose the nurse sees the ampoules to draw up and what to denature', async (c) => {
    const d = a.getByRole('dialog', { name: /^Draw up/ });
    await d.waitFor();
    const items = await d.locator('ul.draw-up li').allTextContents();
    expect(items.length >= 1 && items.every((t) => /^\d+ × \d+(\.\d+)? mg ampoules?, batch \S+/.test(t)), `ampoule lines: ${JSON.stringify(items)}`);
    const denature = await d.locator('.denature, .muted').last().textContent();
    expect(/Denature \d|Nothing to denature/.test(denature), `denature line: ${denature}`);
    await c.shot(a, 'draw-up', false);
    await d.getByRole('button', { name: 'Done' }).click();
    await closed(a);
    await waitState(a, SHANNON, 'observing');
  }],

  ['an abnormal post-dose check offers the adverse-event record at once', async (c) => {
    await card(a, SHANNON).getByRole('button', { name: 'Post-dose check' }).click();
    const d = a.getByRole('dialog');
    await d.getByLabel('Sedation level').selectOption('3');
    await d.getByLabel('Breaths a minute').fill('8');
    await d.getByLabel('Oxygen saturation (%)').fill('91');
    await d.getByRole('button', { name: 'Record check' }).click();
    const offered = a.getByRole('dialog', { name: /^Adverse event/ });
    await offered.waitFor();
    expect(await offered.count() === 1, 'the adverse-event record opens as soon as the check is recorded');
    await c.shot(a, 'adverse-offered', false);
    await a.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await closed(a);
  }],

  ['the alarm shows on the second station\'s board', async (c) => {
    const banner = b.locator('.board-alarms');
    await banner.filter({ hasText: 'ALARM' }).waitFor({ timeout: 15000 });
    const text = await banner.textContent();
    expect(text.includes('abnormal post-dose check') && text.includes('sedation') && text.includes('breathing rate') && text.includes('oxygen saturation'), `alarm banner: ${text}`);
    await card(b, SHANNON).locator('.flag-postdose_alarm').waitFor();
    expect(await card(b, SHANNON).getByRole('button', { name: 'Leave against advice' }).count() === 1, 'only leaving against advice is offered');
    await c.shot(b, 'alarm-second-station');
  }],

  ['leaving after the abnormal check needs the reason, and is against advice', async (c) => {
    await c.advance(20 * 60);
    await card(b, SHANNON).getByRole('button', { name: 'Leave against advice' }).click();
    const d = b.getByRole('dialog');
    await d.getByLabel('Why the patient is leaving against advice').fill('Insisted on leaving; naloxone kit given, partner present.');
    await d.getByRole('button', { name: 'Record leaving against advice' }).click();
    await closed(b);
    await waitState(b, SHANNON, 'left');
    const hist = (await api('GET', `/patients/${SHANNON}/dosing-history?from=${c.today}&to=${c.today}`)).body;
    const left = (hist.days[0].events || []).find((e) => e.kind === 'left');
    expect(left && JSON.stringify(left).includes('left_against_advice'), `the leaving is recorded: ${JSON.stringify(left)}`);
    await b.locator('.board-alarms').filter({ hasText: 'ALARM' }).waitFor({ state: 'detached', timeout: 15000 }).catch(() => {});
    expect(!(await b.locator('.board-alarms').textContent()).includes(`ALARM`), 'the alarm clears once the patient has left');
    await card(b, SHANNON).locator('.flag-left_against_advice').waitFor();
  }],

  ['the chart shows the leaving against advice and the readings before and after the dose', async (c) => {
    await b.goto(`${c.base}/#/patients/${SHANNON}`);
    const sec = b.locator('section[aria-labelledby="chart-readings"]');
    await sec.waitFor();
    const rows = await sec.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('Post-dose') && r.includes('8/min') && r.includes('91%') && r.includes('ABNORMAL')), `the abnormal check: ${JSON.stringify(rows)}`);
    expect(rows.some((r) => r.includes('Pre-dose') && r.includes('0 µg/100 ml') && r.includes('fit')), `the pre-dose assessment: ${JSON.stringify(rows)}`);
    expect(rows.some((r) => r.includes('Left against advice') && r.includes('naloxone kit given')), `leaving against advice with its reason: ${JSON.stringify(rows)}`);
    await c.shot(b, 'chart-readings');
  }],

  ['the handover lists the session, its alarm and the ampoules against the register', async (c) => {
    await b.goto(`${c.base}/#/session-summary`);
    await b.getByRole('heading', { name: /Session summary: morning/ }).waitFor();
    const alarms = await b.locator('section[aria-labelledby="sum-alarms"]').textContent();
    expect(alarms.includes('09:00 Shannon Kerr') && alarms.includes('abnormal post-dose check'), `the alarm is in the handover, at its time: ${alarms}`);
    const dosed = await b.locator('section[aria-labelledby="sum-dosed"]').textContent();
    expect(dosed.includes('Shannon Kerr') && dosed.includes('left against advice'), `dosed, left against advice: ${dosed}`);
    const undone = await b.locator('section[aria-labelledby="sum-undone"] h2').textContent();
    expect(/Doses left undone.*: \d+/.test(undone), `the undone doses are counted: ${undone}`);
    const amp = await b.locator('table.ampoules tbody tr').allTextContents();
    expect(amp.length >= 1 && amp.every((t) => t.includes('matches')), `ampoules against the register: ${JSON.stringify(amp)}`);
    await c.shot(b, 'handover');
    await b.getByRole('link', { name: 'Daily dosing sheet' }).click();
    await b.getByRole('heading', { name: /Daily dosing sheet/ }).waitFor();
    const row = await b.locator('table.dosing-sheet tbody tr', { hasText: 'Shannon Kerr' }).textContent();
    expect(/09:00 180 mg Priya Patel\/Ciaran Byrne/.test(row), `the sheet's row: ${row}`);
    await c.shot(b, 'dosing-sheet');
  }],
]);
