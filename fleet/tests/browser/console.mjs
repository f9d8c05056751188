#!/usr/bin/env node
// End-to-end test of the fleet console in headless Chromium (Debian's), driven by
// Playwright. It makes its own data folder with the fleet binary's CLI, starts
// `fleet serve` over HTTPS (self-signed), enrols kiosks and sends their reports through
// the kiosks' API, then walks every console page as an IT person would, and takes a
// full-page screenshot of each.
//
//   node console.mjs --fleet PATH/TO/fleet --out SCREENSHOT_DIR [--content CONTENT_DIR] [--keep]
//
// Exits 0 when every check passed, 1 on the first failed check (with the server's log),
// 2 on bad arguments. Every wait is bounded.

import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const WHOLE_RUN_MS = 240_000;
const LISTEN_WAIT_MS = 20_000;
const CLI_TIMEOUT_MS = 30_000;
const API_TIMEOUT_MS = 15_000;
const PAGE_TIMEOUT_MS = 10_000;
const VIEWPORT = { width: 1366, height: 900 };

// ---------------------------------------------------------------- arguments

function usage(message) {
  console.error(`console.mjs: ${message}`);
  console.error('usage: node console.mjs --fleet PATH/TO/fleet --out SCREENSHOT_DIR [--content CONTENT_DIR] [--keep]');
  process.exit(2);
}

function parseArgs(argv) {
  const args = { content: path.resolve(HERE, '../../../content'), keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--fleet') args.fleet = path.resolve(value());
    else if (a === '--out') args.out = path.resolve(value());
    else if (a === '--content') args.content = path.resolve(value());
    else if (a === '--keep') args.keep = true;
    else if (a === '--help' || a === '-h') usage('help');
    else usage(`unknown argument ${a}`);
  }
  if (!args.fleet) usage('--fleet is required');
  if (!args.out) usage('--out is required');
  try {
    fs.accessSync(args.fleet, fs.constants.X_OK);
  } catch {
    usage(`${args.fleet} is not an executable file`);
  }
  if (!fs.existsSync(path.join(args.content, 'procedures'))) usage(`${args.content} has no procedures/ folder`);
  if (!fs.existsSync(CHROMIUM)) usage(`${CHROMIUM} is missing: apt-get install chromium`);
  return args;
}

