// Avvik categories and cause codes in a real browser (issue 12, items 2 and 3): the
// registration page offers exactly the chosen step's categories (generic and the procedure
// version's own), locks "personal data" on a step that handles it, and the closing form asks
// for one or more cause codes, which the avvik, its history and the overview then show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiCall, assertNoProblems, expectAccessible, goto, launchBrowser, newContext, screenshots,
  signIn, startHost,
} from './support.mjs';

let host;
let browser;
let registeredId = null;

before(async () => {
  host = await startHost();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

async function okMessage(page, text) {
  await page.locator('#melding .melding.ok').filter({ hasText: text }).waitFor({ timeout: 15000 });
}

async function optionLabels(select) {
  return select.locator('option').evaluateAll((options) => options.map((o) => o.textContent));
}

test('registering offers the step\'s own categories and locks personal data on a sensitive step', async () => {
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-nav', '/registrer');
  const category = page.getByLabel('Kategori', { exact: true });
  assert.equal(await category.isDisabled(), true, 'no categories before a step is chosen');

  // A step that handles personal data: the box is ticked, locked and explained.
  await page.locator('rect[data-velgbar][data-step="institusjon-varsel"]').click();
  const personal = page.getByLabel('Saken berører personopplysninger (sendes skjermet til arkivet)');
  await page.locator('#avvik-personopplysninger-merknad').waitFor({ state: 'visible' });
  assert.equal(await personal.isChecked(), true);
  assert.equal(await personal.isDisabled(), true);
  await category.locator('option[value="institusjonsopphold-ikke-meldt"]').waitFor({ state: 'attached' });
  await expectAccessible(page, 'registrer, trinn med personopplysninger');

  // The tildelingsmøte: its own category is offered, one bound to other steps is not.
  await page.locator('rect[data-velgbar][data-step="tildelingsmote"]').click();
  await category.locator('option[value="tildelingsmote-forbigatt"]').waitFor({ state: 'attached' });
  const labels = await optionLabels(category);
  assert.ok(labels.includes('Saken gikk utenom tildelingsmøtet'), labels.join(' | '));
  assert.ok(labels.includes('Tolk ble ikke brukt'), 'a category for every step');
  assert.ok(labels.includes('Frist overskredet'), 'the generic categories stay');
  assert.ok(!labels.includes('Inkasso eller namsmann uten samarbeidsmøte'), labels.join(' | '));
  assert.ok(!labels.includes('Institusjonsopphold eller soning ble ikke meldt'), 'the previous step\'s category is gone');
  assert.equal(await personal.isDisabled(), false, 'an ordinary step: the reporter decides');
  assert.equal(await personal.isChecked(), false, 'the lock is lifted with the reporter\'s own choice');
  assert.equal(await page.locator('#avvik-personopplysninger-merknad').isVisible(), false);

  await category.selectOption('tildelingsmote-forbigatt');
  assert.match(await page.locator('#avvik-kategori-forklaring').innerText(), /tverrfaglige tildelingsmøtet/);
  await page.getByLabel('Kort tittel').fill('Søknaden gikk utenom tildelingsmøtet');
  await page.getByLabel('Beskrivelse').fill('Søknaden ble avgjort av boligkontoret uten å ha vært i møtet.');
  await page.getByLabel('Alvorlighetsgrad').selectOption('middels');
  await expectAccessible(page, 'registrer med prosedyrens kategori');
  await screenshots(page, 'registrer-kategori');
  await page.getByRole('button', { name: 'Registrer avviket' }).click();
  const receipt = page.locator('#kvittering');
  await receipt.waitFor();
  registeredId = /AVVIK-\d{4}-\d{4}/.exec(await receipt.innerText())[0];
  const stored = await apiCall(host, 'leder-nav', 'GET', `/api/v1/deviations/${registeredId}`);
  assert.equal(stored.json.category, 'tildelingsmote-forbigatt');
  assert.equal(stored.json.category_label, 'Saken gikk utenom tildelingsmøtet');
  assert.equal(stored.json.procedure_version, '3.1');
  assertNoProblems(context);
  await context.close();
});

test('closing asks for cause codes; the avvik, its history and the overview show them', async () => {
  assert.ok(registeredId, 'needs the avvik registered above');
  const path = `/api/v1/deviations/${registeredId}`;
  for (const transition of ['motta', 'behandle']) {
    const r = await apiCall(host, 'leder-boligkontor', 'POST', `${path}/transitions`, { transition });
    assert.equal(r.status, 200, r.text);
  }
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-boligkontor', `/avvik/${registeredId}`);
  assert.match(await page.locator('dl.fakta').innerText(), /Saken gikk utenom tildelingsmøtet/);
  const close = page.locator('form[data-overgang="lukk"]');
  await close.getByLabel('Årsak').fill('Forskriftsvurderingen ble gjort uten å sjekke møtelisten.');
  await close.getByLabel('Vurdering av effekt').fill('Alle søknader står nå på møtelisten.');
  await close.getByLabel('Løst i prosedyreversjon (valgfritt)').fill('3.1');
  await close.getByRole('button', { name: 'Lukk avviket' }).click();
  const missing = close.locator('.arsakskoder .feltfeil');
  await missing.waitFor({ state: 'visible' });
  assert.match(await missing.innerText(), /minst én årsakskode/);
  assert.equal((await apiCall(host, 'leder-boligkontor', 'GET', path)).json.status, 'under_behandling', 'nothing was sent');
  await close.getByLabel('Rutinen ble ikke fulgt').check();
  await close.getByLabel('Kommunikasjon mellom enheter').check();
  assert.equal(await missing.isVisible(), false, 'the hint goes once a code is chosen');
  await expectAccessible(page, 'lukk med årsakskoder');
  await screenshots(page, 'lukk-arsakskoder');
  await close.getByRole('button', { name: 'Lukk avviket' }).click();
  await okMessage(page, 'Ny status: Lukket');
  const facts = await page.locator('dl.fakta').innerText();
  assert.match(facts, /Årsakskoder\s+Rutinen ble ikke fulgt, Kommunikasjon mellom enheter/);
  assert.match(await page.locator('#visning').innerText(), /årsakskoder: Rutinen ble ikke fulgt, Kommunikasjon mellom enheter/);
  await expectAccessible(page, 'avvik lukket med årsakskoder');
  const stored = await apiCall(host, 'leder-boligkontor', 'GET', path);
  assert.deepEqual(stored.json.cause_codes.map((c) => c.code), ['rutine_ikke_fulgt', 'kommunikasjon']);
  assertNoProblems(context);
  await context.close();

  const quality = await newContext(browser, host);
  const overview = await signIn(quality, host, 'kvalitetsleder', '/oversikt');
  const table = overview.locator('table', { has: overview.locator('caption', { hasText: 'Per årsakskode' }) });
  await table.waitFor();
  const text = await table.innerText();
  assert.match(text, /Kommunikasjon mellom enheter\s+1/);
  assert.match(text, /Rutinen ble ikke fulgt\s+1/);
  assert.match(await overview.locator('table', { has: overview.locator('caption', { hasText: 'Per kategori' }) }).innerText(),
    /Saken gikk utenom tildelingsmøtet\s+1/);
  await expectAccessible(overview, 'oversikt med årsakskoder');
  await screenshots(overview, 'oversikt-arsakskoder');
  await goto(overview, host, '/oversikt');
  assertNoProblems(quality);
  await quality.close();
});
