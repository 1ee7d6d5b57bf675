// Attachments on the avvik page in a real browser (issue 12, item 6): attach a PDF and a
// journalpost reference, see them listed and download the file; a file that is not what its
// type says is refused next to the field and nothing is attached. Checked with axe-core
// (WCAG 2.1 A + AA), screenshots at desktop and phone width into BOLIGFLYT_SCREENSHOT_DIR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  apiCall, assertNoProblems, expectAccessible, launchBrowser, newContext, screenshots, signIn,
  startHost,
} from './support.mjs';

let host;
let browser;

before(async () => {
  host = await startHost({ plugin: { maintenance_interval_ms: 200 } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await host?.stop();
});

// A small, complete PDF: header, one page, cross-reference table and %%EOF.
function minimalPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.7\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

test('an avvik page attaches a PDF and a journalpost reference, and refuses a false PNG', async () => {
  const created = await apiCall(host, 'leder-boligkontor', 'POST', '/api/v1/deviations', {
    procedure_id: 'boligflytprosedyre',
    step_id: 'tildelingsmote',
    incident_date: '2025-03-10',
    category: 'prosedyre_ikke_fulgt',
    severity: 'middels',
    title: 'Søknadene lå i tre uker',
    description: 'Møtet ble avlyst uten ny dato.',
    case_reference: '26/04185',
  });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id;
  assert.equal(created.json.case_reference, '2026/4185', 'the saksnummer is stored in its canonical form');

  const context = await newContext(browser, host);
  const page = await signIn(context, host, 'leder-boligkontor', `/avvik/${id}`);
  await page.locator('#vedlegg-h').waitFor();
  assert.equal(await page.locator('#vedlegg-liste').count(), 0);
  await expectAccessible(page, 'avvik page without attachments');

  // A PNG that is really text: refused next to the file field, nothing attached.
  await page.locator('#vedlegg-fil').setInputFiles({ name: 'bilde.png', mimeType: 'image/png', buffer: Buffer.from('ikke et bilde') });
  await page.getByRole('button', { name: 'Legg ved filen' }).click();
  await page.locator('#vedlegg-fil-feil:not([hidden])').waitFor();
  assert.match(await page.locator('#vedlegg-fil-feil').textContent(), /ikke en hel PDF-, PNG- eller JPEG-fil/);
  assert.equal(await page.locator('#vedlegg-fil').getAttribute('aria-invalid'), 'true');
  await expectAccessible(page, 'avvik page with a refused file');
  await screenshots(page, 'vedlegg-avvist');
  const none = await apiCall(host, 'leder-boligkontor', 'GET', `/api/v1/deviations/${id}/attachments`);
  assert.equal(none.json.items.length, 0, 'nothing half-stored');

  // A real PDF, with a description.
  const pdf = minimalPdf();
  await page.locator('#vedlegg-fil').setInputFiles({ name: 'Møtereferat.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.locator('#vedlegg-beskrivelse').fill('Referat fra tildelingsmøtet');
  await page.getByRole('button', { name: 'Legg ved filen' }).click();
  await page.locator('#melding .melding.ok').filter({ hasText: 'Filen er lagt ved som vedlegg 1.' }).waitFor();
  await page.locator('#vedlegg-liste').getByRole('link', { name: 'Møtereferat.pdf' }).waitFor();

  // A journalpost reference, typed as the archive prints it.
  await page.locator('#vedlegg-referanse').fill('26/04185-2');
  await page.getByRole('button', { name: 'Legg ved referansen' }).click();
  await page.locator('#melding .melding.ok').filter({ hasText: 'Journalpost 2026/4185-2 er lagt ved.' }).waitFor();
  const items = page.locator('#vedlegg-liste > li');
  assert.equal(await items.count(), 2);
  assert.match(await items.nth(0).textContent(), /Møtereferat\.pdf \(PDF, 1 kB\)|Møtereferat\.pdf \(PDF, \d+ byte\)/);
  assert.match(await items.nth(0).textContent(), /Referat fra tildelingsmøtet/);
  assert.match(await items.nth(1).textContent(), /Journalpost 2026\/4185-2 i arkivet/);
  assert.match(await page.locator('#historikk-h + ol').textContent(), /Vedlegg lagt til/);
  await expectAccessible(page, 'avvik page with attachments');
  await screenshots(page, 'vedlegg');

  // The link downloads the bytes as they were attached.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#vedlegg-liste').getByRole('link', { name: 'Møtereferat.pdf' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'Møtereferat.pdf');
  assert.deepEqual(readFileSync(await download.path()), pdf);

  assertNoProblems(context);
  await context.close();
});
