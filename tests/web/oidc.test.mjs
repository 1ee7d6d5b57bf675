// Sign-in through the municipality's identity provider (issue 15), in a real browser: the
// reference host configured with auth.oidc sends headless Chromium to a real OpenID Connect
// provider (Debian's glewlwyd on loopback, started by tests/e2e/support/glewlwyd_launcher.cpp
// with two users in different groups), the person fills in the provider's own login page, and
// lands on boligflyt's start page as the provider's user, with the units of their groups.
// A wrong password stays at the provider and signs nobody in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  assertNoProblems, expectAccessible, launchBrowser, newContext, ready, screenshotDir, screenshots,
  startHost, waitFor,
} from './support.mjs';

const launcherBinary = process.env.BOLIGFLYT_GLEWLWYD_LAUNCHER;

// Two people at the provider; the groups are the provider's, the host maps them (below).
const kari = {
  username: 'kari', password: 'Kari-passord-1', name: 'Kari Nordmann', groups: ['boligflyt-boligkontor', 'boligflyt-ledere'],
};
const ola = {
  username: 'ola', password: 'Ola-passord-1', name: 'Ola Nordmann', groups: ['boligflyt-nav', 'ansatte'],
};

/** The launcher: glewlwyd started and configured, stopped when the launcher's stdin ends. */
async function startProvider(users) {
  assert.ok(launcherBinary, 'BOLIGFLYT_GLEWLWYD_LAUNCHER must name boligflyt-glewlwyd-launcher');
  const dir = mkdtempSync(path.join(tmpdir(), 'boligflyt-glewlwyd-'));
  const child = spawn(launcherBinary, ['--dir', dir, '--users', JSON.stringify(users)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  let partial = '';
  let err = '';
  let stdoutClosed = false;
  child.stdout.on('close', () => { stdoutClosed = true; });
  // Written to after an early exit, stdin fails with EPIPE; the exit says more.
  child.stdin.on('error', () => {});
  child.stdout.on('data', (d) => {
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop();
    lines.push(...parts);
  });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const nextLine = (ms, what) => waitFor(() => {
    if (lines.length) return lines.shift();
    if (stdoutClosed) throw new Error(`the glewlwyd launcher exited while ${what}: ${err}`);
    return null;
  }, ms, what);
  const stop = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const first = JSON.parse(await nextLine(60000, 'glewlwyd starts'));
  if (first.error) {
    await stop();
    return { missing: first.missing ? first.error : null, error: first.error };
  }
  return {
    ...first,
    base: `http://127.0.0.1:${first.port}`,
    async command(line) {
      child.stdin.write(`${line}\n`);
      const answer = await nextLine(30000, `the answer to ${line.split(' ')[0]}`);
      assert.equal(answer, 'ok', `glewlwyd launcher: ${answer}`);
    },
    stop,
  };
}

let provider;
let host;
let browser;
let skipReason = null;

before(async () => {
  provider = await startProvider([kari, ola]);
  if (provider.missing) {
    skipReason = provider.missing;
    return;
  }
  assert.ok(!provider.error, provider.error);
  host = await startHost({
    configure(config) {
      config.auth = {
        ...config.auth,
        oidc: {
          issuer: provider.issuer,
          audience: provider.audience,
          client_id: provider.client_id,
          user_claim: 'preferred_username',
          scopes: ['openid', provider.scope],
          groups: {
            'boligflyt-boligkontor': { units: ['boligkontor'] },
            'boligflyt-ledere': { roles: ['unit_leader'] },
            'boligflyt-nav': { units: ['nav'], roles: ['employee'] },
          },
        },
      };
    },
  });
  // The host names its callback after the Host header the browser sends: this host's port.
  await provider.command(`redirect_uri ${host.base}/auth/oidc/callback`);
  browser = await launchBrowser();
  mkdirSync(screenshotDir, { recursive: true });
});

after(async () => {
  await browser?.close();
  await host?.stop();
  await provider?.stop?.();
});

const atProvider = (url) => url.origin === provider.base;

/**
 * Opens boligflyt's start page without a session: the host sends the browser to the provider,
 * whose login page asks for the user name and password.
 */
async function toProviderLogin(page) {
  await page.goto(`${host.base}/`);
  await page.waitForURL(atProvider, { timeout: 20000 });
  const username = page.locator('input#username');
  await username.waitFor({ timeout: 20000 });
  return username;
}

async function signInAtProvider(page, user, screenshotName) {
  const username = await toProviderLogin(page);
  if (screenshotName) await page.screenshot({ path: path.join(screenshotDir, `${screenshotName}.png`) });
  await username.fill(user.username);
  await page.locator('input#password').fill(user.password);
  await page.locator('#loginbut').click();
}

/**
 * The first time, glewlwyd asks which scopes the user grants boligflyt (openid is fixed, the
 * API's scope is a box to tick), and then the user continues to boligflyt.
 */
async function grantAndContinue(page, screenshotName) {
  const back = () => new URL(page.url()).origin === host.base;
  const grant = page.getByRole('button', { name: 'Grant access' });
  const proceed = page.getByRole('button', { name: 'Continue' });
  await waitFor(async () => back() || await proceed.isVisible(), 20000, 'the provider to sign the user in');
  if (back()) return;
  // The page may draw the grant part a moment after the buttons: give it that moment.
  const asked = await grant.waitFor({ timeout: 3000 }).then(() => true, () => false);
  if (asked) {
    const scope = page.getByRole('checkbox', { name: provider.scope });
    await scope.check();
    if (screenshotName) await page.screenshot({ path: path.join(screenshotDir, `${screenshotName}.png`) });
    await grant.click();
    await grant.waitFor({ state: 'hidden', timeout: 15000 });
  }
  await proceed.click();
}

async function landOnStartPage(page) {
  await page.waitForURL((url) => url.origin === host.base && url.pathname === '/', { timeout: 30000 });
  await ready(page);
}

async function signedInAs(page) {
  return page.locator('#bruker').innerText();
}

async function me(page) {
  return page.evaluate(async () => (await fetch('/api/v1/me')).json());
}

test('Kari signs in at the provider and lands on the start page as Kari, leader of Boligkontoret', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const context = await newContext(browser, host, { allowOrigins: [provider.base] });
  const page = await context.newPage();
  await signInAtProvider(page, kari, 'oidc-leverandorens-innlogging');
  await grantAndContinue(page, 'oidc-leverandorens-samtykke');
  await landOnStartPage(page);

  assert.match(await signedInAs(page), /Innlogget som Kari Nordmann · Boligkontoret$/m);
  // A unit leader's start page: the task lists of her unit.
  assert.match(await page.locator('#innhold').innerText(), /Hei, Kari Nordmann\. Her er det som venter på deg/);
  assert.ok(await page.getByRole('heading', { name: /Avvik å motta/ }).isVisible());
  const who = await me(page);
  assert.equal(who.user_id, 'kari');
  assert.deepEqual(who.units.map((u) => u.id), ['boligkontor']);
  assert.deepEqual(who.roles, ['unit_leader']);
  await expectAccessible(page, 'start page after sign-in at the provider');
  await screenshots(page, 'oidc-start-kari');
  assertNoProblems(context);
  await context.close();
});

test('Ola, in other groups, lands as Ola with NAV-kontoret and the employee start page', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const context = await newContext(browser, host, { allowOrigins: [provider.base] });
  const page = await context.newPage();
  await signInAtProvider(page, ola);
  await grantAndContinue(page);
  await landOnStartPage(page);

  assert.match(await signedInAs(page), /Innlogget som Ola Nordmann · NAV-kontoret$/m);
  assert.doesNotMatch(await signedInAs(page), /Boligkontoret/);
  // Only an employee: the reporter's start page, no leader task lists.
  assert.ok(await page.locator('a.knapp.stor', { hasText: 'Meld avvik' }).isVisible());
  assert.equal(await page.getByRole('heading', { name: /Avvik å motta/ }).count(), 0);
  const who = await me(page);
  assert.equal(who.user_id, 'ola');
  assert.deepEqual(who.units.map((u) => u.id), ['nav']);
  assert.deepEqual(who.roles, ['employee']);
  await screenshots(page, 'oidc-start-ola');
  assertNoProblems(context);
  await context.close();
});

