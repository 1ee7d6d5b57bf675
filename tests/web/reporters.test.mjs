// Every employee may report (issue 12), in a real browser against the real reference host:
// an employee without a leader role signs in, finds "Meld avvik" on a start page made for
// them, reports an avvik, and follows it to closure; the responsible leader sees who reported
// it and receives it; a leader of a third unit does not see it at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiCall, assertNoProblems, expectAccessible, goto, launchBrowser, newContext, ready,
  screenshots, signIn, startHost,
} from './support.mjs';

let host;
let browser;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

test('an employee reports an avvik, the responsible leader closes it, the employee sees it closed, a third unit sees nothing', async () => {
  const employee = await newContext(browser, host);
  const page = await signIn(employee, host, 'ansatt-nav', '/');
  // The start page of someone who leads nothing: report, and follow what they reported.
  assert.ok(await page.locator('a.knapp.stor', { hasText: 'Meld avvik' }).isVisible(), 'Meld avvik is prominent');
  assert.match(await page.getByRole('region', { name: /Avvik du har meldt/ }).innerText(), /Du har ikke meldt noen avvik ennå/);
  assert.equal(await page.getByRole('region', { name: /Avvik å motta/ }).count(), 0, 'no leader task lists');
  await expectAccessible(page, 'start ansatt');
  await screenshots(page, 'reporters-start-ansatt');

  await page.locator('a.knapp.stor', { hasText: 'Meld avvik' }).click();
  await ready(page);
  assert.equal(new URL(page.url()).pathname, '/registrer');
  await page.locator('rect[data-velgbar][data-step="tildelingsmote"]').click();
  await page.locator('#valgt-trinn', { hasText: 'Valgt trinn:' }).waitFor();
  await page.getByLabel('Kort tittel').fill('Søknaden sto ikke på sakslisten');
  await page.getByLabel('Beskrivelse').fill('Komplett søknad ble ikke tatt opp i to tildelingsmøter på rad.');
  await page.getByLabel('Kategori').selectOption({ index: 1 });
  await page.getByLabel('Alvorlighetsgrad').selectOption('middels');
  await page.getByRole('button', { name: 'Registrer avviket' }).click();
  const receipt = page.locator('#kvittering');
  await receipt.waitFor();
  const id = /AVVIK-\d{4}-\d{4}/.exec(await receipt.innerText())[0];
  await expectAccessible(page, 'meldt av ansatt');
  await screenshots(page, 'reporters-meldt');

  // The responsible leader sees who reported it, and receives it.
  const leaderContext = await newContext(browser, host);
  const leader = await signIn(leaderContext, host, 'leder-boligkontor', `/avvik/${id}`);
  assert.match(await leader.locator('dl.fakta').innerText(), /Meldt av\s+Fatima Ali \(NAV/);
  await leader.getByRole('button', { name: 'Motta avviket' }).click();
  await leader.locator('#melding .melding.ok').filter({ hasText: 'Ny status: Mottatt' }).waitFor({ timeout: 15000 });
  await expectAccessible(leader, 'avvik meldt av ansatt, hos leder');
  await screenshots(leader, 'reporters-leder-avvik');
  // The rest of the handling (tested click by click in web.pages) through the API.
  const path = `/api/v1/deviations/${id}`;
  assert.equal((await apiCall(host, 'leder-boligkontor', 'POST', `${path}/transitions`, { transition: 'behandle' })).status, 200);
  const closed = await apiCall(host, 'leder-boligkontor', 'POST', `${path}/transitions`, {
    transition: 'lukk',
    cause: 'Sakslisten ble satt opp for hånd.',
    evaluation: 'Rettet i ny versjon av rutinen; de neste møtene hadde alle søknadene.',
    cause_codes: ['rutine_ikke_fulgt'],
    resolved_in_version: '3.0',
  });
  assert.equal(closed.status, 200, closed.text);

  // The employee sees it closed: on the start page, and on the avvik itself.
  await goto(page, host, '/');
  const mine = page.getByRole('region', { name: /Avvik du har meldt \(1\)/ });
  assert.match(await mine.innerText(), new RegExp(`${id}[\\s\\S]*Lukket \\(steg 5 av 5\\)`));
  await expectAccessible(page, 'start ansatt med lukket avvik');
  await screenshots(page, 'reporters-start-lukket');
  await mine.getByRole('link', { name: new RegExp(id) }).click();
  await ready(page);
  const facts = await page.locator('dl.fakta').innerText();
  assert.match(facts, /Status\s+Lukket/);
  assert.match(facts, /Sakslisten ble satt opp for hånd\./);
  assert.equal(await page.getByRole('button', { name: 'Lukk avviket' }).count(), 0, 'the reporter does not close');
  await screenshots(page, 'reporters-ansatt-lukket');

  // A leader of a third unit: not in the list, and the avvik's page says it does not exist.
  const strangerContext = await newContext(browser, host);
  const stranger = await signIn(strangerContext, host, 'leder-okonomi', '/avvik?visning=enhetens');
  assert.equal(await stranger.locator('tr', { hasText: id }).count(), 0);
  await goto(stranger, host, `/avvik/${id}`);
  const shown = await stranger.locator('#visning').innerText();
  assert.match(shown, /finnes ikke/);
  assert.ok(!shown.includes('sakslisten'), 'nothing of the avvik is shown');
  await screenshots(stranger, 'reporters-tredje-enhet');
  const api404 = await apiCall(host, 'leder-okonomi', 'GET', path);
  assert.equal(api404.status, 404);

  // The quality leader's Oversikt: where units fail each other.
  const qualityContext = await newContext(browser, host);
  const quality = await signIn(qualityContext, host, 'kvalitetsleder', '/oversikt');
  const pairs = quality.locator('#enhetspar');
  await pairs.waitFor();
  assert.match(await pairs.locator('tbody tr').first().innerText(), /NAV-kontoret\s+Boligkontoret\s+1/);
  await expectAccessible(quality, 'oversikt med enhetspar');
  await pairs.screenshot({ path: `${process.env.BOLIGFLYT_SCREENSHOT_DIR || '/tmp'}/reporters-enhetspar.png` });
  assertNoProblems(qualityContext);
  await qualityContext.close();

  assertNoProblems(employee);
  assertNoProblems(leaderContext);
  await employee.close();
  await leaderContext.close();
  await strangerContext.close();
});
