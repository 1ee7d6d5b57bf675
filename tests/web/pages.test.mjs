// The web pages in a real browser (issue 11): headless Chromium driven by playwright-core
// against the real reference host, started here on a free loopback port with its own data
// folder. Every page and state the flows reach is checked with axe-core (WCAG 2.1 A + AA),
// and screenshots at desktop and phone width go to BOLIGFLYT_SCREENSHOT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  apiCall, assertNoProblems, expectAccessible, fodselsnummer, goto, launchBrowser, newContext,
  ready, screenshots, signIn, sourceDir, startHost, waitFor,
} from './support.mjs';

let host;
let browser;
const closedAvvik = {};

before(async () => {
  // Receipts and archive exports are picked up every 200 ms instead of every minute.
  host = await startHost({ plugin: { maintenance_interval_ms: 200 } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

function todayIso() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function registerByApi(user, fields = {}) {
  const r = await apiCall(host, user, 'POST', '/api/v1/deviations', {
    procedure_id: 'boligflytprosedyre',
    step_id: 'tildelingsmote',
    incident_date: todayIso(),
    category: 'uklart_ansvar',
    severity: 'middels',
    title: 'Innkallingen kom ikke',
    description: 'Ingen innkalling til møtet.',
    ...fields,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function okMessage(page, text) {
  await page.locator('#melding .melding.ok').filter({ hasText: text }).waitFor({ timeout: 15000 });
}

test('the host: sign-in page, redirects, cookie flags, CSRF, CSP and hashed assets', async () => {
  // A browser opening a page without a session goes to sign-in; the API keeps its 401.
  const page = await fetch(`${host.base}/avvik`, { redirect: 'manual' });
  assert.equal(page.status, 303);
  assert.equal(page.headers.get('location'), '/logg-inn?neste=/avvik');
  const apiNoAuth = await fetch(`${host.base}/api/v1/me`);
  assert.equal(apiNoAuth.status, 401);
  assert.match(apiNoAuth.headers.get('content-type'), /application\/problem\+json/);

  const signInPage = await fetch(`${host.base}/logg-inn`);
  const html = await signInPage.text();
  for (const user of ['leder-nav', 'prosedyreeier', 'godkjenner', 'kvalitetsleder']) {
    assert.ok(html.includes(`value="${user}"`), `the sign-in page lists ${user}`);
  }
  assert.doesNotMatch(signInPage.headers.get('content-security-policy'), /unsafe-inline/);

  // A sign-in posted from another site is refused (login CSRF).
  const foreign = await fetch(`${host.base}/logg-inn`, {
    method: 'POST', redirect: 'manual', body: 'bruker=leder-nav',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://angriper.example' },
  });
  assert.equal(foreign.status, 403);

  const signedIn = await fetch(`${host.base}/logg-inn`, {
    method: 'POST', redirect: 'manual', body: 'bruker=leder-nav&neste=%2F%2Fangriper.example',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get('location'), '/', 'only a local path is followed after sign-in');
  const cookie = signedIn.headers.get('set-cookie');
  assert.match(cookie, /^boligflyt_okt=[0-9a-f]{64}; /);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const session = cookie.split(';')[0];

  const shell = await fetch(`${host.base}/`, { headers: { Cookie: session } });
  assert.equal(shell.status, 200);
  const csp = shell.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /style-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const body = await shell.text();
  assert.doesNotMatch(body, /<script>|<style>| on\w+=| style=/, 'no inline script, style or handler');
  const script = /src="(\/assets\/app\.[0-9a-f]{16}\.js)"/.exec(body);
  assert.ok(script, 'the script has a content-hashed name');
  const asset = await fetch(host.base + script[1]);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control'), /max-age=31536000, immutable/);
  assert.match(asset.headers.get('content-type'), /text\/javascript/);
  assert.equal((await fetch(`${host.base}/assets/app.0000000000000000.js`)).status, 404);

  // The cookie alone does not allow a write: the page's CSRF token must come along.
  const write = (headers) => fetch(`${host.base}/api/v1/me/preferences`, {
    method: 'PUT', headers: { Cookie: session, 'Content-Type': 'application/json', ...headers }, body: '{}',
  });
  const without = await write({});
  assert.equal(without.status, 403);
  assert.match((await without.json()).type, /csrf$/);
  const csrf = (await (await fetch(`${host.base}/auth/session`, { headers: { Cookie: session } })).json()).csrf_token;
  assert.match(csrf, /^[0-9a-f]{64}$/);
  assert.equal((await write({ 'X-CSRF-Token': 'f'.repeat(64) })).status, 403);
  assert.notEqual((await write({ 'X-CSRF-Token': csrf })).status, 403);
  assert.equal((await write({ 'X-CSRF-Token': csrf, 'Sec-Fetch-Site': 'cross-site' })).status, 403);

  // Bearer tokens keep working as before, without any CSRF token.
  const me = await apiCall(host, 'leder-nav', 'GET', '/api/v1/me');
  assert.equal(me.status, 200);
  assert.equal(me.json.user_id, 'leder-nav');

  // Sign-out ends the session.
  const out = await fetch(`${host.base}/logg-ut`, { method: 'POST', headers: { Cookie: session, 'X-CSRF-Token': csrf } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  const afterOut = await fetch(`${host.base}/`, { headers: { Cookie: session }, redirect: 'manual' });
  assert.equal(afterOut.status, 303);
});

test('a leader registers an avvik by clicking a step in the picture; the responsible leader acts and closes it; the reporter sees it closed', async () => {
  const reporter = await newContext(browser, host);
  const page = await signIn(reporter, host, 'leder-nav', '/registrer');
  await expectAccessible(page, 'registrer');
  await screenshots(page, 'registrer');

  await page.locator('rect[data-velgbar][data-step="tildelingsmote"]').click();
  await assert.doesNotReject(page.locator('#valgt-trinn', { hasText: 'Valgt trinn:' }).waitFor());
  assert.equal(await page.locator('rect[data-step="tildelingsmote"]').getAttribute('aria-pressed'), 'true');
  await page.getByLabel('Kort tittel').fill('Innkalling til tildelingsmøtet kom ikke');
  await page.getByLabel('Beskrivelse').fill('Ingen innkalling før møtet; søkeren ble ikke vurdert.');
  await page.getByLabel('Kategori').selectOption('uklart_ansvar');
  await page.getByLabel('Alvorlighetsgrad').selectOption('middels');
  await page.getByLabel('Saksnummer i arkivet (valgfritt)').fill('2026/4185');
  await page.getByRole('button', { name: 'Registrer avviket' }).click();
  const receipt = page.locator('#kvittering');
  await receipt.waitFor();
  const id = /AVVIK-\d{4}-\d{4}/.exec(await receipt.innerText())[0];
  assert.match(await page.locator('.melding.ok').innerText(), /Boligkontoret/);
  await expectAccessible(page, 'registrert');
  await screenshots(page, 'registrert');

  // The responsible leader finds it on the start page, overdue items first.
  const responsible = await newContext(browser, host);
  const leader = await signIn(responsible, host, 'leder-boligkontor', '/');
  const toReceive = leader.getByRole('region', { name: /Avvik å motta/ });
  await toReceive.getByRole('link', { name: new RegExp(id) }).waitFor();
  await expectAccessible(leader, 'start');
  await screenshots(leader, 'start');
  await toReceive.getByRole('link', { name: new RegExp(id) }).click();
  await ready(leader);
  assert.equal(new URL(leader.url()).pathname, `/avvik/${id}`);
  assert.doesNotMatch(await leader.title(), /Innkalling/, 'no avvik text in the page title');
  await expectAccessible(leader, 'avvik registrert');

  await leader.getByRole('button', { name: 'Motta avviket' }).click();
  await okMessage(leader, 'Ny status: Mottatt');
  await leader.getByRole('button', { name: 'Start behandling' }).click();
  await okMessage(leader, 'Ny status: Under behandling');
  await leader.getByLabel('Hva skal gjøres?').fill('Fast møtedato i årshjulet, med vara for møteleder.');
  await leader.getByLabel('Frist', { exact: true }).fill(todayIso());
  await leader.getByRole('button', { name: 'Legg til tiltaket' }).click();
  await okMessage(leader, 'Tiltaket er lagt til');
  await expectAccessible(leader, 'avvik med tiltak');
  await leader.getByRole('button', { name: /Merk som utført/ }).click();
  await okMessage(leader, 'merket som utført');
  await leader.getByRole('button', { name: 'Sett i gang tiltak' }).click();
  await okMessage(leader, 'Ny status: Tiltak');
  const close = leader.locator('form[data-overgang="lukk"]');
  await close.getByLabel('Årsak').fill('Møteplanen lå hos én person.');
  await close.getByLabel('Vurdering av effekt').fill('To møter holdt etter planen; virker.');
  await close.getByLabel('Rutinen mangler eller er uklar').check();
  await expectAccessible(leader, 'lukk-skjema');
  await screenshots(leader, 'avvik-detalj');
  await close.getByRole('button', { name: 'Lukk avviket' }).click();
  await okMessage(leader, 'Ny status: Lukket');
  assert.equal(await leader.getByRole('button', { name: 'Lukk avviket' }).count(), 0, 'only allowed transitions are offered');
  await expectAccessible(leader, 'avvik lukket');

  await goto(page, host, `/avvik/${id}`);
  assert.match(await page.locator('dl.fakta').innerText(), /Status\s+Lukket/);
  assert.match(await page.locator('dl.fakta').innerText(), /Møteplanen lå hos én person\./);
  await goto(page, host, '/avvik?visning=mine');
  const row = page.locator('tr', { hasText: id });
  assert.match(await row.innerText(), /Lukket/);
  await expectAccessible(page, 'avvik mine');
  await screenshots(page, 'avvik-liste');
  await goto(page, host, '/avvik?visning=enhetens&status=lukket&sort=created');
  await expectAccessible(page, 'avvik enhetens filtrert');
  assertNoProblems(reporter);
  assertNoProblems(responsible);
  closedAvvik.id = id;
  await reporter.close();
  await responsible.close();
});

test('a fødselsnummer in the text is refused inline, next to the field, without repeating it', async () => {
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-nav', '/registrer');
  const number = fodselsnummer();
  await page.getByLabel('Søk etter trinnet med navn').fill('tildeling');
  await page.locator('#trinn-treff button').first().click();
  await page.getByLabel('Kort tittel').fill('Vedtak sendt til feil adresse');
  await page.getByLabel('Beskrivelse').fill(`Gjelder søker ${number}, som ikke fikk brevet.`);
  await page.getByLabel('Kategori').selectOption({ index: 1 });
  await page.getByLabel('Alvorlighetsgrad').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Registrer avviket' }).click();
  const error = page.locator('#avvik-beskrivelse-feil');
  await error.waitFor({ state: 'visible' });
  const text = await error.innerText();
  assert.match(text, /fødselsnummer/);
  assert.ok(!text.includes(number), 'the refusal does not repeat the number');
  assert.equal(await page.getByLabel('Beskrivelse').getAttribute('aria-invalid'), 'true');
  assert.match(await page.getByLabel('Beskrivelse').getAttribute('aria-describedby'), /avvik-beskrivelse-feil/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'avvik-beskrivelse');
  assert.equal(await page.locator('#kvittering').count(), 0);
  await expectAccessible(page, 'registrer med fødselsnummer');
  await screenshots(page, 'registrer-personopplysninger');
  assertNoProblems(context);
  await context.close();
});

test('two people edit the same avvik: the second gets a clear Norwegian conflict message', async () => {
  const avvik = await registerByApi('leder-nav');
  const first = await newContext(browser, host);
  const second = await newContext(browser, host);
  const a = await signIn(first, host, 'leder-boligkontor', `/avvik/${avvik.id}`);
  const b = await signIn(second, host, 'leder-boligkontor', `/avvik/${avvik.id}`);

  await a.getByRole('button', { name: 'Motta avviket' }).click();
  await okMessage(a, 'Ny status: Mottatt');

  await b.getByRole('textbox', { name: 'Ny kommentar' }).fill('Jeg tar denne.');
  await b.getByRole('button', { name: 'Legg til kommentaren' }).click();
  const conflict = b.locator('#melding .melding.feil');
  await conflict.waitFor();
  assert.match(await conflict.innerText(), /Noen andre har endret dette/);
  assert.equal(await b.getByRole('textbox', { name: 'Ny kommentar' }).inputValue(), 'Jeg tar denne.', 'what was typed is kept');
  await expectAccessible(b, 'konflikt');
  await screenshots(b, 'avvik-konflikt');
  await b.getByRole('button', { name: 'Last inn på nytt' }).click();
  await b.locator('dl.fakta', { hasText: 'Mottatt' }).waitFor();
  const fresh = await apiCall(host, 'leder-nav', 'GET', `/api/v1/deviations/${avvik.id}`);
  assert.equal(fresh.json.comments.length, 0, 'the stale write was not applied');
  assertNoProblems(first);
  assertNoProblems(second);
  await first.close();
  await second.close();
});

test('markup and script in every free-text field are shown literally, and no script runs', async () => {
  const payloads = {
    title: '<script>window.__xss=1</script>Tittel',
    description: '<img src=x onerror="window.__xss=2">Beskrivelse',
    comment: '<svg onload="window.__xss=3"></svg>Kommentar',
    action: '<b onmouseover="window.__xss=4">fet</b>Tiltak',
    cause: '"><iframe src="javascript:window.__xss=5"></iframe>Årsak',
    evaluation: '<a href="javascript:window.__xss=6">lenke</a>Vurdering',
  };
  const avvik = await registerByApi('leder-nav', { title: payloads.title, description: payloads.description });
  const path = `/api/v1/deviations/${avvik.id}`;
  let etag = (await apiCall(host, 'leder-boligkontor', 'GET', path)).etag;
  const step = async (sub, body) => {
    const r = await apiCall(host, 'leder-boligkontor', 'POST', path + sub, body, { 'If-Match': etag });
    assert.ok(r.status < 300, r.text);
    etag = r.etag;
  };
  await step('/transitions', { transition: 'motta' });
  await step('/transitions', { transition: 'behandle' });
  await step('/comments', { text: payloads.comment });
  await step('/actions', { owner_unit: 'boligkontor', description: payloads.action, due_date: todayIso() });
  await step('/actions/1/completion', { done_date: todayIso() });
  await step('/transitions', { transition: 'lukk', cause: payloads.cause, evaluation: payloads.evaluation, cause_codes: ['kommunikasjon'] });

  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-nav', `/avvik/${avvik.id}`);
  const text = await page.locator('#visning').innerText();
  for (const [name, payload] of Object.entries(payloads)) {
    assert.ok(text.includes(payload), `${name} is shown literally`);
  }
  assert.equal(await page.locator('#visning script, #visning img, #visning iframe, #visning b, #visning a[href^="javascript"]').count(), 0);
  await page.locator('#visning', { hasText: 'fet' }).hover();
  assert.doesNotMatch(await page.title(), /script/);
  for (const target of ['/avvik?visning=mine', '/', '/oversikt', '/prosedyren']) {
    await goto(page, host, target);
    if (target.startsWith('/avvik')) assert.ok((await page.locator('#visning').innerText()).includes(payloads.title));
  }
  const other = await newContext(browser, host);
  const leader = await signIn(other, host, 'leder-boligkontor', '/avvik?visning=enhetens');
  assert.ok((await leader.locator('#visning').innerText()).includes(payloads.title));
  await goto(leader, host, '/');
  await expectAccessible(leader, 'start med markup i avvik');
  for (const p of [page, leader]) assert.equal(await p.evaluate(() => window.__xss), undefined, 'no injected script ran');
  assertNoProblems(context);
  assertNoProblems(other);
  await context.close();
  await other.close();
});

test('a procedure owner uploads a draft with an error, fixes it, sends it on høring; a leader answers; the approver publishes; a leader confirms reading', async () => {
  // A revision of the newest shipped version, 4.0 (published, in force from 2027-01-01).
  let xml = readFileSync(path.join(sourceDir, 'procedures/boligflytprosedyre/boligflytprosedyre-4.0.xml'), 'utf8');
  xml = xml.replace(/version="4\.0" status="published"/, 'version="4.1" status="draft"')
    .replace(/\s*<approver [^>]*>[^<]*<\/approver>/, '')
    .replace(/\s*<effectiveFrom>[^<]*<\/effectiveFrom>/, '')
    .replace('<supersedes>3.1</supersedes>', '<supersedes>4.0</supersedes>')
    .replace('  </changelog>', '    <entry version="4.1" date="2026-12-02"><summary>NAV tar ansvaret for tidlig kontakt ved restanse.</summary></entry>\n  </changelog>');
  const stepAt = xml.indexOf('<step id="husleierestanse-kontakt">');
  const responsibleAt = xml.indexOf('<responsibleUnit unit="boligkontor"/>', stepAt);
  xml = xml.slice(0, responsibleAt) + '<responsibleUnit unit="nav"/>' + xml.slice(responsibleAt + '<responsibleUnit unit="boligkontor"/>'.length);
  const participantAt = xml.indexOf('<participatingUnit unit="nav">', stepAt);
  xml = xml.slice(0, participantAt) + '<participatingUnit unit="boligkontor">' + xml.slice(participantAt + '<participatingUnit unit="nav">'.length);
  const broken = xml.replace('<responsibleUnit unit="nav"/>', '<responsibleUnit unit="nav"/><ukjentElement/>');
  const brokenLine = broken.slice(0, broken.indexOf('<ukjentElement/>')).split('\n').length;

  const owner = await newContext(browser, host);
  const page = await signIn(owner, host, 'prosedyreeier', '/revisjon');
  await expectAccessible(page, 'revisjon');
  await page.getByLabel('Utkast (XML-fil)').setInputFiles({ name: 'utkast.xml', mimeType: 'application/xml', buffer: Buffer.from(broken) });
  await page.getByRole('button', { name: 'Last opp utkastet' }).click();
  const errors = page.locator('#valideringsfeil');
  await errors.getByText(`Linje ${brokenLine}`).first().waitFor();
  await expectAccessible(page, 'revisjon med valideringsfeil');
  await screenshots(page, 'revisjon-feil');

  await page.getByLabel('Utkast (XML-fil)').setInputFiles({ name: 'utkast.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) });
  await page.getByRole('button', { name: 'Last opp utkastet' }).click();
  await page.waitForURL(/versjon=4\.1/);
  await ready(page);
  assert.match(await page.locator('#visning').innerText(), /Forskjeller fra gjeldende versjon 3\.1/);
  assert.match(await page.locator('#visning').innerText(), /Ny ansvarlig enhet/);
  await page.getByLabel('Svarfrist for høringen').fill('2099-12-31');
  await expectAccessible(page, 'revisjon utkast');
  await page.getByRole('button', { name: 'Send på høring' }).click();
  await page.waitForURL(/ok=/);
  await ready(page);
  assert.match(await page.locator('#melding').innerText(), /sendt på høring/);

  const affected = await newContext(browser, host);
  const nav = await signIn(affected, host, 'leder-nav', '/');
  await nav.getByRole('region', { name: /Høringer å svare på/ }).getByRole('link').first().click();
  await ready(nav);
  const answer = nav.getByRole('form', { name: /Høringssvar fra NAV-kontoret/ });
  await answer.getByLabel('Kommentar').fill('NAV tar dette. <b>ok</b>');
  await answer.getByRole('button', { name: 'Send svaret' }).click();
  await nav.waitForURL(/ok=svar/);
  await ready(nav);
  assert.ok((await nav.locator('table').innerText()).includes('NAV tar dette. <b>ok</b>'));
  await expectAccessible(nav, 'høringssvar');
  await screenshots(nav, 'revisjon-horing');

  const approverContext = await newContext(browser, host);
  const approver = await signIn(approverContext, host, 'godkjenner', '/revisjon?versjon=4.1');
  const reason = approver.getByLabel(/Begrunnelse for å godkjenne uten alle svar/);
  if (await reason.count()) await reason.fill('Boligkontoret er enig muntlig i styringsgruppen.');
  await approver.getByRole('button', { name: 'Godkjenn versjonen' }).click();
  await approver.waitForURL(/ok=godkjent/);
  await ready(approver);
  // After 4.0, which applies from 2027-01-01.
  await approver.getByLabel('Gjelder fra').fill('2027-07-01');
  await expectAccessible(approver, 'publisering');
  await approver.getByRole('button', { name: 'Publiser versjonen' }).click();
  await approver.waitForURL(/ok=publisert/);
  await ready(approver);
  const published = await apiCall(host, 'leder-nav', 'GET', '/api/v1/procedures/boligflytprosedyre/in-force?date=2027-08-01');
  assert.equal(published.json.version, '4.1');

  await goto(nav, host, '/revisjon?versjon=4.1');
  await nav.getByRole('button', { name: 'Jeg bekrefter at jeg har lest versjonen' }).click();
  await nav.waitForURL(/ok=lest/);
  await ready(nav);
  assert.match(await nav.locator('#visning').innerText(), /Du bekreftet/);
  await expectAccessible(nav, 'lest');
  for (const c of [owner, affected, approverContext]) {
    assertNoProblems(c);
    await c.close();
  }
});

test('the procedure page: document, heat overlay, history, comparison and BPMN download', async () => {
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-nav', '/prosedyren');
  // The avvik of this suite are registered on today's date, so they belong to 3.1.
  const map = await apiCall(host, 'leder-nav', 'GET', '/api/v1/procedures/boligflytprosedyre/versions/3.1/avvik-map.svg');
  assert.equal(map.status, 200);
  assert.match(map.text, /avvik registrert/, 'the heat overlay carries avvik counts');
  await page.getByLabel('Versjon', { exact: true }).selectOption('3.1');
  await page.getByRole('button', { name: 'Vis versjonen' }).click();
  await ready(page);
  const counts = await page.locator('tr', { hasText: 'Tildelingsmøte' }).locator('td:nth-child(4)').allInnerTexts();
  assert.ok(counts.some((n) => Number(n) > 0), `the table counts the avvik on the step (${counts})`);
  await page.getByLabel('Fra versjon').selectOption('2.0');
  await page.getByLabel('Til versjon').selectOption('3.0');
  await page.getByRole('button', { name: 'Sammenlign' }).click();
  await page.getByText(/Endringer fra 2\.0 til 3\.0/).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Last ned BPMN' }).click(),
  ]);
  assert.match(readFileSync(await download.path(), 'utf8'), /bpmn:definitions|<definitions/);
  await expectAccessible(page, 'prosedyren');
  await screenshots(page, 'prosedyren');
  assertNoProblems(context);
  await context.close();
});

test('the quality leader sees the numbers, downloads the CSV and retries a failed export', async () => {
  assert.ok(closedAvvik.id, 'needs the avvik closed in the first flow');
  // The archive refuses the message (a Fiks Arkiv feilmelding as receipt).
  const exports = await waitFor(async () => {
    const list = await apiCall(host, 'kvalitetsleder', 'GET', '/api/v1/archive/exports');
    return list.json.items.find((e) => e.subject === `deviation:${closedAvvik.id}` && e.folder && e.state === 'sendt');
  }, 20000, 'the export to be sent');
  writeFileSync(path.join(host.data, 'arkiv', 'kvitteringer', `${path.basename(exports.folder)}.feilmelding.xml`),
    `<?xml version="1.0" encoding="UTF-8"?>
<ugyldigforespoersel xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1" xmlns:f="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1">
  <f:feilId>b2c3d4e5-0000-4000-8000-000000000001</f:feilId>
  <f:feilmelding>Klassifikasjon mangler for arkivdelen.</f:feilmelding>
</ugyldigforespoersel>
`);
  await waitFor(async () => (await apiCall(host, 'kvalitetsleder', 'GET', `/api/v1/archive/exports/${exports.id}`)).json.state === 'feilet', 20000, 'the export to fail');

  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'kvalitetsleder', '/oversikt');
  assert.match(await page.locator('.nokkeltall').innerText(), /Avvik i alt/);
  await expectAccessible(page, 'oversikt');
  await screenshots(page, 'oversikt');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Last ned statistikken (CSV)' }).click(),
  ]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^\uFEFFdimensjon;nøkkel;navn;antall;åpne\r\n/);
  assert.match(csv, /trinn;tildelingsmote;/);

  const row = page.locator('tr', { hasText: 'Klassifikasjon mangler' });
  assert.match(await row.innerText(), /Feilet/);
  await row.getByRole('button', { name: /Prøv igjen/ }).click();
  await okMessage(page, 'prøves på nytt');
  const state = (await apiCall(host, 'kvalitetsleder', 'GET', `/api/v1/archive/exports/${exports.id}`)).json.state;
  assert.notEqual(state, 'feilet');
  await expectAccessible(page, 'oversikt etter nytt forsøk');
  assertNoProblems(context);
  await context.close();
});

test('registering an avvik with the keyboard alone', async () => {
  const context = await newContext(browser, host);
  const page = await context.newPage();
  await page.goto(`${host.base}/registrer`);
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    return `${e.tagName.toLowerCase()}#${e.id}|${e.getAttribute('value') || ''}|${e.dataset?.step || ''}|${e.textContent.trim().slice(0, 40)}`;
  });
  const tabTo = async (matches, limit = 300) => {
    for (let i = 0; i < limit; i += 1) {
      if (matches(await focused())) return;
      await page.keyboard.press('Tab');
    }
    assert.fail(`keyboard focus never reached the target (last: ${await focused()})`);
  };
  await tabTo((f) => f.includes('|leder-nav|'));
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/registrer');
  await ready(page);
  // The skip link is the first stop on every page.
  await page.keyboard.press('Tab');
  assert.match(await focused(), /Hopp til innholdet/);
  await tabTo((f) => f.includes('|tildelingsmote|'));
  await page.keyboard.press('Enter');
  assert.match(await page.locator('#valgt-trinn').innerText(), /Valgt trinn: .*[Tt]ildelingsmøte/);
  await tabTo((f) => f.startsWith('input#avvik-tittel'));
  await page.keyboard.type('Tastaturregistrert avvik');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Registrert uten mus.');
  await tabTo((f) => f.startsWith('select#avvik-kategori'));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ArrowDown');
  await tabTo((f) => f.includes('Registrer avviket'));
  await page.keyboard.press('Enter');
  await page.locator('#kvittering').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'kvittering', 'focus moves to the receipt');
  assert.match(await page.locator('#kvittering').innerText(), /AVVIK-\d{4}-\d{4}/);
  assertNoProblems(context);
  await context.close();
});

test('the sign-in page is accessible and printable at both widths', async () => {
  const context = await newContext(browser, host);
  const page = await context.newPage();
  await page.goto(`${host.base}/logg-inn`);
  await expectAccessible(page, 'logg-inn');
  await screenshots(page, 'logg-inn');
  const signedIn = await signIn(context, host, 'leder-boligkontor', '/avvik?visning=enhetens');
  await signedIn.emulateMedia({ media: 'print' });
  assert.equal(await signedIn.locator('nav[aria-label="Hovedmeny"]').isVisible(), false, 'print leaves the menu out');
  await signedIn.emulateMedia({ media: 'screen' });
  await signedIn.getByRole('button', { name: 'Logg ut' }).click();
  await signedIn.waitForURL(/\/logg-inn/);
  assertNoProblems(context);
  await context.close();
});
