// harness.mjs: what every browser test shares.  Starts its own hatd (a
// test build) on a free loopback port with a fresh database (hatctl init +
// hatctl demo), sets the test clock, drives Debian's chromium headless
// through playwright-core, saves screenshots as artefacts, and prints
// "N passed, M failed" last, exiting non-zero on any failure.
//
// Nothing here passes quietly: a missing playwright-core or chromium fails
// the run and says so; hatd must exit 0 on SIGTERM, and its log must hold
// no sanitizer report and no 5xx the test did not expect; a step passes
// only if it made at least one check (expect); and a read helper's GET that
// is not answered 2xx fails the step rather than handing back an empty body.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const STOP_TIMEOUT_MS = 20000;

// Checks made so far (every expect() counts one).
let checksMade = 0;

/** playwright-core, or an error that says how to get it. */
async function loadChromium() {
  let mod;
  try {
    mod = await import('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed, so the browser tests cannot run: run "npm install" in the repository (scripts/deps.sh: hat_install_web_deps). ${e.message}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing, so the browser tests cannot run: install Debian's chromium`);
  return mod.chromium;
}

/** What hatd's log (its stderr) says went wrong: sanitizer reports, and
 *  requests answered 5xx that the test did not allow. */
export function logProblems(text, allowed5xx = new Set()) {
  const out = [];
  for (const pat of [/ERROR: AddressSanitizer/, /ERROR: LeakSanitizer/, /WARNING: ThreadSanitizer/, /runtime error:/]) {
    if (pat.test(text)) out.push(`sanitizer report in hatd's log (${pat.source})`);
  }
  for (const m of text.matchAll(/ info (GET|POST|PUT|PATCH|DELETE|\?) (\S+) (\d{3}) /g)) {
    const st = Number(m[3]);
    if (st >= 500 && !allowed5xx.has(st)) out.push(`unexpected ${st}: ${m[1]} ${m[2]}`);
  }
  return out;
}

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
    this.allowed5xx = new Set();
    this.exit = null; // { code, signal } once hatd has gone
  }

  async start() {
    const { hatctl, hatd, web } = this.args;
    const chromium = await loadChromium();
    await run(hatctl, ['init', '--db', this.db, '--clinic', 'Riverside HAT Clinic', '--admin', 'admin', '--password', 'demo-admin-pass']);
    await run(hatctl, ['demo', '--db', this.db], { maxBuffer: 16 << 20 });
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(hatd, ['--db', this.db, '--listen', `127.0.0.1:${this.port}`, '--web', web], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((res) => this.proc.once('exit', (code, signal) => { this.exit = { code, signal }; res(); }));
    let up = false;
    for (let i = 0; i < 150 && !up && !this.exit; i++) {
      try {
        const r = await fetch(`${this.base}/api/v1/health`);
        up = r.ok;
      } catch (e) { /* not up yet */ }
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error(`hatd did not answer /api/v1/health${this.exit ? ` (it exited: ${JSON.stringify(this.exit)})` : ' in 15 s'}`);
    // The demo's history ends yesterday: today's morning session is open.
    this.today = londonToday();
    await this.setClock(londonInstant(this.today, '09:00'));
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    // A login checks a password hash (Argon2id), seconds on a loaded 2-core CI machine.
    await page.locator('#who').getByRole('button', { name: 'Log out' }).waitFor({ timeout: 30000 });
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
    const s = await r.json().catch(() => null);
    if (r.status !== 201 || !s || !s.token) throw new Error(`${username} cannot log in: ${r.status} ${JSON.stringify(s)}`);
    // A GET is a read for setting or checking the scene: one that is not
    // answered 2xx fails the step, so that nothing reads an error body as
    // an empty list.  Changes return their status for the test to check.
    const call = async (method, path, body) => {
      const res = await fetch(`${this.base}/api/v1${path}`, {
        method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (method === 'GET' && (res.status < 200 || res.status > 299)) throw new Error(`GET ${path} as ${username}: ${res.status} ${text.slice(0, 400)}`);
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    return call;
  }

  /** Stops the browser and hatd; returns what went wrong with hatd (its
   *  exit and its log), empty when all is well. */
  async stop() {
    const problems = [];
    if (this.browser) await this.browser.close().catch(() => {});
    if (this.proc) {
      if (!this.exit) {
        this.proc.kill('SIGTERM');
        await Promise.race([this.exited, new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS))]);
      }
      if (!this.exit) {
        this.proc.kill('SIGKILL');
        await this.exited;
        problems.push(`hatd did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; killed`);
      } else if (this.exit.code !== 0) {
        problems.push(`hatd exited with ${JSON.stringify(this.exit)}, not 0`);
      }
      problems.push(...logProblems(this.stderr, this.allowed5xx));
    }
    rmSync(this.dir, { recursive: true, force: true });
    return problems;
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
      const before = checksMade;
      try {
        await fn(clinic);
        // A step that checked nothing proves nothing.
        if (checksMade === before) throw new Error('the step made no check (no expect)');
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
    const problems = await clinic.stop().catch((e) => [`stopping: ${e && e.stack ? e.stack : e}`]);
    for (const p of problems) {
      failed += 1;
      console.log(`FAIL hatd: ${p}`);
    }
    if (!problems.length && clinic.proc) {
      passed += 1;
      console.log('ok   hatd exited 0, its log clean');
    }
    if (failed && clinic.stderr) console.log(`hatd stderr:\n${clinic.stderr.slice(-4000)}`);
  }
  if (passed + failed === 0) {
    failed += 1;
    console.log('FAIL the test ran no steps');
  }
  console.log(`(${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

export function expect(cond, message) {
  checksMade += 1;
  if (!cond) throw new Error(message);
}

export function noConsoleErrors(page) {
  // A refused request logs a network error in the console; those are the
  // refusals the test provokes on purpose, not faults of the page.
  const errs = page.consoleErrors.filter((e) => !/Failed to load resource/.test(e));
  expect(errs.length === 0, `console errors: ${errs.join(' | ')}`);
}