const args = parseArgs(process.argv.slice(2));
fs.mkdirSync(args.out, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-console-'));
const data = path.join(work, 'data');
const started = Date.now();

// ---------------------------------------------------------------- reporting

class CheckFailed extends Error {}

function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

function eq(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const log = (...m) => console.log(...m);
const passed = [];
/// Problems of the console that do not stop the walk: each fails the run at the end.
const problems = [];

function soft(condition, message) {
  if (!condition) {
    problems.push(message);
    console.error(`  PROBLEM: ${message}`);
  }
}

// ---------------------------------------------------------------- the fleet binary

function cli(cliArgs, input = '') {
  const r = spawnSync(args.fleet, ['--data', data, ...cliArgs], {
    input,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  if (r.error) throw new CheckFailed(`fleet ${cliArgs.join(' ')}: ${r.error.message}`);
  check(r.status === 0, `fleet ${cliArgs.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

let server = null;
const serverLog = [];

function startServer(port) {
  server = spawn(args.fleet, ['--data', data, 'serve', '--listen', `127.0.0.1:${port}`, '--self-signed', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'info' },
  });
  for (const stream of [server.stdout, server.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      serverLog.push(...lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')));
    });
  }
  server.exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  server.kill('SIGTERM');
  const done = await Promise.race([server.exited, sleep(5000).then(() => null)]);
  if (!done) {
    server.kill('SIGKILL');
    await Promise.race([server.exited, sleep(2000)]);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/// Polls the port until it accepts a connection, for at most `bound` ms.
async function waitForListen(port, bound) {
  const deadline = Date.now() + bound;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new CheckFailed(`fleet serve exited (${server.exitCode}) before listening`);
    const ok = await new Promise((resolve) => {
      const c = net.connect({ host: '127.0.0.1', port });
      c.setTimeout(500);
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
      c.once('timeout', () => {
        c.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(100);
  }
  throw new CheckFailed(`fleet serve did not listen on 127.0.0.1:${port} within ${bound / 1000} s`);
}

// ---------------------------------------------------------------- the kiosks' API

let base = '';
let ca = null;

/// One HTTPS request that trusts only the server's own self-signed certificate.
function request(method, urlPath, { body, token, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = https.request(
      `${base}${urlPath}`,
      {
        method,
        ca,
        timeout: API_TIMEOUT_MS,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode, headers: res.headers, raw, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${API_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function enrol(code) {
  const r = await request('POST', '/api/v1/enrol', { body: { code, agent_version: '0.1.0' } });
  check(r.status === 200, `enrolment with ${code}: HTTP ${r.status} ${r.text}`);
  return { id: r.json.kiosk_id, token: r.json.token, site: r.json.site, key: r.json.signing_key, seq: 0 };
}

async function report(kiosk, { samples = [], usage = [], acks = [] } = {}) {
  kiosk.seq += 1;
  const r = await request('POST', '/api/v1/report', {
    token: kiosk.token,
    body: { seq: kiosk.seq, agent_version: '0.1.0', samples, summaries: [], usage, acks },
  });
  check(r.status === 200, `report ${kiosk.seq} of ${kiosk.id}: HTTP ${r.status} ${r.text}`);
  eq(r.json.accepted_seq, kiosk.seq, `accepted_seq of ${kiosk.id}`);
  return r.json;
}

// ---------------------------------------------------------------- what the kiosks say

const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;
const STEP = 600; // a sample every 10 minutes
const day = (unix) => new Date(unix * 1000).toISOString().slice(0, 10);
const monthsBack = (n, dayOfMonth) => {
  const d = new Date();
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, dayOfMonth));
  return m.toISOString().slice(0, 10);
};
const TODAY = day(NOW);
// Three months of usage: two months back, last month, this month (the 1st, and today).
const USAGE_DAYS = [monthsBack(2, 14), monthsBack(1, 3), monthsBack(0, 1)];

/// A health sample at `t` for a kiosk of `kind`, its values drifting over the week.
function sample(kind, t) {
  const age = NOW - t; // seconds before now
  const hours = t / 3600;
  const printer = { device: 'printer', state: 'ready', simulated: false, warnings: [], supplies: [{ kind: 'toner', color: 'black', level: 62 }] };
  const s = {
    taken_at: t,
    uptime_s: 3600 + ((t - (NOW - 7 * DAY)) % (3 * DAY)),
    in_session: Math.floor(hours) % 3 === 0,
    kiosk: { alive: true, screen: 'attract', last_touch_s: 120 + (t % 900), screen_on: true },
    devices: [printer, { device: 'scanner', state: 'ready', simulated: false }, { device: 'gpio', state: 'ready', simulated: false }],
    disk: { free_bytes: Math.round(21_000_000_000 - (7 * DAY - age) * 4000), total_bytes: 31_914_983_424 },
    memory: { free_bytes: 2_200_000_000 + Math.round(300_000_000 * Math.sin(hours / 5)), total_bytes: 3_977_000_000 },
    temperature_c: Math.round((50 + 6 * Math.sin((hours * Math.PI) / 12)) * 10) / 10,
    power: { undervoltage_now: false, throttled_now: false, undervoltage_since_boot: false, throttled_since_boot: false },
    network: { route: true, interface: kind === 'site_unreachable' ? 'wlan0' : 'eth0' },
    sites: [
      { url: 'https://www.caf.fr', reachable: true, latency_ms: 40 + (t % 30) },
      { url: 'https://ants.gouv.fr', reachable: true, latency_ms: 60 + (t % 40) },
    ],
  };
  if (kind === 'paper_out' && age < 10 * 3600) printer.state = 'media_empty';
  if (kind === 'toner_low') {
    printer.supplies[0].level = Math.max(4, Math.round(4 + (26 * age) / (7 * DAY)));
    if (printer.supplies[0].level <= 10) printer.warnings = ['toner_low'];
  }
  if (kind === 'ui_down' && age < 2 * 3600) {
    s.kiosk = { alive: false, screen_on: true };
    s.in_session = false;
  }
  if (kind === 'site_unreachable' && age < 5 * 3600) {
    s.sites[1] = { url: 'https://ants.gouv.fr', reachable: false, error: 'timeout' };
  }
  return s;
}

/// Samples from `from` to `to` seconds before now, every STEP, skipping a night offline.
function samples(kind, fromAgo, toAgo) {
  const out = [];
  for (let t = NOW - fromAgo; t <= NOW - toAgo; t += STEP) {
    // Every kiosk lost its network for eight hours four days ago: the lines break there.
    const age = NOW - t;
    if (age < 4 * DAY && age > 4 * DAY - 8 * 3600) continue;
    out.push(sample(kind, t));
  }
  return out;
}

/// One day's counters for a kiosk, scaled by `n` (a busier site counts more).
function counters(n, month) {
  const c = {
    sessions_started: 20 * n + month,
    sessions_completed: 14 * n,
    sessions_abandoned: 6 * n + month,
    mediator_calls: 3 * n,
    mediator_openings: 2 * n,
    prints: 9 * n,
    pages_printed: 17 * n,
    pages_scanned: 11 * n,
    'procedure_started/caf-prime-activite': 8 * n,
    'procedure_completed/caf-prime-activite': 5 * n,
    'abandoned/caf-prime-activite/revenus': 2 * n,
    'abandoned/caf-prime-activite/situation-familiale': n,
    'procedure_started/ants-pre-demande-identite': 6 * n + month,
    'procedure_completed/ants-pre-demande-identite': 2 * n,
    'abandoned/ants-pre-demande-identite/preparer': 3 * n,
    'procedure_started/ameli-attestation-droits': 4 * n,
    'procedure_completed/ameli-attestation-droits': 4 * n,
    'language/fr': 15 * n,
    'language/ar': 3 * n,
    'language/tr': n + month,
  };
  return c;
}

// ---------------------------------------------------------------- the browser

let browser = null;
let page = null;

const shots = [];

async function shot(name) {
  const file = path.join(args.out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, timeout: PAGE_TIMEOUT_MS });
  shots.push(file);
}

async function go(urlPath, expectStatus = 200) {
  const r = await page.goto(`${base}${urlPath}`, { waitUntil: 'load' });
  check(r, `no answer for ${urlPath}`);
  eq(r.status(), expectStatus, `HTTP status of GET ${urlPath}`);
  return r;
}

async function text(selector) {
  const l = page.locator(selector);
  const n = await l.count();
  check(n > 0, `${page.url()}: nothing matches ${selector}`);
  return (await l.first().innerText()).trim();
}

async function notice(kind) {
  return text(`p.notice.${kind}`);
}

/// Submits the form that holds the button named `label`, and waits for the page after it.
async function submit(label, scope = page) {
  const button = scope.getByRole('button', { name: label, exact: true });
  const n = await button.count();
  check(n === 1, `${page.url()}: ${n} buttons named « ${label} »`);
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
  return response;
}

async function signIn(name, password) {
  await go('/login');
  await page.fill('#name', name);
  await page.fill('#password', password);
  return submit('Se connecter');
}

async function signOut() {
  await submit('Se déconnecter');
  check(new URL(page.url()).pathname === '/login', `signing out leads to ${page.url()}`);
}

// ---------------------------------------------------------------- the run

const PASSWORDS = { admin: 'correct-horse-admin-42', lecteur: 'lecteur-du-parc-2026', accueil: 'agent-accueil-stains-7' };
const SITES = {
  denis: 'Mairie de Saint-Denis',
  auber: 'France Services Aubervilliers',
  pierre: 'Maison des habitants de Pierrefitte',
  stains: 'Médiathèque de Stains',
};
const fleet = {}; // kind → kiosk
/// How busy each reporting kiosk is: its counters are scaled by this.
const SCALE = { healthy: 3, paper_out: 2, toner_low: 2, ui_down: 1, site_unreachable: 1 };

async function run(step) {
  const t0 = Date.now();
  await step.fn();
  passed.push(step.name);
  log(`ok ${passed.length} - ${step.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

const steps = [
  {
    name: 'the CLI makes users and enrolment codes',
    fn: async () => {
      const out = cli(['user-add', 'admin', '--role', 'admin'], `${PASSWORDS.admin}\n`);
      check(out.includes('admin'), `user-add said: ${out}`);
      cli(['user-add', 'lecteur', '--role', 'viewer'], `${PASSWORDS.lecteur}\n`);
      const short = spawnSync(args.fleet, ['--data', data, 'user-add', 'court'], { input: 'trop-court\n', encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
      check(short.status !== 0, 'user-add took an 11-character password');
      const plan = [
        ['healthy', SITES.denis],
        ['paper_out', SITES.denis],
        ['never', SITES.denis],
        ['toner_low', SITES.auber],
        ['ui_down', SITES.auber],
        ['site_unreachable', SITES.pierre],
      ];
      for (const [kind, site] of plan) {
        const code = cli(['code', '--site', site]);
        check(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/.test(code), `fleet code printed ${JSON.stringify(code)}`);
        fleet[kind] = { kind, code, site };
      }
    },
  },
  {
    name: 'fleet serve listens over HTTPS with its self-signed certificate',
    fn: async () => {
      const port = await freePort();
      startServer(port);
      await waitForListen(port, LISTEN_WAIT_MS);
      base = `https://127.0.0.1:${port}`;
      const pem = path.join(data, 'self-signed.pem');
      check(fs.existsSync(pem), `${pem} was not written`);
      ca = fs.readFileSync(pem);
      const r = await request('GET', '/login');
      eq(r.status, 200, 'GET /login over HTTPS, trusting self-signed.pem');
    },
  },
  {
    name: 'kiosks enrol and report through the API',
    fn: async () => {
      const bad = await request('POST', '/api/v1/enrol', { body: { code: 'AAAA-BBBB-CCCC' } });
      eq(bad.status, 403, 'enrolment with an unknown code');
      for (const k of Object.values(fleet)) Object.assign(k, await enrol(k.code));
      for (const k of Object.values(fleet)) eq(k.site, fleet[k.kind].site, `site given to ${k.kind}`);
      for (const k of Object.values(fleet)) {
        if (k.kind === 'never') continue;
        const n = SCALE[k.kind];
        // Three reports, each with two days of samples and one month's counters.
        await report(k, { samples: samples(k.kind, 7 * DAY, 5 * DAY), usage: [{ day: USAGE_DAYS[0], counters: counters(n, 1) }] });
        await report(k, { samples: samples(k.kind, 5 * DAY - STEP, 2 * DAY), usage: [{ day: USAGE_DAYS[1], counters: counters(n, 2) }] });
        const usage = [{ day: USAGE_DAYS[2], counters: counters(n, 3) }];
        if (TODAY !== USAGE_DAYS[2]) usage.push({ day: TODAY, counters: { sessions_started: 4 * n, mediator_calls: n } });
        await report(k, { samples: samples(k.kind, 2 * DAY - STEP, 60), usage });
      }
      const replay = await request('POST', '/api/v1/report', { token: fleet.healthy.token, body: { seq: 1 } });
      eq(replay.status, 409, 'a replayed report');
      eq(replay.json && replay.json.last_seq, 3, 'last_seq in the 409 answer');
      const anonymous = await request('POST', '/api/v1/report', { token: 'not-a-token', body: { seq: 9 } });
      eq(anonymous.status, 401, 'a report with an unknown token');
    },
  },
  {
    name: 'Chromium starts',
    fn: async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        timeout: 30_000,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const context = await browser.newContext({
        ignoreHTTPSErrors: true,
        viewport: VIEWPORT,
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
        acceptDownloads: true,
        javaScriptEnabled: false, // the console promises to work without it
      });
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(PAGE_TIMEOUT_MS);
      page = await context.newPage();
      // Pages answer 401 and 403 on purpose; anything else the browser complains of is shown.
      page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && log(`  browser console: ${m.text()}`));
    },
  },
  {
    name: 'sign-in: anonymous pages lead to it, a wrong password is refused, the admin gets in',
    fn: async () => {
      const r = await page.goto(`${base}/alerts`);
      eq(new URL(page.url()).pathname, '/login', 'where /alerts leads when signed out');
      eq(r.status(), 200, 'status of the sign-in page');
      const wrong = await signIn('admin', 'pas-le-bon-mot-de-passe');
      eq(wrong.status(), 401, 'status after a wrong password');
      eq(await notice('bad'), 'Identifiant ou mot de passe incorrect.', 'error after a wrong password');
      check((await page.locator('nav').count()) === 0, 'the navigation shows to someone signed out');
      await shot('01-connexion-erreur');
      await signIn('admin', PASSWORDS.admin);
      eq(new URL(page.url()).pathname, '/', 'where signing in leads');
      eq(await text('h1'), 'Bornes', 'title of the overview');
      eq(await text('header .who span'), 'admin (administrateur)', 'who is signed in');
      const [cookie] = await page.context().cookies(base);
      check(cookie && cookie.name === 'guichet_session', 'no session cookie');
      check(cookie.httpOnly && cookie.secure && cookie.sameSite === 'Strict', `session cookie: ${JSON.stringify(cookie)}`);
    },
  },
  {
    name: 'overview: a tile per kiosk, grouped by site, in the right state, legend counts',
    fn: async () => {
      await go('/');
      const expected = { healthy: 'ok', paper_out: 'unusable', never: 'never_seen', toner_low: 'warning', ui_down: 'unusable', site_unreachable: 'warning' };
      const sections = await page.locator('section.site').evaluateAll((ss) =>
        ss.map((s) => ({
          title: s.querySelector('h2').innerText.trim(),
          tiles: [...s.querySelectorAll('a.tile')].map((a) => ({ href: a.getAttribute('href'), state: a.dataset.state, words: a.innerText, name: a.querySelector('strong').innerText.trim() })),
        })),
      );
      eq(sections.map((s) => s.title).join(' | '), `${SITES.auber} (2) | ${SITES.denis} (3) | ${SITES.pierre} (1)`, 'sites on the overview');
      for (const k of Object.values(fleet)) {
        const found = sections.flatMap((s) => s.tiles.filter((t) => t.href === `/kiosks/${k.id}`).map((t) => ({ ...t, site: s.title })));
        eq(found.length, 1, `tiles of ${k.kind} (${k.id})`);
        const [tile] = found;
        check(tile.site.startsWith(`${k.site} (`), `the ${k.kind} tile is under « ${tile.site} », not « ${k.site} »`);
        eq(tile.state, expected[k.kind], `data-state of ${k.kind}`);
        if (k.kind === 'never') check(tile.words.includes('Jamais vue'), `the never-seen tile says ${JSON.stringify(tile.words)}`);
        else check(/Vue (à l'instant|il y a \d+ min)/.test(tile.words), `the ${k.kind} tile says ${JSON.stringify(tile.words)}`);
        k.name = tile.name;
      }
      check((await text(`a.tile[href="/kiosks/${fleet.paper_out.id}"]`)).includes('Plus de papier'), 'the paper-out tile names its alert');
      eq(await page.locator('a.tile').count(), 6, 'number of tiles');
      const legend = { ok: 'En service : 1', warning: 'À surveiller : 2', unusable: 'Inutilisable : 2', offline: 'Hors ligne : 0', never_seen: 'Jamais vue : 1' };
      for (const [state, words] of Object.entries(legend)) eq(await text(`.legend .badge.${state}`), words, `legend for ${state}`);
      // Worst first within a site.
      const order = sections.find((s) => s.title.startsWith(SITES.denis)).tiles.map((t) => t.state);
      eq(order.join(','), 'unusable,ok,never_seen', `order of the tiles of ${SITES.denis}`);
      await shot('02-bornes');
    },
  },
  {
    name: 'alerts: one row per problem with its advice',
    fn: async () => {
      await go('/alerts');
      const want = {
        paper_out: [fleet.paper_out, "Appeler l'accueil du site pour remettre du papier."],
        toner_low: [fleet.toner_low, 'Commander une cartouche de toner.'],
        ui_down: [fleet.ui_down, 'Redémarrer la borne à distance ; si cela recommence, prévoir une intervention.'],
        site_unreachable: [fleet.site_unreachable, 'Un site public ne répond pas depuis la borne : réseau du site ou site en panne.'],
      };
      for (const [code, [k, advice]] of Object.entries(want)) {
        const row = page.locator(`tr[data-alert="${code}"]`);
        eq(await row.count(), 1, `rows with data-alert=${code}`);
        const cells = await row.locator('td').allInnerTexts();
        eq(cells[0], k.name, `kiosk of the ${code} alert`);
        eq(cells[1], k.site, `site of the ${code} alert`);
        eq(cells[4], advice, `advice of the ${code} alert`);
      }
      check((await text('tr[data-alert="toner_low"]')).includes('4 %'), 'the toner alert gives the level');
      check((await text('tr[data-alert="site_unreachable"]')).includes('https://ants.gouv.fr'), 'the site alert names the site');
      eq(await page.locator('tr[data-alert]').count(), 4, 'number of alerts');
      const first = await page.locator('tr[data-alert]').evaluateAll((rows) => rows.map((r) => r.dataset.alert));
      check(first.indexOf('toner_low') > first.indexOf('paper_out') && first.indexOf('toner_low') > first.indexOf('ui_down'), `blocking alerts come first: ${first}`);
      await shot('03-alertes');
    },
  },
  {
    name: 'a kiosk page: state, four charts, commands sent and acknowledged',
    fn: async () => {
      const k = fleet.ui_down;
      await go(`/kiosks/${k.id}`);
      eq(await text('h1'), k.name, 'title of the kiosk page');
      check((await text('main > p')).includes(k.site), 'the kiosk page names its site');
      check((await text('main table')).includes('ne répond pas'), 'the state table says the screen does not answer');
      const charts = page.locator('svg.chart');
      eq(await charts.count(), 4, 'charts on the kiosk page');
      for (const title of ['Disque libre', 'Imprimante prête (1 = oui, 0 = non)', 'Écran tactile qui répond (1 = oui, 0 = non)', 'Température du processeur']) {
        eq(await page.locator(`figcaption:text-is("${title}")`).count(), 1, `a visible caption « ${title} »`);
        const svg = page.locator(`svg.chart[aria-label="${title}"]`);
        eq(await svg.count(), 1, `chart « ${title} »`);
        const d = await svg.locator('path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d')));
        // The night offline four days ago breaks each line in two.
        eq(d.length, 2, `line pieces in « ${title} »`);
        check(d.every((x) => (x.match(/L/g) || []).length > 50), `« ${title} » draws lines`);
      }
      await submit('Redémarrer la borne');
      check(/^Commande n° \d+ envoyée avec la réponse au prochain rapport de la borne\.$/.test(await notice('good')), 'notice after a reboot');
      check(new URL(page.url()).pathname === `/kiosks/${k.id}`, `after a command the browser is back on the kiosk's page: ${page.url()}`);
      await go(`/kiosks/${k.id}`);
      const message = 'Borne en maintenance jeudi matin. Merci de votre patience.';
      await page.fill('#fr', message);
      await page.fill('#hours', '48');
      await submit('Envoyer le message');
      check((await notice('good')).startsWith('Commande n°'), 'notice after a message');
      const rows = page.locator('table:has(th:text-is("N°")) tr:has(td)');
      eq(await rows.count(), 2, 'commands in the table');
      const cmds = [];
      for (const cells of await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())))) {
        cmds.push(cells);
        eq(cells[2], 'admin', 'who sent the command');
        eq(cells[4], 'en attente du prochain rapport', `result of command ${cells[0]}`);
      }
      const reboot = cmds.find((c) => c[1] === 'Redémarrer');
      const msg = cmds.find((c) => c[1] === `Message : « ${message} »`);
      check(reboot && msg, `the commands table shows ${JSON.stringify(cmds)}`);
      // The kiosk's next report acknowledges the reboot; the message is still due.
      const answer = await report(k, { acks: [{ id: Number(reboot[0]), ok: true, detail: 'redémarrage programmé' }] });
      const due = answer.commands.map((c) => `${c.id}:${c.action}`);
      eq(due.join(','), `${msg[0]}:message`, 'commands in the answer to the report that acked the reboot');
      const m = answer.commands[0];
      eq(m.texts && m.texts.fr, message, 'the message text sent to the kiosk');
      check(Math.abs(m.until - (NOW + 48 * 3600)) < 600, `the message is shown 48 h: until=${m.until}`);
      await go(`/kiosks/${k.id}`);
      const after = await page.locator(`table:has(th:text-is("N°")) tr:has(td:text-is("${reboot[0]}")) td`).allInnerTexts();
      check(/^✔ redémarrage programmé \(à l'instant\)$/.test(after[4]), `result of the acked reboot: ${JSON.stringify(after[4])}`);
      await shot('04-borne');
      // Rename it: the apostrophe must survive.
      await page.fill('#name', "Borne du hall d'accueil");
      await submit('Enregistrer');
      eq(await text('h1'), "Borne du hall d'accueil", 'title after renaming');
      k.name = "Borne du hall d'accueil";
      // A kiosk that never reported.
      await go(`/kiosks/${fleet.never.id}`);
      eq(await text('main .badge'), 'Jamais vue', 'state of the kiosk that never reported');
      await shot('10-borne-jamais-vue');
    },
  },
  {
    name: 'enrolment: a code shown once, good once, refused the second time',
    fn: async () => {
      await go('/enrolment');
      await page.fill('#site', SITES.stains);
      await submit('Créer le code');
      eq(await notice('good'), 'Code créé. Il ne sera plus affiché : notez-le maintenant.', 'notice after making a code');
      const code = await page.locator('p.code[data-code]').getAttribute('data-code');
      check(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/.test(code || ''), `the code shown: ${code}`);
      eq(await text('p.code'), code, 'the code as read on the page');
      check((await text('main pre')).includes(`enrolment_code = "${code}"`), 'the agent.toml excerpt holds the code');
      check((await text('main pre')).includes(fleet.healthy.key), 'the agent.toml excerpt holds the signing key');
      await shot('05-enrolement-code');
      const k = await enrol(code.toLowerCase().replaceAll('-', ' '));
      eq(k.site, SITES.stains, 'site of the kiosk enrolled with the new code');
      fleet.stains = { ...k, kind: 'stains', code };
      const again = await request('POST', '/api/v1/enrol', { body: { code } });
      eq(again.status, 403, 'enrolment with a code used already');
      await go('/enrolment');
      eq(await page.locator('p.code').count(), 0, 'codes shown on a reload');
      const row = await text(`tr:has(td:text-is("${code.slice(0, 4)}…"))`);
      const usedBy = page.locator(`tr:has(td:text-is("${code.slice(0, 4)}…")) a[href="/kiosks/${k.id}"]`);
      check(row.includes('utilisé par ') && (await usedBy.count()) === 1, `the used code's row names and links its kiosk: ${row}`);
    },
  },
  {
    name: 'rollout: a bundle uploaded, deployed to a site; garbage refused; settings sent',
    fn: async () => {
      const tar = path.join(work, 'contenu.tar');
      const packed = spawnSync(args.fleet, ['bundle', '--content', args.content, '--out', tar], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
      check(packed.status === 0, `fleet bundle: ${packed.stderr}`);
      const files = Number((packed.stdout.match(/^(\d+) files packed/) || [])[1]);
      check(files > 0, `fleet bundle said ${packed.stdout}`);
      await go('/rollout');
      eq(await page.locator('#bundle_id').count(), 0, 'the deploy form shows before any bundle');
      const version = '2026-12 mise à jour CAF';
      await page.fill('#version', version);
      await page.setInputFiles('#bundle', tar);
      await submit('Vérifier et signer');
      eq(await notice('good'), `Version « ${version} » vérifiée et signée : ${files} fichiers.`, 'notice after a good bundle');
      // Deploy it to Saint-Denis: three kiosks there.
      const deploy = page.locator('form[action="/rollout/content"]');
      await deploy.locator('select[name=site]').selectOption(SITES.denis);
      await submit('Déployer', deploy);
      eq(await notice('good'), `Version « ${version} » envoyée à 3 borne(s).`, 'notice after deploying');
      // What a kiosk there gets with its next report: the signed manifest and the tar.
      const answer = await report(fleet.healthy);
      const content = answer.commands.find((c) => c.action === 'content');
      check(content, `no content command for ${fleet.healthy.id}: ${JSON.stringify(answer.commands)}`);
      const manifest = verified(content.signed, fleet.healthy.key, 'content manifest');
      eq(manifest.version, version, 'version in the manifest');
      eq(manifest.files.length, files, 'files in the manifest');
      const download = await request('GET', content.url, { token: fleet.healthy.token });
      eq(download.status, 200, `GET ${content.url} with the kiosk's token`);
      check(download.raw.length > 1024 && download.raw.length % 512 === 0, `the bundle downloaded is ${download.raw.length} bytes`);
      const first = manifest.files[0];
      const inside = tarFile(download.raw, first.path);
      check(inside, `${first.path} is not in the downloaded tar`);
      eq(crypto.createHash('sha256').update(inside).digest('hex'), first.sha256, `sha256 of ${first.path}`);
      eq((await request('GET', content.url)).status, 401, 'a bundle download without a token');
      const toner = await report(fleet.toner_low);
      check(!toner.commands.some((c) => c.action === 'content'), 'a kiosk of another site got the content');
      // Garbage.
      const junk = path.join(work, 'pas-un-paquet.tar');
      fs.writeFileSync(junk, 'Ceci n’est pas une archive tar.\n'.repeat(40));
      await page.fill('#version', 'essai');
      await page.setInputFiles('#bundle', junk);
      await submit('Vérifier et signer');
      check((await notice('bad')).startsWith('Paquet refusé'), `notice after garbage: ${await notice('bad')}`);
      eq(await page.locator('#bundle_id option').count(), 1, 'versions after a refused upload');
      await shot('06-deploiement-refus');
      // Settings: a page limit for Aubervilliers (two kiosks).
      const settings = page.locator('form[action="/rollout/settings"]');
      await settings.locator('select[name=site]').selectOption(SITES.auber);
      await submit('Signer et envoyer', settings);
      eq(await notice('bad'), 'Aucun réglage à envoyer : tous les champs sont vides.', 'notice after empty settings');
      await settings.locator('select[name=site]').selectOption(SITES.auber);
      await page.fill('#print_limit', '20');
      await page.fill('#sites', 'https://www.caf.fr\nhttps://ants.gouv.fr\n');
      await submit('Signer et envoyer', settings);
      eq(await notice('good'), 'Réglages signés envoyés à 2 borne(s).', 'notice after settings');
      const got = await report(fleet.toner_low);
      const s = got.commands.find((c) => c.action === 'settings');
      check(s, `no settings command for ${fleet.toner_low.id}: ${JSON.stringify(got.commands)}`);
      const doc = verified(s.signed, fleet.toner_low.key, 'settings document');
      eq(doc.settings.print_page_limit, 20, 'print_page_limit sent');
      eq(JSON.stringify(doc.settings.health_sites), '["https://www.caf.fr","https://ants.gouv.fr"]', 'health_sites sent');
      check(!('mediator_pin_hash' in doc.settings), 'an empty PIN field sent a PIN');
      await shot('06-deploiement');
    },
  },
  {
    name: 'statistics: months, procedures with their rate, giving up, languages, CSV',
    fn: async () => {
      await go('/stats');
      eq(await text('h1'), 'Statistiques des besoins', 'title of the statistics');
      // What the reports said, summed as the page should.
      const sum = {};
      const byMonth = {};
      for (const n of Object.values(SCALE)) {
        USAGE_DAYS.forEach((d, i) => {
          const month = d.slice(0, 7);
          for (const [name, v] of Object.entries(counters(n, i + 1))) {
            sum[name] = (sum[name] || 0) + v;
            byMonth[month] ??= {};
            byMonth[month][name] = (byMonth[month][name] || 0) + v;
          }
        });
        if (TODAY !== USAGE_DAYS[2]) {
          const month = TODAY.slice(0, 7);
          sum.sessions_started += 4 * n;
          sum.mediator_calls += n;
          byMonth[month].sessions_started += 4 * n;
          byMonth[month].mediator_calls += n;
        }
      }
      const months = Object.keys(byMonth).sort();
      const monthRows = await page.locator('table:has(th:text-is("Mois")) tr:has(td)').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.innerText.trim())));
      // Every month of the range is listed, empty ones too, by its French name.
      const NAMES = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
      const monthName = (m) => `${NAMES[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`;
      for (const m of months) {
        const row = monthRows.find((r) => r[0] === monthName(m));
        check(row && Number(row[1]) === byMonth[m].sessions_started, `visits in ${monthName(m)}: ${JSON.stringify(row)}`);
      }
      check(monthRows.length >= months.length, `${monthRows.length} month rows for ${months.length} months with data`);
      const bars = page.locator('svg.chart[aria-label="Visites par mois"] rect');
      eq(await bars.count(), monthRows.length, 'a bar per month in « Visites par mois »');
      const pct = (part, whole) => `${Math.floor((100 * part + Math.floor(whole / 2)) / whole)} %`;
      for (const p of ['caf-prime-activite', 'ants-pre-demande-identite', 'ameli-attestation-droits']) {
        const cells = await page.locator(`tr[data-procedure="${p}"] td`).allInnerTexts();
        const [s, c] = [sum[`procedure_started/${p}`], sum[`procedure_completed/${p}`]];
        eq(cells.slice(1).join(' | '), `${s} | ${c} | ${pct(c, s)}`, `row of ${p}`);
      }
      const giving = page.locator('h3[data-giving-up="caf-prime-activite"] + table');
      const steps = await giving.locator('tr[data-step]').evaluateAll((trs) => trs.map((tr) => [tr.dataset.step, ...[...tr.cells].slice(1).map((c) => c.innerText.trim())]));
      eq(steps[0][0], 'revenus', 'the step people give up most at in caf-prime-activite');
      // Once a bundle is known, procedures are named by their titles, not their ids.
      const heading = await text('h3[data-giving-up="caf-prime-activite"]');
      check(heading !== 'caf-prime-activite' && heading.length > 0, `the procedure is named by its title: ${heading}`);
      eq(Number(steps[0][1]), sum['abandoned/caf-prime-activite/revenus'], 'abandons at revenus');
      const langs = await page.locator('tr[data-language]').evaluateAll((trs) => trs.map((tr) => [tr.dataset.language, ...[...tr.cells].slice(1).map((c) => c.innerText.trim())]));
      eq(langs[0][0], 'fr', 'French comes first');
      const ar = langs.find((r) => r[0] === 'ar');
      const langTotal = sum['language/fr'] + sum['language/ar'] + sum['language/tr'];
      check(ar && Number(ar[1]) === sum['language/ar'] && ar[2] === pct(sum['language/ar'], langTotal), `the Arabic row: ${JSON.stringify(ar)}`);
      await shot('07-statistiques');
      // The CSV, as a browser downloads it.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Exporter en CSV' }).click()]);
      const csvPath = path.join(work, download.suggestedFilename());
      await download.saveAs(csvPath);
      check(/^guichet-besoins-\d{4}-\d{2}-\d{4}-\d{2}\.csv$/.test(download.suggestedFilename()), `CSV file name ${download.suggestedFilename()}`);
      const raw = fs.readFileSync(csvPath, 'utf8');
      check(raw.startsWith('\uFEFF'), 'the CSV starts with a byte-order mark, for French spreadsheets');
      const lines = raw.replace(/^\uFEFF/, '').trim().split('\n');
      eq(lines[0], 'mois;site;compteur;valeur', 'CSV header');
      const m = USAGE_DAYS[1].slice(0, 7);
      const want = `${m};"tous";procedure_started/caf-prime-activite;${byMonth[m]['procedure_started/caf-prime-activite']}`;
      check(lines.includes(want), `the CSV has no line ${want}`);
      // One site only.
      await page.selectOption('#site', SITES.pierre);
      await submit('Afficher');
      const one = await page.locator('tr[data-procedure="caf-prime-activite"] td').allInnerTexts();
      eq(Number(one[1]), 8 * 3, `caf-prime-activite started at ${SITES.pierre}`);
    },
  },
  {
    name: 'users: an admin adds a viewer, who can read but not act',
    fn: async () => {
      await go('/users');
      await page.fill('#name', 'accueil-stains');
      await page.fill('#password', PASSWORDS.accueil);
      await submit('Créer le compte');
      eq(await notice('good'), 'Compte « accueil-stains » créé.', 'notice after adding a user');
      const rows = await page.locator('table tr:has(td)').allInnerTexts();
      check(rows.some((r) => r.startsWith('accueil-stains') && r.includes('lecture seule')), `users: ${JSON.stringify(rows)}`);
      await shot('08-utilisateurs');
      await signOut();
      await signIn('accueil-stains', PASSWORDS.accueil);
      eq(await text('header .who span'), 'accueil-stains (lecture seule)', 'the viewer signed in');
      const nav = await page.locator('nav a').allInnerTexts();
      eq(nav.join(','), 'Bornes,Alertes,Statistiques', "the viewer's navigation");
      const k = fleet.ui_down;
      await go(`/kiosks/${k.id}`);
      eq(await page.getByRole('button', { name: 'Redémarrer la borne' }).count(), 0, 'reboot buttons for a viewer');
      eq(await page.locator(`form[action="/kiosks/${k.id}/command"]`).count(), 0, 'command forms for a viewer');
      eq(await text('p.muted'), 'Votre compte est en lecture seule.', 'what a viewer reads instead of the commands');
      const before = await page.locator('table:has(th:text-is("N°")) tr:has(td)').count();
      await shot('09-borne-lecture');
      await go('/users', 403);
      eq(await notice('bad'), 'Seuls les administrateurs gèrent les comptes.', 'a viewer on /users');
      await shot('11-action-refusee');
      for (const p of ['/rollout', '/enrolment']) {
        const r = await page.goto(`${base}${p}`);
        const forms = await page.locator('form[method=post]:not(.who)').count();
        soft(r.status() === 403 || forms === 0, `a viewer gets ${forms} form(s) that change things on ${p} (HTTP ${r.status()})`);
        if (p === '/rollout') await shot('12-deploiement-lecture');
      }
      const forged = await page.request.post(`${base}/kiosks/${k.id}/command`, { form: { csrf: 'forged', action: 'reboot' }, maxRedirects: 0 });
      eq(forged.status(), 403, 'a forged command without the CSRF token');
      const csrf = await page.locator('form.who input[name=csrf]').getAttribute('value');
      const own = await page.request.post(`${base}/kiosks/${k.id}/command`, { form: { csrf, action: 'reboot' }, maxRedirects: 0 });
      eq(own.status(), 403, "a viewer's command with their own CSRF token");
      check((await own.text()).includes('pas la modifier'), 'the refusal says why');
      await go(`/kiosks/${k.id}`);
      eq(await page.locator('table:has(th:text-is("N°")) tr:has(td)').count(), before, 'commands after the refused ones');
      // The same forgery from an admin's session is refused too.
      await signOut();
      await signIn('admin', PASSWORDS.admin);
      const adminForged = await page.request.post(`${base}/kiosks/${k.id}/command`, { form: { csrf: 'forged', action: 'reboot' }, maxRedirects: 0 });
      eq(adminForged.status(), 403, "a forged command from an admin's session");
      await signOut();
      await signIn('lecteur', PASSWORDS.lecteur);
      eq(await text('header .who span'), 'lecteur (lecture seule)', 'the viewer made with the CLI signs in');
    },
  },
  {
    name: '/metrics: states, alerts, counters',
    fn: async () => {
      const r = await request('GET', '/metrics');
      eq(r.status, 200, 'GET /metrics');
      const want = [
        'guichet_fleet_kiosks{state="ok"} 1',
        'guichet_fleet_kiosks{state="warning"} 2',
        'guichet_fleet_kiosks{state="unusable"} 2',
        'guichet_fleet_kiosks{state="offline"} 0',
        'guichet_fleet_kiosks{state="never_seen"} 2',
        'guichet_fleet_alerts{kind="paper_out"} 1',
        'guichet_fleet_alerts{kind="toner_low"} 1',
        'guichet_fleet_alerts{kind="ui_down"} 1',
        'guichet_fleet_alerts{kind="site_unreachable"} 1',
        'guichet_fleet_enrolments_total 7',
        'guichet_fleet_enrolments_refused_total 2',
        'guichet_fleet_reports_total 19',
        'guichet_fleet_reports_refused_total{reason="replayed"} 1',
        // The unknown token (a bundle download without one is not a report).
        'guichet_fleet_reports_refused_total{reason="unauthorized"} 1',
        `guichet_fleet_kiosk_supply_level_percent{kiosk="${fleet.toner_low.id}",site="${SITES.auber}",kind="toner",color="black"} 4`,
        `guichet_fleet_kiosk_ui_alive{kiosk="${fleet.ui_down.id}",site="${SITES.auber}"} 0`,
        `guichet_fleet_sessions_today{site="${SITES.denis}"} ${TODAY === USAGE_DAYS[2] ? 20 * 5 + 3 * 2 : 4 * 5}`,
        '# EOF',
      ];
      const lines = r.text.split('\n');
      if (args.keep) fs.writeFileSync(path.join(work, 'metrics.txt'), r.text);
      for (const w of want) check(lines.includes(w), `/metrics has no line ${w}`);
      // Pending: the message (1), the content to Saint-Denis (3), settings to Aubervilliers (2).
      check(lines.includes('guichet_fleet_commands_pending 6'), `pending commands: ${lines.find((l) => l.startsWith('guichet_fleet_commands_pending'))}`);
    },
  },
  {
    name: 'every form field has a label (soft)',
    fn: async () => {
      await signOut();
      await signIn('admin', PASSWORDS.admin);
      for (const p of ['/login', '/', '/alerts', `/kiosks/${fleet.ui_down.id}`, '/rollout', '/enrolment', '/stats', '/users']) {
        if (p === '/login') {
          await page.context().clearCookies();
          await go('/login');
        } else {
          await go(p);
        }
        const bare = await page.locator('input:not([type=hidden]), select, textarea').evaluateAll((els) =>
          els.filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => `${e.tagName.toLowerCase()}[name=${e.name}]`),
        );
        soft(bare.length === 0, `${p}: form fields without a label: ${bare.join(', ')}`);
        eq(await page.locator('html').getAttribute('lang'), 'fr', `lang of ${p}`);
        if (p === '/login') await signIn('admin', PASSWORDS.admin);
      }
    },
  },
  {
    name: 'reloading the page after an action does not do it again (soft)',
    fn: async () => {
      const k = fleet.never;
      const rows = async () => {
        await go(`/kiosks/${k.id}`);
        return page.locator('table:has(th:text-is("N°")) tr:has(td)').count();
      };
      const before = await rows();
      await page.fill('#fr', 'Fermé pour travaux.');
      await submit('Envoyer le message');
      const url = new URL(page.url()).pathname;
      await page.reload({ waitUntil: 'load' });
      const after = await rows();
      soft(after === before + 1, `reloading ${url} after « Envoyer le message » queued ${after - before} commands instead of 1`);
      const pending = async () => {
        const m = await request('GET', '/metrics');
        return Number((m.text.match(/^guichet_fleet_commands_pending (\d+)$/m) || [])[1]);
      };
      const p0 = await pending();
      await go('/rollout');
      const deploy = page.locator('form[action="/rollout/content"]');
      await deploy.locator('select[name=site]').selectOption(SITES.pierre);
      await submit('Déployer', deploy);
      await page.reload({ waitUntil: 'load' });
      const p1 = await pending();
      soft(p1 === p0 + 1, `reloading /rollout/content after « Déployer » to a one-kiosk site queued ${p1 - p0} commands instead of 1`);
    },
  },
  {
    name: 'the server logged no error and no panic',
    fn: async () => {
      const bad = serverLog.filter((l) => /\bERROR\b|panicked|RUST_BACKTRACE/.test(l));
      check(bad.length === 0, `the server logged:\n${bad.join('\n')}`);
    },
  },
];

// ---------------------------------------------------------------- helpers for signed things

/// The JSON of a `Signed` whose ed25519 signature by `keyBase64` is good.
function verified(signed, keyBase64, what) {
  const raw = Buffer.from(keyBase64, 'base64');
  eq(raw.length, 32, 'signing key length');
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
  const payload = Buffer.from(signed.payload, 'base64');
  check(crypto.verify(null, payload, key, Buffer.from(signed.signature, 'base64')), `the ${what}'s signature does not verify`);
  return JSON.parse(payload.toString('utf8'));
}

/// A file's bytes from a ustar archive, or null.
function tarFile(tar, wanted) {
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const field = (o, n) => header.subarray(o, o + n).toString('utf8').replace(/\0.*$/s, '');
    const posix = header.subarray(257, 265).toString('latin1') === 'ustar\u000000';
    const prefix = posix ? field(345, 155) : '';
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (name.replace(/^\.\//, '') === wanted) return tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return null;
}

// ---------------------------------------------------------------- main

async function cleanUp() {
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(10_000)]);
  await stopServer();
  if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
}

const watchdog = setTimeout(async () => {
  console.error(`FAILED: the whole run took longer than ${WHOLE_RUN_MS / 1000} s`);
  dumpServerLog();
  await cleanUp();
  process.exit(1);
}, WHOLE_RUN_MS);

function dumpServerLog() {
  if (!serverLog.length) return;
  console.error('--- the server\'s last log lines ---');
  for (const l of serverLog.slice(-60)) console.error(l);
  console.error('---');
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanUp();
    process.exit(1);
  });
}

let failure = null;
let current = null;
try {
  for (const step of steps) {
    current = step.name;
    await run(step);
  }
} catch (e) {
  failure = e;
}
clearTimeout(watchdog);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failure) {
  console.error(`not ok ${passed.length + 1} - ${current}`);
  console.error(`FAILED: ${failure instanceof CheckFailed ? failure.message : failure.stack || failure}`);
  if (page) {
    try {
      console.error(`  (page: ${page.url()})`);
      await page.screenshot({ path: path.join(args.out, 'failure.png'), fullPage: true, timeout: 5000 });
      console.error(`  screenshot: ${path.join(args.out, 'failure.png')}`);
    } catch {}
  }
  dumpServerLog();
}
await cleanUp();
log(`screenshots: ${shots.join(' ')}`);
log(`took ${seconds} s`);
for (const p of problems) console.error(`not ok - console problem: ${p}`);
const skipped = failure ? steps.length - passed.length - 1 : 0;
log(`${passed.length} passed, ${(failure ? 1 : 0) + problems.length} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failure || problems.length ? 1 : 0);