test('a wrong password stays on the provider\'s page and signs nobody in; the right one then does', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const context = await newContext(browser, host, { allowOrigins: [provider.base] });
  const page = await context.newPage();
  await signInAtProvider(page, { ...kari, password: 'feil-passord' });
  // The provider says so on its own page, and the browser never goes back to boligflyt.
  await page.getByText('Authentication error').waitFor({ timeout: 15000 });
  assert.ok(atProvider(new URL(page.url())), `still at the provider: ${page.url()}`);
  assert.ok(await page.locator('input#password').isVisible(), 'the login form is still there');
  await page.screenshot({ path: path.join(screenshotDir, 'oidc-feil-passord.png'), fullPage: true });
  const cookies = await context.cookies(host.base);
  assert.equal(cookies.filter((c) => c.name === 'boligflyt_okt').length, 0, 'no boligflyt session');
  // And boligflyt itself still sends this browser to sign in.
  const answer = await context.request.get(`${host.base}/api/v1/me`);
  assert.equal(answer.status(), 401);
  // The control: on the same page, the right password goes through to boligflyt.
  await page.locator('input#password').fill(kari.password);
  await page.locator('#loginbut').click();
  await grantAndContinue(page);
  await landOnStartPage(page);
  assert.match(await signedInAs(page), /Innlogget som Kari Nordmann · Boligkontoret$/m);
  assertNoProblems(context);
  await context.close();
});
