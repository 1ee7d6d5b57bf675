// Shared helpers of the browser tests: start the real reference host on a free loopback port
// with a temporary data folder, drive Debian's Chromium with playwright-core, check pages with
// axe-core, and write screenshots into the build folder.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = path.resolve(here, '../..');
const testsDir = path.resolve(here, '..');

export async function loadPlaywright() {
  try {
    const pw = await import(path.join(testsDir, 'node_modules/playwright-core/index.mjs'));
    return pw.chromium ?? pw.default.chromium;
  } catch (e) {
    throw new Error(`playwright-core is missing: run ${path.join(testsDir, 'install-npm-deps.sh')} (${e.message})`);
  }
}

export const hostBinary = process.env.BOLIGFLYT_HOST_BINARY;
export const screenshotDir = process.env.BOLIGFLYT_SCREENSHOT_DIR || path.join(tmpdir(), 'boligflyt-screenshots');
const axeSource = readFileSync(path.join(testsDir, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** Waits for `check()` to be truthy, polling; fails after `ms`. */
export async function waitFor(check, ms = 15000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts boligflyt-host on port 0 with a fresh data folder. `plugin` is merged into the
 * embedded default configuration's "plugin" object; `args` are added to the command line;
 * `configure(config)` may change the rest of the configuration before it is written.
 */
export async function startHost({ plugin, args: extraArgs = [], configure } = {}) {
  assert.ok(hostBinary, 'BOLIGFLYT_HOST_BINARY must name the boligflyt-host binary');
  const dir = mkdtempSync(path.join(tmpdir(), 'boligflyt-web-'));
  const data = path.join(dir, 'data');
  const args = ['--data', data, '--listen', '127.0.0.1:0', '--threads', '4'];
  if (plugin || configure) {
    const config = JSON.parse(readFileSync(path.join(sourceDir, 'packaging/config/default-host.json'), 'utf8'));
    if (plugin) config.plugin = plugin;
    configure?.(config);
    config.log_level = 'warn';
    writeFileSync(path.join(dir, 'host.json'), JSON.stringify(config));
    args.push('--config', path.join(dir, 'host.json'));
  }
  args.push(...extraArgs);
  const child = spawn(hostBinary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const base = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`host exited: ${err}`);
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    return m && out.includes('Stopp med Ctrl+C') ? m[1] : null;
  }, 20000, 'the host to listen');
  const tokens = {};
  for (const m of out.matchAll(/^ {2}(\S+) {2}(\S+)$/gm)) tokens[m[1]] = m[2];
  return {
    base,
    data,
    tokens,
    stderr: () => err,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A call to the API with a bearer token, for setting up what a test needs. */
export async function apiCall(host, user, method, target, body, extraHeaders = {}) {
  const headers = { Authorization: `Bearer ${host.tokens[user]}`, ...extraHeaders };
  if (body !== undefined) headers['Content-Type'] = headers['Content-Type'] || 'application/json';
  const r = await fetch(host.base + target, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, json, text, etag: r.headers.get('etag') };
}

export async function launchBrowser() {
  const chromium = await loadPlaywright();
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--lang=nb-NO', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser context whose pages fail the test on any script error, CSP violation, dialog
 * (an injected alert()) or request to another address than the host (or one of
 * `allowOrigins`, such as an identity provider on loopback).
 */
export async function newContext(browser, host, { allowOrigins = [], ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nb-NO', acceptDownloads: true, ...options });
  const problems = [];
  context.problems = problems;
  const allowed = [host.base, ...allowOrigins].map((origin) => `${origin}/`);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed.some((origin) => url.startsWith(origin)) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`request to another address: ${url}`);
    return route.abort();
  });
  context.on('page', (page) => watchPage(page, problems));
  return context;
}

function watchPage(page, problems) {
  page.on('dialog', async (dialog) => {
    problems.push(`a dialog opened (script ran?): ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console error: ${m.text()}`);
  });
}

export function assertNoProblems(context) {
  assert.deepEqual(context.problems, [], 'no script errors, CSP violations, dialogs or foreign requests');
}

/** Signs in through the host's sign-in page, as a person would. */
export async function signIn(context, host, user, pathAfter = '/') {
  const page = await context.newPage();
  await page.goto(host.base + pathAfter);
  assert.match(new URL(page.url()).pathname, /^\/logg-inn$/, 'an unauthenticated page visit goes to sign-in');
  await page.locator(`button[value="${user}"]`).click();
  await page.waitForURL((url) => url.pathname + url.search === pathAfter);
  await ready(page);
  return page;
}

export async function ready(page) {
  await page.waitForSelector('body[data-klar="true"]', { state: 'attached', timeout: 20000 });
}

export async function goto(page, host, target) {
  await page.goto(host.base + target);
  await ready(page);
}

/** axe-core with the WCAG 2.1 A and AA rules: zero violations, or a readable failure. */
export async function expectAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    // Through the DevTools protocol, so the page's CSP does not apply to the test tool.
    await page.evaluate(axeSource);
  }
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const summary = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(summary, [], `axe violations on ${label}`);
}

/** Screenshots at desktop and phone width, into the build folder. */
export async function screenshots(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const original = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(screenshotDir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(screenshotDir, `${name}-mobil.png`), fullPage: true });
  await expectAccessible(page, `${name} at phone width`);
  await page.setViewportSize(original);
}

/** A valid fødselsnummer (two mod-11 check digits), made here so no real one is in the code. */
export function fodselsnummer(date = '150385', individual = '123') {
  for (let n = Number(individual); n < 1000; n += 1) {
    const digits = (date + String(n).padStart(3, '0')).split('').map(Number);
    const k1 = 11 - ([3, 7, 6, 1, 8, 9, 4, 5, 2].reduce((s, w, i) => s + w * digits[i], 0) % 11);
    const c1 = k1 === 11 ? 0 : k1;
    if (c1 === 10) continue;
    digits.push(c1);
    const k2 = 11 - ([5, 4, 3, 2, 7, 6, 5, 4, 3, 2].reduce((s, w, i) => s + w * digits[i], 0) % 11);
    const c2 = k2 === 11 ? 0 : k2;
    if (c2 === 10) continue;
    digits.push(c2);
    return digits.join('');
  }
  throw new Error('no fødselsnummer');
}
