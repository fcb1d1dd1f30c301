// harness.mjs: what every browser test shares.  Starts its own hatd (a
// test build) on a free loopback port with a fresh database (hatctl init +
// hatctl demo), sets the test clock, drives Debian's chromium headless
// through playwright-core, saves screenshots as artefacts, and prints
// "N passed, M failed" last, exiting non-zero on any failure.

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['hatd', 'hatctl', 'web']) {
    if (!out[k]) throw new Error(`missing --${k}`);
    out[k] = resolve(out[k]);
  }
  out.artifacts = resolve(out.artifacts || 'test-artifacts');
  mkdirSync(out.artifacts, { recursive: true });
  return out;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Today's date in the clinic (Europe/London) by the real clock. */
export function londonToday(offsetDays = 0) {
  const t = new Date(Date.now() + offsetDays * 86400e3);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

/** A UTC instant for a London wall-clock time on a date. */
export function londonInstant(date, hhmm) {
  // Try both offsets London uses; keep the one that reads back right.
  for (const off of [0, 1]) {
    const t = new Date(`${date}T${hhmm}:00Z`);
    t.setUTCHours(t.getUTCHours() - off);
    const back = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
    if (back === hhmm) return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  throw new Error(`no London instant for ${date} ${hhmm}`);
}

export class Clinic {
  constructor(args, name) {
    this.args = args;
    this.name = name;
    this.dir = mkdtempSync(join(tmpdir(), `hat-web-${name}-`));
    this.db = join(this.dir, 'clinic.db');
    this.proc = null;
    this.browser = null;
    this.shots = 0;
  }

  async start() {
    const { hatctl, hatd, web } = this.args;
    await run(hatctl, ['init', '--db', this.db, '--clinic', 'Riverside HAT Clinic', '--admin', 'admin', '--password', 'demo-admin-pass']);
    await run(hatctl, ['demo', '--db', this.db], { maxBuffer: 16 << 20 });
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(hatd, ['--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--web', web], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`${this.base}/api/v1/health`);
        if (r.ok) break;
      } catch (e) { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The demo's history ends yesterday: today's morning session is open.
    this.today = londonToday();
    await this.setClock(londonInstant(this.today, '09:00'));
    this.browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--lang=en-GB'],
    });
    return this;
  }

  async clock(body) {
    const r = await fetch(`${this.base}/api/v1/test/clock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`test clock: ${r.status} ${await r.text()}`);
    return r.json();
  }

  setClock(iso) { return this.clock({ now: iso }); }
  advance(seconds) { return this.clock({ advance_s: seconds }); }

  /** A fresh browser context (no shared cookies) and page at this size. */
  async page(viewport = { width: 1280, height: 900 }) {
    const context = await this.browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
    const page = await context.newPage();
    page.consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => page.consoleErrors.push(String(e)));
    page.setDefaultTimeout(10000);
    return page;
  }

  async login(page, username, password) {
    await page.goto(`${this.base}/`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who').getByRole('button', { name: 'Log out' }).waitFor();
  }

  async shot(page, label, fullPage = true) {
    this.shots += 1;
    const file = join(this.args.artifacts, `${this.name}-${String(this.shots).padStart(2, '0')}-${label}.png`);
    await page.screenshot({ path: file, fullPage });
    return file;
  }

  /** A JSON call as a given user (bearer token), for setting the scene. */
  async as(username, password) {
    const r = await fetch(`${this.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password, token_kind: 'bearer' }) });
    const s = await r.json();
    const call = async (method, path, body) => {
      const res = await fetch(`${this.base}/api/v1${path}`, {
        method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    return call;
  }

  async stop() {
    if (this.browser) await this.browser.close().catch(() => {});
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs the named steps in order against one clinic; prints the tally. */
export async function runTests(file, steps) {
  const args = parseArgs();
  const name = basename(file).replace(/\.test\.mjs$/, '');
  const clinic = new Clinic(args, name);
  let passed = 0;
  let failed = 0;
  const t0 = Date.now();
  try {
    await clinic.start();
    for (const [label, fn] of steps) {
      const s = Date.now();
      try {
        await fn(clinic);
        passed += 1;
        console.log(`ok   ${label} (${Date.now() - s} ms)`);
      } catch (e) {
        failed += 1;
        console.log(`FAIL ${label}: ${e && e.stack ? e.stack : e}`);
        // What each page showed when the step failed, for the artefacts.
        for (const ctx of clinic.browser ? clinic.browser.contexts() : []) {
          for (const p of ctx.pages()) await clinic.shot(p, 'FAILED', false).catch(() => {});
        }
      }
    }
  } catch (e) {
    failed += 1;
    console.log(`FAIL setting up: ${e && e.stack ? e.stack : e}`);
  } finally {
    await clinic.stop();
    if (failed && clinic.stderr) console.log(`hatd stderr:\n${clinic.stderr.slice(-4000)}`);
  }
  console.log(`(${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

export function noConsoleErrors(page) {
  // A refused request logs a network error in the console; those are the
  // refusals the test provokes on purpose, not faults of the page.
  const errs = page.consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  expect(errs.length === 0, `console errors: ${errs.join(' | ')}`);
}
