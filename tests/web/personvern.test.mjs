// Personvernavvik and escalation in a real browser: the personvernombud signs in and finds
// personvernavvik as tasks with their 72-hour deadline, records the assessment on the avvik
// page (a refusal stands next to its field), sees escalated avvik marked, and the quality
// leader's Oversikt counts the deadline kept or missed. The host runs with its development
// clock 75 hours ahead (--dev-clock-offset), so a breach discovered now is already past its
// deadline and escalated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiCall, assertNoProblems, expectAccessible, goto, launchBrowser, newContext, screenshots,
  signIn, startHost, waitFor,
} from './support.mjs';

let host;
let browser;
let late;  // discovered 75 hours ago in the plugin's time: escalated
let fresh;  // discovered now in the plugin's time

before(async () => {
  host = await startHost({
    plugin: {
      maintenance_interval_ms: 200,
      deviations: { data_protection_officer: { user: 'personvernombud' }, escalate_after: 'PT1H' },
    },
    args: ['--dev-clock-offset', '270000'],
  });
  browser = await launchBrowser();
  const yesterday = new Date(Date.now() - 86400e3).toISOString().slice(0, 10);
  const register = async (fields) => {
    const r = await apiCall(host, 'leder-boligkontor', 'POST', '/api/v1/deviations', {
      procedure_id: 'boligflytprosedyre',
      step_id: 'tildelingsmote',
      incident_date: yesterday,
      category: 'personvernavvik',
      severity: 'hoy',
      title: 'Innstilling sendt til feil etat',
      description: 'Innstillingen gikk til feil mottaker.',
      ...fields,
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.personal_data, true, 'a personvernavvik is always personal data');
    return r.json;
  };
  late = await register({ discovered_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
  fresh = await register({ title: 'Skjermet dokument lå åpent i fellesmappen' });
  await waitFor(async () => {
    const r = await apiCall(host, 'kvalitetsleder', 'GET', `/api/v1/deviations/${late.id}`);
    return r.json.escalations.length > 0;
  }, 20000, 'the escalation');
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

test('the register page asks when the breach was discovered and always marks it as personal data', async () => {
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-boligkontor', '/registrer');
  const discovered = page.locator('#avvik-oppdaget');
  assert.equal(await discovered.isVisible(), false, 'hidden for other categories');
  // The categories are the chosen step's (web.categories): choose the step first.
  await page.locator('rect[data-velgbar][data-step="tildelingsmote"]').click();
  await page.locator('#avvik-kategori option[value="personvernavvik"]').waitFor({ state: 'attached' });
  await page.locator('#avvik-kategori').selectOption('personvernavvik');
  await discovered.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#avvik-personopplysninger').isChecked(), true);
  assert.equal(await page.locator('#avvik-personopplysninger').isDisabled(), true);
  await expectAccessible(page, 'the register page with a personvernavvik');
  await screenshots(page, 'personvern-registrer');
  await page.locator('#avvik-kategori').selectOption('uklart_ansvar');
  assert.equal(await discovered.isVisible(), false);
  assert.equal(await page.locator('#avvik-personopplysninger').isDisabled(), false);
  assertNoProblems(context);
  await context.close();
});

test('the personvernombud sees personvernavvik as tasks, escalated ones marked, and records the assessment', async () => {
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'personvernombud', '/');
  const tasks = page.locator('section', { has: page.locator('h2', { hasText: 'Personvernavvik å vurdere' }) });
  await tasks.locator('h2', { hasText: '(2)' }).waitFor();
  const lateTask = tasks.locator('li', { hasText: late.id });
  assert.match(await lateTask.innerText(), /Forfalt/);
  assert.match(await lateTask.innerText(), /eskalert/);
  assert.match(await lateTask.innerText(), /Vurderes innen/);
  assert.doesNotMatch(await tasks.locator('li', { hasText: fresh.id }).innerText(), /Forfalt/);
  await expectAccessible(page, 'the officer\'s start page');
  await screenshots(page, 'personvern-start');

  await goto(page, host, '/avvik?visning=personvern');
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), 2, 'every personvernavvik, though none is the officer\'s unit\'s');
  assert.match(await rows.filter({ hasText: late.id }).innerText(), /Eskalert/);

  await goto(page, host, `/avvik/${late.id}`);
  assert.match(await page.locator('.fakta').first().innerText(), /Eskalert/);
  assert.match(await page.locator('.fakta').first().innerText(), /Frist for vurdering \(72 timer\)/);
  const form = page.locator('form[aria-label="Vurdering av personvernavviket"]');
  // A risk to the persons without notifying Datatilsynet is refused next to the field.
  await form.locator('#pv-risiko').selectOption('middels');
  await form.locator('#pv-varsles').selectOption('false');
  await form.locator('#pv-begrunnelse').fill('Vi vurderer at det ikke trengs.');
  await form.locator('button[type="submit"]').click();
  await page.locator('#pv-varsles[aria-invalid="true"]').waitFor();
  assert.match(await form.innerText(), /Datatilsynet skal varsles/);
  await expectAccessible(page, 'the assessment refused');

  const notifiedAt = await page.evaluate(() => {
    const d = new Date(Date.now() + 3600e3);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
  await form.locator('#pv-varsles').selectOption('true');
  await form.locator('#pv-varslet').fill(notifiedAt);
  await form.locator('#pv-referanse').fill('26/01234');
  await form.locator('button[type="submit"]').click();
  await page.locator('#melding .melding.ok').filter({ hasText: 'Vurderingen er lagret.' }).waitFor();
  const section = page.locator('section', { has: page.locator('#personvern-h') });
  assert.match(await section.innerText(), /26\/01234/);
  assert.match(await section.innerText(), /etter fristen/);
  await expectAccessible(page, 'the assessed personvernavvik');
  await screenshots(page, 'personvern-vurdert');

  const stored = await apiCall(host, 'leder-boligkontor', 'GET', `/api/v1/deviations/${late.id}`);
  assert.equal(stored.json.privacy_assessment.reference, '26/01234', 'visible to the responsible leader');
  assert.equal(stored.json.privacy_assessment.risk, 'middels');
  assertNoProblems(context);
  await context.close();
});

test('the quality leader\'s Oversikt counts personvernavvik by their 72-hour deadline', async () => {
  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'kvalitetsleder', '/oversikt');
  const section = page.locator('section', { has: page.locator('#personvern-oversikt') });
  await section.waitFor();
  const text = await section.innerText();
  assert.match(text, /2\s*Personvernavvik/);
  assert.match(text, /1\s*Vurdert for sent/);
  await expectAccessible(page, 'Oversikt');
  await screenshots(page, 'personvern-oversikt');
  assertNoProblems(context);
  await context.close();
});
