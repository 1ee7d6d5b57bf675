// boligflyt pages. Plain JavaScript, no framework, no inline handlers (the CSP forbids them).
// Safety rule: text from the API (anything a person typed) goes into the page only through
// text nodes (h() below, textContent), never as markup. No free text goes into a URL or a
// page title.
'use strict';

(() => {
  // --- small helpers ----------------------------------------------------------------------

  /** Creates an element; strings among the children become text nodes, never markup. */
  function h(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') e.className = value;
      else if (key.startsWith('on') && typeof value === 'function') {
        e.addEventListener(key.slice(2), value);
      } else if (value === true) e.setAttribute(key, '');
      else e.setAttribute(key, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      e.append(child instanceof Node ? child : String(child));
    }
    return e;
  }

  const view = () => document.getElementById('visning');
  const today = () => {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  };
  const formatDate = (iso) => {
    if (!iso) return '';
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
    return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
  };
  const formatDateTime = (iso) => {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return d.toLocaleString('nb-NO', { dateStyle: 'short', timeStyle: 'short' });
  };
  let idCounter = 0;
  const newId = (prefix) => `${prefix}-${++idCounter}`;

  function setContent(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  function message(kind, ...text) {
    return h('div', { class: `melding ${kind}`, role: kind === 'feil' ? 'alert' : 'status' }, ...text);
  }

  // --- API --------------------------------------------------------------------------------

  let csrfToken = null;
  let me = null;

  async function api(method, path, options = {}) {
    const headers = { Accept: options.accept || 'application/json' };
    let body = options.body;
    if (body !== undefined && typeof body !== 'string') {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(body);
    } else if (body !== undefined) {
      headers['Content-Type'] = options.contentType || 'text/plain';
    }
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    if (options.etag) headers['If-Match'] = options.etag;
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
    let response;
    try {
      response = await fetch(path, { method, headers, body, credentials: 'same-origin' });
    } catch {
      return { ok: false, status: 0, data: { title: 'Ingen forbindelse', detail: 'Fikk ikke kontakt med tjenesten. Sjekk nettverket og prøv igjen.' } };
    }
    if (response.status === 401) {
      window.location.assign(`/logg-inn?neste=${encodeURIComponent(window.location.pathname)}`);
    }
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await response.json() : await response.text();
    return { ok: response.ok, status: response.status, data, etag: response.headers.get('ETag') };
  }

  async function getJson(path) {
    const r = await api('GET', path);
    if (!r.ok) throw new ProblemError(r);
    return r.data;
  }

  class ProblemError extends Error {
    constructor(result) {
      super(problemText(result));
      this.result = result;
    }
  }

  function problemText(result) {
    const p = result.data;
    if (result.status === 412) {
      return 'Noen andre har endret dette mens du arbeidet med det. Det du skrev er ikke lagret. ' +
        'Last inn på nytt for å se endringene, og prøv igjen.';
    }
    if (p && typeof p === 'object') return [p.title, p.detail].filter(Boolean).join(': ');
    return `Noe gikk galt (status ${result.status}). Prøv igjen.`;
  }

  function showError(container, error) {
    const text = error instanceof ProblemError ? error.message : 'Det oppstod en uventet feil. Prøv igjen.';
    setContent(container, message('feil', text));
  }

  // --- labels -----------------------------------------------------------------------------

  const kTransitionLabels = {
    motta: 'Motta avviket',
    behandle: 'Start behandling',
    tiltak: 'Sett i gang tiltak',
    lukk: 'Lukk avviket',
    avvis: 'Avvis avviket',
    gjenapne: 'Gjenåpne avviket',
  };
  const kTransitionDone = {
    motta: 'mottatt',
    behandle: 'behandling startet',
    tiltak: 'satt til tiltak',
    lukk: 'lukket',
    avvis: 'avvist',
    gjenapne: 'gjenåpnet',
  };
  const kFieldLabels = {
    cause: ['Årsak', 'Hva var årsaken til avviket?'],
    evaluation: ['Vurdering av effekt', 'Virket tiltakene? Hvordan vet dere det?'],
    reason: ['Begrunnelse', ''],
  };
  const kHistoryLabels = {
    registered: 'Registrert',
    transition: 'Status endret',
    comment: 'Kommentar',
    comment_added: 'Kommentar lagt til',
    participant_added: 'Deltakende enhet lagt til',
    action_added: 'Tiltak lagt til',
    action_completed: 'Tiltak utført',
    draft_linked: 'Koblet til utkast',
    privacy_assessed: 'Personvernavviket vurdert',
    escalated: 'Eskalert til overordnet leder og kvalitetsleder',
    attachment_added: 'Vedlegg lagt til',
  };
  const kVersionStatus = {
    draft: 'Utkast',
    consultation: 'På høring',
    approved: 'Godkjent',
    published: 'Publisert',
    superseded: 'Erstattet',
  };
  const kChangeKinds = {
    added: 'Nytt trinn',
    removed: 'Fjernet trinn',
    renamed: 'Nytt navn',
    moved: 'Flyttet',
    responsible_changed: 'Ny ansvarlig enhet',
    participants_changed: 'Andre deltakende enheter',
    deadlines_changed: 'Endrede frister',
    text_changed: 'Endret tekst',
    flow_changed: 'Endret flyt',
    documents_changed: 'Endrede dokumenter',
    legal_basis_changed: 'Endret hjemmel',
    handovers_changed: 'Endrede overleveringer',
    escalations_changed: 'Endret eskalering',
    parties_changed: 'Endrede eksterne parter',
    meeting_changed: 'Endret møte',
  };

  let unitsCache = null;
  async function units() {
    if (!unitsCache) unitsCache = (await getJson('/api/v1/units')).items;
    return unitsCache;
  }
  const unitName = (list, id) => (list.find((u) => u.id === id) || { name: id }).name;

  let codesCache = null;
  async function codes() {
    if (!codesCache) codesCache = await getJson('/api/v1/deviation-codes');
    return codesCache;
  }

  let causeCodesCache = null;
  async function causeCodes() {
    if (!causeCodesCache) causeCodesCache = (await getJson('/api/v1/deviation-cause-codes')).items;
    return causeCodesCache;
  }

  async function procedures() {
    return (await getJson('/api/v1/procedures')).items;
  }

  // --- the frame: navigation, user, sign-out ----------------------------------------------

  async function frame(page) {
    const current = page === 'avvik-detalj' ? 'avvik' : page;
    for (const a of document.querySelectorAll('[data-nav]')) {
      if (a.dataset.nav === current) a.setAttribute('aria-current', 'page');
    }
    const [sessionResult, meResult] = await Promise.all([
      api('GET', '/auth/session'),
      api('GET', '/api/v1/me'),
    ]);
    if (sessionResult.ok) csrfToken = sessionResult.data.csrf_token;
    if (!meResult.ok) throw new ProblemError(meResult);
    me = meResult.data;
    const user = document.getElementById('bruker');
    // The units too: signed in through the municipality's identity provider, the units come
    // from its groups, and this is where a person sees which ones boligflyt gave them.
    const unitNames = me.units.map((u) => u.name || u.id).join(', ');
    const children = [h('span', {}, `Innlogget som ${me.display_name}${unitNames ? ` · ${unitNames}` : ''}`)];
    if (sessionResult.ok) {
      children.push(h('button', {
        type: 'button',
        class: 'sekundar',
        onclick: async () => {
          await api('POST', '/logg-ut');
          window.location.assign('/logg-inn');
        },
      }, 'Logg ut'));
    }
    setContent(user, children);
  }

  const myUnitIds = () => me.units.map((u) => u.id);
  const hasRole = (role) => me.roles.includes(role);

  // --- start page: what waits for me ------------------------------------------------------

  function taskItem({ href, text, detail, overdue }) {
    return h('li', { class: overdue ? 'forfalt' : null },
      h('a', { href }, text),
      overdue ? h('span', { class: 'merkelapp forfalt' }, 'Forfalt') : null,
      detail ? h('div', { class: 'hjelp' }, detail) : null);
  }

  function taskSection(title, items, emptyText) {
    const sorted = [...items].sort((a, b) => (b.overdue - a.overdue) || String(a.due).localeCompare(String(b.due)));
    const id = newId('oppgave');
    return h('section', { 'aria-labelledby': id },
      h('h2', { id }, `${title} (${items.length})`),
      sorted.length ? h('ul', { class: 'oppgaver' }, sorted.map(taskItem)) : h('p', { class: 'tom' }, emptyText));
  }

  async function startPage() {
    const target = view();
    const all = await getJson('/api/v1/deviations?limit=500&sort=created');
    const mine = myUnitIds();
    const allowed = (d, t) => d.allowed_transitions.some((x) => x.transition === t);
    const avvikTask = (d) => ({
      href: `/avvik/${encodeURIComponent(d.id)}`,
      text: `${d.id}: ${d.title}`,
      detail: `${d.status_label} · ${d.step.title || d.step.id} · frist ${formatDate(d.status === 'registrert' ? d.deadlines.receive_by : d.deadlines.close_by)}${d.escalations.length ? ' · eskalert' : ''}`,
      overdue: d.deadlines.overdue,
      due: d.status === 'registrert' ? d.deadlines.receive_by : d.deadlines.close_by,
    });
    const toReceive = all.items.filter((d) => allowed(d, 'motta')).map(avvikTask);
    const toTreat = all.items
      .filter((d) => !allowed(d, 'motta') && ['behandle', 'tiltak', 'lukk'].some((t) => allowed(d, t)))
      .map(avvikTask);
    const actions = [];
    for (const d of all.items) {
      if (d.status === 'lukket' || d.status === 'avvist') continue;
      for (const a of d.actions) {
        if (a.done_date || !mine.includes(a.owner_unit)) continue;
        actions.push({
          href: `/avvik/${encodeURIComponent(d.id)}`,
          text: `Tiltak ${a.action_no} i ${d.id}: ${a.description}`,
          detail: `Frist ${formatDate(a.due_date)} · ${a.owner_unit_name || a.owner_unit}`,
          overdue: a.due_date < today(),
          due: a.due_date,
        });
      }
    }
    const hearings = [];
    const toRead = [];
    const unitList = await units();
    for (const p of await procedures()) {
      const versions = (await getJson(`/api/v1/procedures/${encodeURIComponent(p.id)}/versions`)).items;
      for (const v of versions.filter((x) => x.status === 'consultation')) {
        const c = await getJson(`/api/v1/procedures/${encodeURIComponent(p.id)}/versions/${encodeURIComponent(v.version)}/consultation`);
        for (const a of c.answers.filter((x) => !x.answer && mine.includes(x.unit_id))) {
          hearings.push({
            href: `/revisjon?versjon=${encodeURIComponent(v.version)}`,
            text: `${p.title} ${v.version}: høringssvar fra ${unitName(unitList, a.unit_id)}`,
            detail: c.deadline ? `Frist ${formatDate(c.deadline)}` : null,
            overdue: Boolean(c.deadline && c.deadline < today()),
            due: c.deadline || '',
          });
        }
      }
      if (p.in_force) {
        const r = await api('GET', `/api/v1/procedures/${encodeURIComponent(p.id)}/versions/${encodeURIComponent(p.in_force.version)}/read-confirmations`);
        if (r.ok && r.data.missing.includes(me.user_id)) {
          toRead.push({
            href: `/revisjon?versjon=${encodeURIComponent(p.in_force.version)}`,
            text: `Bekreft at du har lest ${p.title} ${p.in_force.version}`,
            detail: `Gjelder fra ${formatDate(p.in_force.effective_from)}`,
            overdue: false,
            due: p.in_force.effective_from,
          });
        }
      }
    }
    const reported = all.items.filter((d) => d.reported_by_me);
    // Someone with no role but employee reports and follows; the task lists would be empty.
    // (The personvernombud, procedure owners and approvers have tasks of their own.)
    if (!['unit_leader', 'quality_leader', 'data_protection_officer', 'procedure_owner', 'approver'].some(hasRole)) {
      setContent(target,
        h('p', {}, `Hei, ${me.display_name}. Har du sett at noe i boligflyten ikke gikk som prosedyren sier? Meld det, så følger lederen med ansvaret opp.`),
        h('p', {}, h('a', { class: 'knapp stor', href: '/registrer' }, 'Meld avvik')),
        reportedSection(reported));
      return;
    }
    setContent(target,
      h('p', {}, `Hei, ${me.display_name}. Her er det som venter på deg. Det som har passert fristen, står først.`),
      h('p', {}, h('a', { class: 'knapp', href: '/registrer' }, 'Meld avvik')),
      taskSection('Avvik å motta', toReceive, 'Ingen avvik venter på at du tar imot dem.'),
      taskSection('Avvik å behandle', toTreat, 'Ingen avvik venter på behandling fra deg.'),
      privacyTasks(all.items),
      taskSection('Tiltak med frist', actions, 'Enhetene dine har ingen tiltak som ikke er utført.'),
      taskSection('Høringer å svare på', hearings, 'Ingen høringer venter på svar fra enhetene dine.'),
      taskSection('Versjoner å bekrefte lest', toRead, 'Du har bekreftet at du har lest gjeldende versjon.'),
      reportedSection(reported));
  }

  // The avvik the signed-in person reported, newest first, with how far each has come.
  function reportedSection(items) {
    const id = newId('meldt');
    const steps = ['registrert', 'mottatt', 'under_behandling', 'tiltak', 'lukket'];
    const progress = (d) => {
      if (d.status === 'avvist') return 'Avvist';
      const at = Math.max(0, steps.indexOf(d.status === 'gjenapnet' ? 'mottatt' : d.status));
      return `${d.status_label} (steg ${at + 1} av ${steps.length})`;
    };
    return h('section', { 'aria-labelledby': id },
      h('h2', { id }, `Avvik du har meldt (${items.length})`),
      items.length
        ? h('ul', { class: 'oppgaver', id: 'mine-meldte' }, items.map((d) => h('li', {},
          h('a', { href: `/avvik/${encodeURIComponent(d.id)}` }, `${d.id}: ${d.title}`),
          h('span', { class: `merkelapp status-${d.status}` }, progress(d)),
          h('div', { class: 'hjelp' }, `${d.step.title || d.step.id} · til ${d.responsible_unit_name || d.responsible_unit} · meldt ${formatDate(d.created_at)}`
            + (d.closed_at ? ` · lukket ${formatDate(d.closed_at)}` : '')))))
        : h('p', { class: 'tom' }, 'Du har ikke meldt noen avvik ennå.'));
  }

  // --- the swimlane picture as a step picker ----------------------------------------------

  /** Inlines the server's SVG and makes each step a button (click, Enter, Space). */
  async function stepPicture(url, label, onPick) {
    const r = await api('GET', url, { accept: 'image/svg+xml' });
    if (!r.ok) throw new ProblemError(r);
    const doc = new DOMParser().parseFromString(r.data, 'image/svg+xml');
    const svg = document.importNode(doc.documentElement, true);
    // Our own renderer's output, but strip anything active all the same.
    for (const bad of svg.querySelectorAll('script, foreignObject')) bad.remove();
    svg.setAttribute('role', 'group');
    svg.setAttribute('aria-label', label);
    svg.removeAttribute('aria-labelledby');
    svg.removeAttribute('aria-describedby');
    const kSvg = 'http://www.w3.org/2000/svg';
    for (const g of svg.querySelectorAll('g[data-step]')) {
      const title = g.querySelector('title');
      const name = title ? title.textContent : g.dataset.step;
      const box = g.querySelector('rect[rx="6"]') || g.querySelector('rect');
      if (!box) continue;
      // The button is a transparent rectangle over the box: its name is the step's full
      // description, and the box's own text stays plain text for reading.
      const target = document.createElementNS(kSvg, 'rect');
      for (const a of ['x', 'y', 'width', 'height', 'rx']) target.setAttribute(a, box.getAttribute(a));
      target.setAttribute('fill', 'transparent');
      target.setAttribute('stroke', 'none');
      target.setAttribute('tabindex', '0');
      target.setAttribute('role', 'button');
      target.setAttribute('aria-label', `Velg trinnet: ${name}`);
      target.setAttribute('aria-pressed', 'false');
      target.setAttribute('data-velgbar', '');
      target.dataset.step = g.dataset.step;
      g.append(target);
      const pick = () => {
        for (const other of svg.querySelectorAll('[data-valgt]')) {
          other.removeAttribute('data-valgt');
          other.setAttribute('aria-pressed', 'false');
        }
        target.setAttribute('data-valgt', '');
        target.setAttribute('aria-pressed', 'true');
        onPick(g.dataset.step);
      };
      target.addEventListener('click', pick);
      target.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          pick();
        }
      });
    }
    // Pure decoration inside a group of buttons: hide the rest from assistive technology.
    for (const t of svg.querySelectorAll(':scope > title, :scope > desc')) t.remove();
    return svg;
  }

  function allSteps(version) {
    const out = [];
    for (const phase of version.phases) {
      for (const s of phase.steps) out.push({ ...s, phase: phase.title });
    }
    return out;
  }

  // --- Registrer avvik --------------------------------------------------------------------

  function field({ id, label, help, input }) {
    const helpId = help ? `${id}-hjelp` : null;
    const errorId = `${id}-feil`;
    input.id = id;
    if (helpId) input.setAttribute('aria-describedby', helpId);
    return h('div', { class: 'felt', 'data-felt': id },
      h('label', { for: id }, label),
      help ? h('p', { class: 'hjelp', id: helpId }, help) : null,
      input,
      h('p', { class: 'feltfeil', id: errorId, hidden: true }));
  }

  function setFieldError(form, id, text) {
    const input = form.querySelector(`#${id}`);
    const error = form.querySelector(`#${id}-feil`);
    if (!input || !error) return false;
    error.textContent = text;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
    if (!described.includes(error.id)) described.push(error.id);
    input.setAttribute('aria-describedby', described.join(' '));
    return true;
  }

  function clearFieldErrors(form) {
    for (const error of form.querySelectorAll('.feltfeil')) {
      error.textContent = '';
      error.hidden = true;
    }
    for (const input of form.querySelectorAll('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
      const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-feil'));
      if (described.length) input.setAttribute('aria-describedby', described.join(' '));
      else input.removeAttribute('aria-describedby');
    }
  }

  const kRegisterFields = {
    title: 'avvik-tittel',
    description: 'avvik-beskrivelse',
    case_reference: 'avvik-saksnummer',
    incident_date: 'avvik-dato',
    category: 'avvik-kategori',
    severity: 'avvik-alvor',
    personal_data: 'avvik-personopplysninger',
    step_id: 'trinn-sok',
    discovered_at: 'avvik-oppdaget',
  };

  async function registerPage() {
    const target = view();
    const [codeList, procedureList] = await Promise.all([codes(), procedures()]);
    const procedure = procedureList[0];
    if (!procedure) {
      setContent(target, message('feil', 'Ingen prosedyre er lastet inn.'));
      return;
    }
    let chosenStep = null;
    let version = null;
    const status = h('div', { 'aria-live': 'polite' });
    const chosen = h('p', { id: 'valgt-trinn', class: 'valgt', 'aria-live': 'polite' }, 'Ingen trinn er valgt ennå.');
    const picture = h('div', { class: 'bilde hoy' });
    const search = h('input', { type: 'search', autocomplete: 'off' });
    const hits = h('ul', { class: 'treff', id: 'trinn-treff' });
    const dateInput = h('input', { type: 'date', required: true, value: today(), max: today() });

    const choose = (stepId) => {
      const s = allSteps(version).find((x) => x.id === stepId);
      chosenStep = s;
      chosen.textContent = s ? `Valgt trinn: ${s.title}` : 'Ingen trinn er valgt ennå.';
      stepChanged(s);
      const svgStep = picture.querySelector(`rect[data-velgbar][data-step="${CSS.escape(stepId)}"]`);
      if (svgStep && !svgStep.hasAttribute('data-valgt')) {
        for (const other of picture.querySelectorAll('[data-valgt]')) {
          other.removeAttribute('data-valgt');
          other.setAttribute('aria-pressed', 'false');
        }
        svgStep.setAttribute('data-valgt', '');
        svgStep.setAttribute('aria-pressed', 'true');
      }
    };

    const showHits = () => {
      if (!version) return;
      const q = search.value.trim().toLowerCase();
      const found = q ? allSteps(version).filter((s) => s.title.toLowerCase().includes(q)) : [];
      setContent(hits, found.slice(0, 12).map((s) => h('li', {},
        h('button', { type: 'button', class: 'sekundar', onclick: () => choose(s.id) }, `${s.title} (${s.phase})`))));
    };
    search.addEventListener('input', showHits);

    const loadVersion = async () => {
      const date = dateInput.value || today();
      const r = await api('GET', `/api/v1/procedures/${encodeURIComponent(procedure.id)}/in-force?date=${encodeURIComponent(date)}`);
      if (!r.ok) {
        version = null;
        setContent(picture, message('feil', problemText(r)));
        return;
      }
      version = await getJson(`/api/v1/procedures/${encodeURIComponent(procedure.id)}/versions/${encodeURIComponent(r.data.version)}`);
      setContent(status, h('p', {}, `Versjon ${version.version} av prosedyren gjaldt ${formatDate(date)}. Velg trinnet der avviket skjedde i bildet, eller søk etter det.`));
      const svg = await stepPicture(
        `/api/v1/procedures/${encodeURIComponent(procedure.id)}/versions/${encodeURIComponent(version.version)}/diagram.svg`,
        `Flytdiagram for ${procedure.title} ${version.version}. Velg et trinn.`,
        choose);
      setContent(picture, svg);
      if (chosenStep && !allSteps(version).some((s) => s.id === chosenStep.id)) choose(null);
      else if (chosenStep) choose(chosenStep.id);
      showHits();
    };
    dateInput.addEventListener('change', loadVersion);

    const title = h('input', { type: 'text', required: true, maxlength: 200, autocomplete: 'off' });
    const description = h('textarea', { rows: 5, required: true });
    // Exactly the categories the chosen step allows: the generic ones and the version's own.
    const category = h('select', { required: true, disabled: true },
      h('option', { value: '' }, 'Velg trinnet først'));
    const categoryHelp = h('p', { class: 'hjelp', id: 'avvik-kategori-forklaring', 'aria-live': 'polite' });
    category.addEventListener('change', () => {
      const chosenOption = category.selectedOptions[0];
      categoryHelp.textContent = (chosenOption && chosenOption.dataset.forklaring) || '';
    });
    const personalNote = h('p', { class: 'hjelp', id: 'avvik-personopplysninger-merknad', hidden: true });
    let categoryRequest = 0;
    let personalBeforeLock = false;
    // The box is locked (ticked) while the step handles personal data or the category is a
    // personvernavvik; when neither holds any more, the reporter's own choice comes back.
    const personalLocks = { step: false, privacy: false };
    const applyPersonalLock = () => {
      const locked = personalLocks.step || personalLocks.privacy;
      if (locked && !personal.disabled) personalBeforeLock = personal.checked;
      if (!locked && personal.disabled) personal.checked = personalBeforeLock;
      personal.disabled = locked;
      if (locked) personal.checked = true;
    };
    const stepChanged = async (s) => {
      const request = ++categoryRequest;
      const previous = category.value;
      if (!s || !version) {
        setContent(category, h('option', { value: '' }, 'Velg trinnet først'));
        category.disabled = true;
        categoryHelp.textContent = '';
      } else {
        const r = await api('GET', `/api/v1/procedures/${encodeURIComponent(procedure.id)}/versions/${encodeURIComponent(version.version)}/deviation-categories?step=${encodeURIComponent(s.id)}`);
        if (request !== categoryRequest) return;  // another step was chosen meanwhile
        const items = r.ok ? r.data.items : codeList.categories.map((c) => ({ ...c, source: 'generic' }));
        const option = (c) => h('option', { value: c.code, 'data-forklaring': c.description || '' }, c.label);
        const own = items.filter((c) => c.source === 'procedure');
        setContent(category, h('option', { value: '' }, 'Velg kategori'),
          own.length ? h('optgroup', { label: `Kategorier for trinnet i versjon ${version.version}` }, own.map(option)) : null,
          h('optgroup', { label: 'Generelle kategorier' }, items.filter((c) => c.source !== 'procedure').map(option)));
        category.disabled = false;
        category.value = items.some((c) => c.code === previous) ? previous : '';
        category.dispatchEvent(new Event('change'));
      }
      // A step that handles personal data: the avvik always carries them (the API refuses
      // "no"), so the box is ticked and locked, and the page says why.
      const sensitive = Boolean(s && s.handles_personal_data);
      personalLocks.step = sensitive;
      applyPersonalLock();
      personalNote.hidden = !sensitive;
      personalNote.textContent = sensitive
        ? `Trinnet «${s.title}» behandler personopplysninger. Avvik på dette trinnet merkes alltid med personopplysninger og sendes skjermet til arkivet.`
        : '';
    };
    const severity = h('select', { required: true },
      h('option', { value: '' }, 'Velg alvorlighetsgrad'),
      codeList.severities.map((c) => h('option', { value: c.code }, c.label)));
    const caseRef = h('input', { type: 'text', autocomplete: 'off', inputmode: 'text' });
    const personal = h('input', { type: 'checkbox', id: 'avvik-personopplysninger' });
    const privacyPart = privacyRegisterPart(category, (privacy) => {
      personalLocks.privacy = privacy;
      applyPersonalLock();
    });
    const result = h('div', { id: 'resultat' });
    const reportingUnit = me.units.length > 1
      ? h('select', {}, me.units.map((u) => h('option', { value: u.id }, u.name || u.id)))
      : null;
    const idempotencyKey = crypto.randomUUID();

    const form = h('form', { novalidate: true, class: 'utskrift-vis' },
      field({ id: 'avvik-dato', label: 'Når skjedde det?', help: 'Bildet viser prosedyren slik den var denne dagen.', input: dateInput }),
      h('fieldset', {},
        h('legend', {}, 'Hvilket trinn gjelder det?'),
        status,
        field({ id: 'trinn-sok', label: 'Søk etter trinnet med navn', help: 'Eller velg det i bildet under.', input: search }),
        hits,
        chosen,
        picture),
      field({ id: 'avvik-tittel', label: 'Kort tittel', help: 'Hva gikk galt? Skriv ikke navn eller fødselsnummer.', input: title }),
      field({ id: 'avvik-beskrivelse', label: 'Beskrivelse', help: 'Hva skjedde, og hva var følgen? Bruk saksnummer i stedet for personopplysninger.', input: description }),
      field({ id: 'avvik-kategori', label: 'Kategori', help: 'Listen viser kategoriene som gjelder det valgte trinnet.', input: category }),
      categoryHelp,
      field({ id: 'avvik-alvor', label: 'Alvorlighetsgrad', input: severity }),
      privacyPart.node,
      field({ id: 'avvik-saksnummer', label: 'Saksnummer i arkivet (valgfritt)', help: 'For eksempel 2026/4185.', input: caseRef }),
      reportingUnit ? field({ id: 'avvik-enhet', label: 'Meldes fra enhet', input: reportingUnit }) : null,
      h('label', { class: 'avkrysning', for: 'avvik-personopplysninger' }, personal,
        'Saken berører personopplysninger (sendes skjermet til arkivet)'),
      personalNote,
      h('p', { class: 'feltfeil', id: 'avvik-personopplysninger-feil', hidden: true }),
      h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Registrer avviket')));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      setContent(result);
      let firstInvalid = null;
      const require = (ok, id, text) => {
        if (ok) return;
        setFieldError(form, id, text);
        firstInvalid = firstInvalid || form.querySelector(`#${id}`);
      };
      require(dateInput.value, 'avvik-dato', 'Skriv datoen da det skjedde.');
      require(chosenStep, 'trinn-sok', 'Velg trinnet i bildet, eller søk etter det.');
      require(title.value.trim(), 'avvik-tittel', 'Skriv en kort tittel.');
      require(description.value.trim(), 'avvik-beskrivelse', 'Beskriv hva som skjedde.');
      require(category.value, 'avvik-kategori', 'Velg en kategori.');
      require(severity.value, 'avvik-alvor', 'Velg en alvorlighetsgrad.');
      if (firstInvalid) {
        firstInvalid.focus();
        return;
      }
      const body = {
        procedure_id: procedure.id,
        step_id: chosenStep.id,
        incident_date: dateInput.value,
        category: category.value,
        severity: severity.value,
        title: title.value,
        description: description.value,
        personal_data: personal.checked,
      };
      if (caseRef.value.trim()) body.case_reference = caseRef.value.trim();
      privacyPart.apply(body);
      if (reportingUnit) body.reporting_unit = reportingUnit.value;
      const r = await api('POST', '/api/v1/deviations', { body, idempotencyKey });
      if (!r.ok) {
        const fieldId = r.data && kRegisterFields[r.data.field];
        // The refusal stands next to the field; its text never repeats what was typed.
        if (fieldId && setFieldError(form, fieldId, r.data.detail || r.data.title)) {
          form.querySelector(`#${fieldId}`).focus();
        } else {
          setContent(result, message('feil', problemText(r)));
          result.focus();
        }
        return;
      }
      const d = r.data;
      setContent(target,
        message('ok',
          h('h2', { id: 'kvittering', tabindex: '-1' }, `Avviket er registrert som ${d.id}`),
          h('p', {}, `Det er sendt til lederen for ${d.responsible_unit_name || d.responsible_unit}, som skal ta imot det innen ${formatDate(d.deadlines.receive_by)}.`),
          h('p', {}, h('a', { href: `/avvik/${encodeURIComponent(d.id)}` }, `Se avvik ${d.id}`), ' · ',
            h('a', { href: '/registrer' }, 'Registrer et nytt avvik'))));
      document.getElementById('kvittering').focus();
    });

    setContent(target,
      h('p', {}, 'Meld et avvik fra boligflytprosedyren til lederen som har ansvaret for trinnet. Felt uten «valgfritt» må fylles ut.'),
      form, result);
    result.setAttribute('tabindex', '-1');
    await loadVersion();
  }

  // --- Avvik: lists -----------------------------------------------------------------------

  async function avvikListPage() {
    const target = view();
    const params = new URLSearchParams(window.location.search);
    const scope = ['enhetens', 'personvern'].includes(params.get('visning')) ? params.get('visning') : 'mine';
    const codeList = await codes();
    const mine = myUnitIds();

    const statusSelect = h('select', { name: 'status' },
      h('option', { value: '' }, 'Alle'),
      h('option', { value: 'registrert,mottatt,under_behandling,tiltak,gjenapnet' }, 'Alle åpne'),
      codeList.statuses.map((s) => h('option', { value: s.code }, s.label)));
    const categorySelect = h('select', { name: 'category' }, h('option', { value: '' }, 'Alle'),
      codeList.categories.map((c) => h('option', { value: c.code }, c.label)));
    const severitySelect = h('select', { name: 'severity' }, h('option', { value: '' }, 'Alle'),
      codeList.severities.map((c) => h('option', { value: c.code }, c.label)));
    const sortSelect = h('select', { name: 'sort' },
      h('option', { value: '-created' }, 'Nyeste først'),
      h('option', { value: 'created' }, 'Eldste først'),
      h('option', { value: '-incident_date' }, 'Hendelsesdato, nyeste først'),
      h('option', { value: '-severity' }, 'Alvorligst først'),
      h('option', { value: '-updated' }, 'Sist endret først'));
    const overdue = h('input', { type: 'checkbox', name: 'overdue', value: 'true', id: 'filter-forfalt' });
    for (const [select, key] of [[statusSelect, 'status'], [categorySelect, 'category'], [severitySelect, 'severity'], [sortSelect, 'sort']]) {
      if (params.get(key)) select.value = params.get(key);
    }
    overdue.checked = params.get('overdue') === 'true';

    const form = h('form', { method: 'get', action: '/avvik', class: 'filtre', 'aria-label': 'Filtrer avvik' },
      h('input', { type: 'hidden', name: 'visning', value: scope }),
      field({ id: 'filter-status', label: 'Status', input: statusSelect }),
      field({ id: 'filter-kategori', label: 'Kategori', input: categorySelect }),
      field({ id: 'filter-alvor', label: 'Alvorlighetsgrad', input: severitySelect }),
      field({ id: 'filter-sortering', label: 'Sortering', input: sortSelect }),
      h('label', { class: 'avkrysning', for: 'filter-forfalt' }, overdue, 'Bare forfalte'),
      h('div', {}, h('button', { type: 'submit' }, 'Vis')));

    const query = new URLSearchParams();
    for (const key of ['status', 'category', 'severity', 'sort', 'overdue']) {
      if (params.get(key)) query.set(key, params.get(key));
    }
    if (!query.has('sort')) query.set('sort', '-created');
    query.set('limit', '200');
    const list = await getJson(`/api/v1/deviations?${query}`);
    const items = list.items.filter((d) => (scope === 'personvern' ? d.category === 'personvernavvik' : scope === 'mine'
      ? d.reported_by_me
      : mine.includes(d.responsible_unit) || mine.includes(d.reporting_unit)
        || d.participants.some((p) => mine.includes(p.unit_id))));

    const tabs = h('nav', { class: 'faner', 'aria-label': 'Hvilke avvik' },
      h('a', { href: '/avvik?visning=mine', 'aria-current': scope === 'mine' ? 'page' : null }, 'Mine'),
      h('a', { href: '/avvik?visning=enhetens', 'aria-current': scope === 'enhetens' ? 'page' : null }, 'Enhetens'),
      isPrivacyReader() ? h('a', { href: '/avvik?visning=personvern', 'aria-current': scope === 'personvern' ? 'page' : null }, 'Personvernavvik') : null);
    const cell = (label, ...content) => h('td', { 'data-etikett': label }, ...content);
    const table = items.length
      ? h('div', { class: 'rull', tabindex: '0' }, h('table', { class: 'stabel' },
        h('caption', {}, scope === 'personvern' ? `Personvernavvik (${items.length})` : scope === 'mine' ? `Avvik du har meldt (${items.length})` : `Avvik enhetene dine har ansvar for eller deltar i (${items.length})`),
        h('thead', {}, h('tr', {}, ['Avvik', 'Tittel', 'Trinn', 'Status', 'Ansvarlig', 'Frist'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, items.map((d) => h('tr', {},
          cell('Avvik', h('a', { href: `/avvik/${encodeURIComponent(d.id)}` }, d.id)),
          cell('Tittel', h('span', { class: 'fritekst' }, d.title)),
          cell('Trinn', d.step.title || d.step.id),
          cell('Status', d.status_label),
          cell('Ansvarlig', d.responsible_unit_name || d.responsible_unit),
          cell('Frist', formatDate(d.status === 'registrert' ? d.deadlines.receive_by : d.deadlines.close_by),
            d.deadlines.overdue ? h('span', { class: 'merkelapp forfalt' }, 'Forfalt') : null,
            escalationBadge(d)))))))
      : h('p', { class: 'tom' }, 'Ingen avvik passer med utvalget.');
    setContent(target, tabs, form, table,
      list.next_cursor ? h('p', { class: 'hjelp' }, 'Listen viser de 200 første. Snevre inn med filtrene for å se flere.') : null);
  }

  // --- Avvik: detail ----------------------------------------------------------------------

  async function avvikDetailPage() {
    const target = view();
    const id = decodeURIComponent(window.location.pathname.split('/')[2] || '');
    const [codeList, unitList, causeCodeList] = await Promise.all([codes(), units(), causeCodes()]);
    let etag = null;
    let current = null;
    const notice = h('div', { id: 'melding', tabindex: '-1' });

    const reportFailure = (r) => {
      const children = [problemText(r)];
      if (r.status === 412) {
        children.push(' ', h('button', { type: 'button', class: 'sekundar', onclick: () => load(false) }, 'Last inn på nytt'));
      }
      setContent(notice, message('feil', ...children));
      notice.focus();
    };

    // Every write carries If-Match: a second person's change is refused, not overwritten.
    const write = async (path, body, success) => {
      const r = await api('POST', path, { body, etag });
      if (!r.ok) {
        reportFailure(r);
        return false;
      }
      current = r.data;
      etag = r.etag;
      await render();
      setContent(notice, message('ok', success));
      notice.focus();
      return true;
    };

    const transitionForm = (t) => {
      const rule = codeList.transitions.find((x) => x.transition === t.transition) || { requires: [] };
      const inputs = {};
      const formId = newId('overgang');
      const typed = rule.requires.filter((name) => kFieldLabels[name]);
      const fields = typed.map((name) => {
        const [label, help] = kFieldLabels[name];
        const input = h('textarea', { rows: 3 });
        inputs[name] = input;
        return field({ id: `${formId}-${name}`, label, help: help || null, input });
      });
      let resolvedIn = null;
      let causeBoxes = [];
      if (t.transition === 'lukk') {
        // One or more cause codes, for the yearly count; the free-text cause says the rest.
        const groupId = `${formId}-cause_codes`;
        causeBoxes = causeCodeList.map((c, i) => {
          const box = h('input', {
            type: 'checkbox',
            id: `${groupId}-${i}`,
            value: c.code,
            onchange: () => {
              const error = document.getElementById(`${groupId}-feil`);
              if (error && causeBoxes.some((b) => b.checked)) error.hidden = true;
            },
          });
          if ((current.cause_codes || []).some((x) => x.code === c.code)) box.checked = true;
          return box;
        });
        fields.push(h('fieldset', { class: 'arsakskoder', id: groupId, tabindex: '-1', 'aria-describedby': `${groupId}-feil` },
          h('legend', {}, 'Årsakskoder (velg minst én)'),
          causeCodeList.map((c, i) => h('label', { class: 'avkrysning', for: `${groupId}-${i}` }, causeBoxes[i], c.label)),
          h('p', { class: 'feltfeil', id: `${groupId}-feil`, hidden: true })));
      }
      if (rule.requires.includes('actions')) {
        fields.unshift(h('p', { class: 'hjelp' }, t.transition === 'lukk'
          ? 'Krever minst ett utført tiltak, eller at avviket er løst i en ny versjon av prosedyren.'
          : 'Krever minst ett tiltak. Legg det til under «Tiltak».'));
      }
      if (t.transition === 'lukk') {
        resolvedIn = h('input', { type: 'text' });
        fields.push(field({ id: `${formId}-resolved`, label: 'Løst i prosedyreversjon (valgfritt)', help: 'For eksempel 3.1, når en ny versjon retter årsaken.', input: resolvedIn }));
      }
      const form = h('form', { class: 'overgang', 'data-overgang': t.transition, novalidate: true },
        h('fieldset', {},
          h('legend', {}, `${kTransitionLabels[t.transition] || t.transition} (ny status: ${t.to_label})`),
          fields,
          h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, kTransitionLabels[t.transition] || t.transition))));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        const body = { transition: t.transition };
        let missing = null;
        for (const [name, input] of Object.entries(inputs)) {
          if (!input.value.trim()) {
            setFieldError(form, `${formId}-${name}`, 'Dette feltet må fylles ut.');
            missing = missing || input;
          }
          body[name] = input.value;
        }
        if (t.transition === 'lukk') {
          body.cause_codes = causeBoxes.filter((b) => b.checked).map((b) => b.value);
          if (!body.cause_codes.length) {
            const error = form.querySelector(`#${formId}-cause_codes-feil`);
            error.textContent = 'Velg minst én årsakskode.';
            error.hidden = false;
            missing = missing || form.querySelector(`#${formId}-cause_codes`);
          }
        }
        if (missing) {
          missing.focus();
          return;
        }
        if (resolvedIn && resolvedIn.value.trim()) body.resolved_in_version = resolvedIn.value.trim();
        await write(`/api/v1/deviations/${encodeURIComponent(id)}/transitions`, body, `Ny status: ${t.to_label}.`);
      });
      return form;
    };

    // A write that is not a POST (the assessment is a PUT): its answer shown as write()'s.
    const accept = async (r, success) => {
      if (!r.ok) {
        reportFailure(r);
        return;
      }
      current = r.data;
      etag = r.etag;
      await render();
      setContent(notice, message('ok', success));
      notice.focus();
    };

    const render = async () => {
      const d = current;
      const history = await api('GET', `/api/v1/deviations/${encodeURIComponent(id)}/history`);
      const open = d.status !== 'lukket' && d.status !== 'avvist';
      const mayWork = d.allowed_transitions.length > 0 || myUnitIds().includes(d.responsible_unit);

      const facts = h('dl', { class: 'fakta' },
        [['Status', d.status_label + (d.deadlines.overdue ? ' (forfalt)' : '')],
          ['Tittel', h('span', { class: 'fritekst', id: 'avvik-tittel-tekst' }, d.title)],
          ['Beskrivelse', h('span', { class: 'fritekst' }, d.description || '–')],
          ['Trinn', `${d.step.title || d.step.id} (prosedyre ${d.procedure_version})`],
          ['Hendelsesdato', formatDate(d.incident_date)],
          ['Kategori', d.category_label],
          ['Alvorlighetsgrad', d.severity_label],
          ['Ansvarlig enhet', d.responsible_unit_name || d.responsible_unit],
          // The API leaves the reporter out for those who may not see who reported.
          d.reporter_name
            ? ['Meldt av', `${d.reporter_name} (${unitName(unitList, d.reporting_unit)})`]
            : ['Meldt fra', unitName(unitList, d.reporting_unit)],
          ['Frist for mottak', formatDate(d.deadlines.receive_by)],
          ['Frist for lukking', formatDate(d.deadlines.close_by)],
          ['Saksnummer', d.case_reference || '–'],
          ['Personopplysninger', d.personal_data ? 'Ja, skjermes i arkivet' : 'Nei'],
          ...privacyFacts(d),
          d.cause ? ['Årsak', h('span', { class: 'fritekst' }, d.cause)] : null,
          d.cause_codes && d.cause_codes.length ? ['Årsakskoder', d.cause_codes.map((c) => c.label).join(', ')] : null,
          d.evaluation ? ['Vurdering av effekt', h('span', { class: 'fritekst' }, d.evaluation)] : null,
          d.rejection_reason ? ['Begrunnelse for avvisning', h('span', { class: 'fritekst' }, d.rejection_reason)] : null,
          d.reopen_reason ? ['Begrunnelse for gjenåpning', h('span', { class: 'fritekst' }, d.reopen_reason)] : null,
        ].filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

      const transitions = d.allowed_transitions.length
        ? h('section', { 'aria-labelledby': 'hva-na' },
          h('h2', { id: 'hva-na' }, 'Hva vil du gjøre?'),
          d.allowed_transitions.map(transitionForm))
        : null;

      const actionRows = d.actions.map((a) => {
        let done = null;
        if (!a.done_date && open && mayWork) {
          done = h('button', {
            type: 'button',
            class: 'sekundar',
            onclick: () => write(`/api/v1/deviations/${encodeURIComponent(id)}/actions/${a.action_no}/completion`,
              { done_date: today() }, `Tiltak ${a.action_no} er merket som utført.`),
          }, h('span', {}, 'Merk som utført'), h('span', { class: 'visuelt-skjult' }, ` (tiltak ${a.action_no})`));
        }
        return h('tr', {},
          h('td', { 'data-etikett': 'Nr.' }, String(a.action_no)),
          h('td', { 'data-etikett': 'Tiltak' }, h('span', { class: 'fritekst' }, a.description)),
          h('td', { 'data-etikett': 'Enhet' }, a.owner_unit_name || a.owner_unit),
          h('td', { 'data-etikett': 'Frist' }, formatDate(a.due_date)),
          h('td', { 'data-etikett': 'Utført' }, a.done_date ? formatDate(a.done_date) : (done || 'Nei')));
      });
      const actionOwner = h('select', {}, unitList.map((u) => h('option', { value: u.id }, u.name)));
      actionOwner.value = d.responsible_unit;
      const actionText = h('textarea', { rows: 3 });
      const actionDue = h('input', { type: 'date', value: today() });
      const actionForm = h('form', { novalidate: true, 'aria-label': 'Nytt tiltak' },
        h('fieldset', {}, h('legend', {}, 'Nytt tiltak'),
          field({ id: 'tiltak-beskrivelse', label: 'Hva skal gjøres?', input: actionText }),
          field({ id: 'tiltak-enhet', label: 'Ansvarlig enhet', input: actionOwner }),
          field({ id: 'tiltak-frist', label: 'Frist', input: actionDue }),
          h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Legg til tiltaket'))));
      actionForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearFieldErrors(actionForm);
        if (!actionText.value.trim()) {
          setFieldError(actionForm, 'tiltak-beskrivelse', 'Beskriv tiltaket.');
          actionText.focus();
          return;
        }
        await write(`/api/v1/deviations/${encodeURIComponent(id)}/actions`,
          { description: actionText.value, owner_unit: actionOwner.value, due_date: actionDue.value }, 'Tiltaket er lagt til.');
      });

      const commentText = h('textarea', { rows: 3 });
      const commentForm = h('form', { novalidate: true, 'aria-label': 'Ny kommentar' },
        field({ id: 'kommentar-tekst', label: 'Ny kommentar', input: commentText }),
        h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Legg til kommentaren')));
      commentForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearFieldErrors(commentForm);
        if (!commentText.value.trim()) {
          setFieldError(commentForm, 'kommentar-tekst', 'Skriv en kommentar.');
          commentText.focus();
          return;
        }
        await write(`/api/v1/deviations/${encodeURIComponent(id)}/comments`, { text: commentText.value }, 'Kommentaren er lagt til.');
      });

      const participantSelect = h('select', {}, unitList
        .filter((u) => u.id !== d.responsible_unit && !d.participants.some((p) => p.unit_id === u.id))
        .map((u) => h('option', { value: u.id }, u.name)));
      const participantForm = h('form', { novalidate: true, 'aria-label': 'Ny deltakende enhet' },
        field({ id: 'deltaker-enhet', label: 'Legg til deltakende enhet', input: participantSelect }),
        h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit', class: 'sekundar' }, 'Legg til enheten')));
      participantForm.addEventListener('submit', async (event) => {
        event.preventDefault();
        await write(`/api/v1/deviations/${encodeURIComponent(id)}/participants`, { unit_id: participantSelect.value }, 'Enheten er lagt til som deltaker.');
      });

      const historyList = history.ok
        ? h('ol', {}, history.data.items.map((e) => h('li', {},
          `${formatDateTime(e.at)} – ${kHistoryLabels[e.kind] || e.kind} – ${e.actor || 'den som meldte avviket'}`,
          e.kind === 'transition' && e.data && kTransitionDone[e.data.transition] ? `: ${kTransitionDone[e.data.transition]}` : null,
          e.kind === 'transition' && e.data && e.data.after && Array.isArray(e.data.after.cause_codes)
            ? ` (årsakskoder: ${e.data.after.cause_codes.map((code) => (causeCodeList.find((c) => c.code === code) || { label: code }).label).join(', ')})`
            : null)))
        : h('p', {}, problemText(history));

      setContent(target,
        h('p', {}, h('a', { href: '/avvik' }, 'Tilbake til listen')),
        h('h2', { id: 'avvik-id' }, d.id),
        notice,
        facts,
        privacySection(d, () => etag, accept),
        transitions,
        h('section', { 'aria-labelledby': 'tiltak-h' },
          h('h2', { id: 'tiltak-h' }, 'Tiltak'),
          actionRows.length
            ? h('div', { class: 'rull', tabindex: '0' }, h('table', { class: 'stabel' },
              h('thead', {}, h('tr', {}, ['Nr.', 'Tiltak', 'Enhet', 'Frist', 'Utført'].map((t) => h('th', { scope: 'col' }, t)))),
              h('tbody', {}, actionRows)))
            : h('p', { class: 'tom' }, 'Ingen tiltak ennå.'),
          open && mayWork ? actionForm : null),
        h('section', { 'aria-labelledby': 'deltakere-h' },
          h('h2', { id: 'deltakere-h' }, 'Deltakende enheter'),
          d.participants.length ? h('ul', {}, d.participants.map((p) => h('li', {}, p.name || p.unit_id))) : h('p', { class: 'tom' }, 'Ingen.'),
          open && mayWork && participantSelect.options.length ? participantForm : null),
        h('section', { 'aria-labelledby': 'kommentarer-h' },
          h('h2', { id: 'kommentarer-h' }, 'Kommentarer'),
          d.comments.length
            ? h('ul', { class: 'oppgaver' }, d.comments.map((c) => h('li', {},
              h('p', { class: 'hjelp' }, `${c.author || 'Den som meldte avviket'}, ${formatDateTime(c.created_at)}`),
              h('p', { class: 'fritekst' }, c.text))))
            : h('p', { class: 'tom' }, 'Ingen kommentarer ennå.'),
          commentForm),
        await attachmentsSection(open),
        h('section', { 'aria-labelledby': 'historikk-h' },
          h('h2', { id: 'historikk-h' }, 'Historikk'),
          historyList,
          history.ok && !history.data.chain.valid ? message('feil', 'Historikken er endret i etterkant: kjeden er brutt.') : null));
    };

    const attachmentsSection = async (open) => {
      const done = async (text) => {
        await load(true);
        setContent(notice, message('ok', text));
        notice.focus();
      };
      return attachmentSection(id, open, done, reportFailure);
    };

    const load = async (keepNotice) => {
      const r = await api('GET', `/api/v1/deviations/${encodeURIComponent(id)}`);
      if (!r.ok) throw new ProblemError(r);
      current = r.data;
      etag = r.etag;
      const text = keepNotice ? null : notice.textContent;
      await render();
      if (text) setContent(notice, message('status', 'Siden viser nå den nyeste versjonen av avviket.'));
    };
    await load(true);
  }

  // --- Avvik: attachments -----------------------------------------------------------------

  const kMediaLabels = { 'application/pdf': 'PDF', 'image/png': 'PNG-bilde', 'image/jpeg': 'JPEG-bilde' };
  const formatBytes = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(1).replace('.', ',')} MB`
    : n >= 1024 ? `${Math.round(n / 1024)} kB` : `${n} byte`);
  const requestKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

  // The file goes as it is (the API reads its bytes, not its name); the name and description
  // travel percent-encoded in headers.
  async function uploadFile(path, file, description) {
    const headers = { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream',
      'X-Filename': encodeURIComponent(file.name), 'Idempotency-Key': requestKey() };
    if (description) headers['X-Description'] = encodeURIComponent(description);
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    try {
      const response = await fetch(path, { method: 'POST', headers, body: file, credentials: 'same-origin' });
      const type = response.headers.get('Content-Type') || '';
      const data = type.includes('json') ? await response.json() : await response.text();
      return { ok: response.ok, status: response.status, data };
    } catch {
      return { ok: false, status: 0, data: { title: 'Ingen forbindelse', detail: 'Fikk ikke kontakt med tjenesten. Sjekk nettverket og prøv igjen.' } };
    }
  }

  async function attachmentSection(id, open, done, reportFailure) {
    const base = `/api/v1/deviations/${encodeURIComponent(id)}/attachments`;
    const listed = await api('GET', base);
    const items = listed.ok ? listed.data.items : [];
    const list = !listed.ok ? h('p', {}, problemText(listed))
      : items.length ? h('ul', { class: 'oppgaver', id: 'vedlegg-liste' }, items.map((a) => h('li', {},
        a.kind === 'file'
          ? h('a', { href: a.href, download: '' }, h('span', { class: 'fritekst' }, a.file_name))
          : h('span', {}, `Journalpost ${a.reference} i arkivet`),
        a.kind === 'file' ? ` (${kMediaLabels[a.media_type] || a.media_type}, ${formatBytes(a.size_bytes)})` : null,
        a.description ? h('p', { class: 'fritekst' }, a.description) : null,
        h('p', { class: 'hjelp' }, `${a.added_by}, ${formatDateTime(a.added_at)}`))))
        : h('p', { class: 'tom' }, 'Ingen vedlegg ennå.');
    if (!open) return h('section', { 'aria-labelledby': 'vedlegg-h' }, h('h2', { id: 'vedlegg-h' }, 'Vedlegg'), list);

    const limit = listed.ok ? formatBytes(listed.data.max_file_bytes) : '';
    const fileInput = h('input', { type: 'file', accept: 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg' });
    const fileText = h('input', { type: 'text', maxlength: '500' });
    const fileForm = h('form', { novalidate: true, 'aria-label': 'Legg ved en fil' },
      h('fieldset', {}, h('legend', {}, 'Legg ved en fil'),
        field({ id: 'vedlegg-fil', label: 'Fil', help: `PDF, PNG eller JPEG, høyst ${limit}. Filen skjermes i arkivet.`, input: fileInput }),
        field({ id: 'vedlegg-beskrivelse', label: 'Hva viser filen? (valgfritt)', input: fileText }),
        h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Legg ved filen'))));
    fileForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(fileForm);
      const file = fileInput.files[0];
      if (!file) {
        setFieldError(fileForm, 'vedlegg-fil', 'Velg en fil.');
        fileInput.focus();
        return;
      }
      const r = await uploadFile(base, file, fileText.value.trim());
      if (!r.ok) {
        const fieldId = r.data && r.data.field === 'description' ? 'vedlegg-beskrivelse' : 'vedlegg-fil';
        if (!setFieldError(fileForm, fieldId, problemText(r))) reportFailure(r);
        fileForm.querySelector(`#${fieldId}`).focus();
        return;
      }
      await done(`Filen er lagt ved som vedlegg ${r.data.no}.`);
    });

    const refInput = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off' });
    const refText = h('input', { type: 'text', maxlength: '500' });
    const refForm = h('form', { novalidate: true, 'aria-label': 'Vis til en journalpost i arkivet' },
      h('fieldset', {}, h('legend', {}, 'Vis til en journalpost i arkivet'),
        field({ id: 'vedlegg-referanse', label: 'Journalpostnummer', help: 'For eksempel 2026/4185, 26/04185 eller 2026/4185-3.', input: refInput }),
        field({ id: 'vedlegg-referanse-beskrivelse', label: 'Hva er journalposten? (valgfritt)', input: refText }),
        h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit', class: 'sekundar' }, 'Legg ved referansen'))));
    refForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearFieldErrors(refForm);
      if (!refInput.value.trim()) {
        setFieldError(refForm, 'vedlegg-referanse', 'Skriv journalpostnummeret.');
        refInput.focus();
        return;
      }
      const r = await api('POST', base, { body: { reference: refInput.value, description: refText.value.trim() }, idempotencyKey: requestKey() });
      if (!r.ok) {
        const fieldId = r.data && r.data.field === 'description' ? 'vedlegg-referanse-beskrivelse' : 'vedlegg-referanse';
        if (!setFieldError(refForm, fieldId, problemText(r))) reportFailure(r);
        refForm.querySelector(`#${fieldId}`).focus();
        return;
      }
      await done(`Journalpost ${r.data.reference} er lagt ved.`);
    });
    return h('section', { 'aria-labelledby': 'vedlegg-h' }, h('h2', { id: 'vedlegg-h' }, 'Vedlegg'), list, fileForm, refForm);
  }

  // --- Prosedyren -------------------------------------------------------------------------

  // The procedure the pages are about, with its versions; says so on the page when none is loaded.
  async function loadProcedure(target) {
    const procedure = (await procedures())[0];
    if (!procedure) {
      setContent(target, message('feil', 'Ingen prosedyre er lastet inn.'));
      return null;
    }
    const base = `/api/v1/procedures/${encodeURIComponent(procedure.id)}`;
    const versions = (await getJson(`${base}/versions`)).items;
    return { procedure, base, versions };
  }

  async function procedurePage() {
    const target = view();
    const loaded = await loadProcedure(target);
    if (!loaded) return;
    const { procedure, base, versions } = loaded;
    const params = new URLSearchParams(window.location.search);
    const chosen = versions.find((v) => v.version === params.get('versjon')) || procedure.in_force || versions[versions.length - 1];
    const vbase = `${base}/versions/${encodeURIComponent(chosen.version)}`;
    const stats = await getJson(`/api/v1/statistics/deviations?procedure_id=${encodeURIComponent(procedure.id)}&version=${encodeURIComponent(chosen.version)}`);
    const version = await getJson(vbase);

    const versionSelect = h('select', { name: 'versjon' }, versions.map((v) =>
      h('option', { value: v.version, selected: v.version === chosen.version }, `${v.version} – ${kVersionStatus[v.status] || v.status}`)));
    const fromSelect = h('select', {}, versions.map((v) => h('option', { value: v.version }, v.version)));
    const toSelect = h('select', {}, versions.map((v) => h('option', { value: v.version }, v.version)));
    if (versions.length > 1) fromSelect.value = versions[versions.length - 2].version;
    toSelect.value = chosen.version;
    const diffResult = h('div', { 'aria-live': 'polite' });
    const compare = h('form', { novalidate: true, 'aria-label': 'Sammenlign versjoner' },
      h('div', { class: 'filtre' },
        field({ id: 'sammenlign-fra', label: 'Fra versjon', input: fromSelect }),
        field({ id: 'sammenlign-til', label: 'Til versjon', input: toSelect }),
        h('div', {}, h('button', { type: 'submit' }, 'Sammenlign'))));
    compare.addEventListener('submit', async (event) => {
      event.preventDefault();
      const r = await api('GET', `${base}/diff/${encodeURIComponent(fromSelect.value)}/${encodeURIComponent(toSelect.value)}`);
      if (!r.ok) {
        setContent(diffResult, message('feil', problemText(r)));
        return;
      }
      setContent(diffResult, diffList(r.data));
    });

    const counts = new Map(stats.per_step.map((s) => [s.step_id, s]));
    const steps = allSteps(version);
    setContent(target,
      h('form', { method: 'get', action: '/prosedyren', class: 'filtre', 'aria-label': 'Velg versjon' },
        field({ id: 'versjon-valg', label: 'Versjon', input: versionSelect }),
        h('div', {}, h('button', { type: 'submit' }, 'Vis versjonen'))),
      h('h2', {}, `${version.title} ${version.version}`),
      h('p', {}, `${kVersionStatus[version.status] || version.status}. Gjelder fra ${formatDate(version.effective_from)}. Godkjent av ${version.approver || '–'}.`),
      h('p', { class: 'handlinger' },
        h('a', { class: 'knapp', href: `${vbase}/document` }, 'Åpne prosedyren som dokument'),
        h('a', { class: 'knapp sekundar', href: `${vbase}/bpmn`, download: `${procedure.id}-${chosen.version}.bpmn` }, 'Last ned BPMN')),
      h('h2', {}, 'Flytdiagram med avvik per trinn'),
      h('p', { class: 'hjelp' }, 'Jo mørkere trinn, jo flere avvik er registrert på det i denne versjonen. Tallene står også i tabellen under.'),
      h('div', { class: 'bilde', tabindex: '0', role: 'region', 'aria-label': 'Flytdiagram med avvik per trinn' }, h('img', {
        src: `${vbase}/avvik-map.svg`,
        alt: `Flytdiagram for ${version.title} ${version.version}, farget etter antall avvik per trinn. Tallene står i tabellen under.`,
      })),
      h('div', { class: 'rull', tabindex: '0' }, h('table', {},
        h('caption', {}, 'Trinn og avvik'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Trinn'), h('th', { scope: 'col' }, 'Fase'), h('th', { scope: 'col' }, 'Ansvarlig'),
          h('th', { scope: 'col', class: 'tall' }, 'Avvik'), h('th', { scope: 'col', class: 'tall' }, 'Åpne'))),
        h('tbody', {}, steps.map((s) => h('tr', {},
          h('td', {}, s.title), h('td', {}, s.phase), h('td', {}, s.responsible_unit),
          h('td', { class: 'tall' }, String(counts.get(s.id)?.total || 0)),
          h('td', { class: 'tall' }, String(counts.get(s.id)?.open || 0))))))),
      h('h2', {}, 'Versjonshistorikk'),
      h('div', { class: 'rull', tabindex: '0' }, h('table', {},
        h('thead', {}, h('tr', {}, ['Versjon', 'Status', 'Gjelder fra', 'Forfatter', 'Godkjent av'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, versions.map((v) => h('tr', {},
          h('td', {}, h('a', { href: `/prosedyren?versjon=${encodeURIComponent(v.version)}` }, v.version)),
          h('td', {}, kVersionStatus[v.status] || v.status),
          h('td', {}, formatDate(v.effective_from)),
          h('td', {}, v.author || '–'),
          h('td', {}, v.approver || '–')))))),
      h('h2', {}, 'Sammenlign to versjoner'),
      compare, diffResult);
  }

  function diffList(diff) {
    if (!diff.changes.length && !diff.metadata_changes.length) return h('p', {}, 'Ingen forskjeller i trinnene.');
    return h('div', {},
      h('h3', {}, `Endringer fra ${diff.from} til ${diff.to} (${diff.changes.length})`),
      h('ul', { class: 'endring' }, diff.changes.map((c) => h('li', {},
        h('strong', {}, `${kChangeKinds[c.kind] || c.kind}: `), c.text))),
      diff.metadata_changes.length ? h('ul', {}, diff.metadata_changes.map((m) => h('li', {}, m))) : null);
  }

  // --- Revisjon ---------------------------------------------------------------------------

  async function revisionPage() {
    const target = view();
    const loaded = await loadProcedure(target);
    if (!loaded) return;
    const { procedure, base, versions } = loaded;
    const params = new URLSearchParams(window.location.search);
    const notice = h('div', { tabindex: '-1', id: 'melding' });
    const say = (kind, ...text) => {
      setContent(notice, message(kind, ...text));
      notice.focus();
    };
    const sections = [notice];

    // Upload a draft.
    if (hasRole('procedure_owner')) {
      const file = h('input', { type: 'file', accept: '.xml,application/xml,text/xml' });
      const errors = h('div', { id: 'valideringsfeil' });
      const upload = h('form', { novalidate: true, 'aria-label': 'Last opp utkast' },
        field({ id: 'utkast-fil', label: 'Utkast (XML-fil)', help: 'Filen kontrolleres mot skjemaet før den lagres.', input: file }),
        h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Last opp utkastet')));
      upload.addEventListener('submit', async (event) => {
        event.preventDefault();
        setContent(errors);
        if (!file.files.length) {
          say('feil', 'Velg en XML-fil først.');
          return;
        }
        const text = await file.files[0].text();
        const r = await api('POST', `${base}/versions`, { body: text, contentType: 'application/xml' });
        if (!r.ok) {
          const list = (r.data && r.data.errors) || [];
          setContent(errors, message('feil',
            h('h3', {}, 'Utkastet har feil'),
            h('p', {}, list.length ? `Utkastet er ikke lagret. Rett ${list.length === 1 ? 'feilen' : `de ${list.length} feilene`} og last det opp igjen:` : problemText(r)),
            list.length ? h('ul', {}, list.map((e) => h('li', {}, `Linje ${e.line}, kolonne ${e.column}: ${e.message}`))) : null));
          errors.querySelector('.melding').setAttribute('tabindex', '-1');
          errors.querySelector('.melding').focus();
          return;
        }
        window.location.assign(`/revisjon?versjon=${encodeURIComponent(r.data.version)}&lastet=1`);
      });
      sections.push(h('h2', {}, 'Last opp et nytt utkast'), upload, errors);
    }
    if (params.get('lastet')) setContent(notice, message('ok', `Utkastet ${params.get('versjon')} er lastet opp.`));

    const pending = versions.filter((v) => ['draft', 'consultation', 'approved'].includes(v.status));
    const chosen = versions.find((v) => v.version === params.get('versjon')) || pending[pending.length - 1] || procedure.in_force;
    sections.push(h('h2', {}, 'Versjoner under arbeid'),
      pending.length
        ? h('ul', {}, pending.map((v) => h('li', {},
          h('a', { href: `/revisjon?versjon=${encodeURIComponent(v.version)}`, 'aria-current': chosen && v.version === chosen.version ? 'page' : null },
            `${v.version} – ${kVersionStatus[v.status] || v.status}`))))
        : h('p', { class: 'tom' }, 'Ingen utkast, høringer eller godkjente versjoner venter.'));

    if (chosen) {
      const vbase = `${base}/versions/${encodeURIComponent(chosen.version)}`;
      const vr = await api('GET', vbase);
      const etag = vr.etag;
      const v = vr.data;
      sections.push(h('h2', { id: 'versjon-h' }, `Versjon ${v.version} – ${kVersionStatus[v.status] || v.status}`),
        h('p', {}, `Forfatter: ${v.author || '–'}.`));
      const act = async (method, path, body, success) => {
        const r = await api(method, path, { body, etag });
        if (!r.ok) {
          say('feil', problemText(r));
          return;
        }
        window.location.assign(`/revisjon?versjon=${encodeURIComponent(v.version)}&ok=${encodeURIComponent(success)}`);
      };

      if (procedure.in_force && procedure.in_force.version !== v.version && v.status !== 'published' && v.status !== 'superseded') {
        const diff = await getJson(`${base}/diff/${encodeURIComponent(procedure.in_force.version)}/${encodeURIComponent(v.version)}`);
        sections.push(h('h3', {}, `Forskjeller fra gjeldende versjon ${procedure.in_force.version}`), diffList(diff));
        const changed = [...new Set(diff.changes.map((c) => c.step).filter(Boolean))];
        const openAvvik = [];
        for (const step of changed) {
          const list = await getJson(`/api/v1/deviations?procedure_id=${encodeURIComponent(procedure.id)}&step_id=${encodeURIComponent(step)}&status=registrert,mottatt,under_behandling,tiltak,gjenapnet&limit=50`);
          openAvvik.push(...list.items);
        }
        sections.push(h('h3', {}, 'Åpne avvik på trinn som endres eller fjernes'),
          openAvvik.length
            ? h('ul', {}, openAvvik.map((d) => h('li', {}, h('a', { href: `/avvik/${encodeURIComponent(d.id)}` }, d.id), ` – ${d.step.title || d.step.id} – `, h('span', { class: 'fritekst' }, d.title))))
            : h('p', { class: 'tom' }, 'Ingen åpne avvik som du kan se, gjelder trinnene som endres.'));
      }

      if (v.status === 'draft' && hasRole('procedure_owner')) {
        const deadline = h('input', { type: 'date', required: true });
        const form = h('form', { novalidate: true, 'aria-label': 'Send på høring' },
          field({ id: 'horing-frist', label: 'Svarfrist for høringen', input: deadline }),
          h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Send på høring')));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          clearFieldErrors(form);
          if (!deadline.value) {
            setFieldError(form, 'horing-frist', 'Velg en svarfrist.');
            deadline.focus();
            return;
          }
          act('POST', `${vbase}/consultation`, { deadline: deadline.value }, 'høring');
        });
        sections.push(h('h3', {}, 'Høring'), form);
      }

      if (v.status === 'consultation' || v.status === 'approved') {
        const c = await getJson(`${vbase}/consultation`);
        const unitList = await units();
        const answerLabel = { agree: 'Enig', disagree: 'Uenig' };
        sections.push(h('h3', {}, 'Høringssvar'),
          h('div', { class: 'rull', tabindex: '0' }, h('table', { class: 'stabel' },
            h('thead', {}, h('tr', {}, ['Enhet', 'Svar', 'Kommentar', 'Svart av'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, c.answers.map((a) => h('tr', {},
              h('td', { 'data-etikett': 'Enhet' }, unitName(unitList, a.unit_id)),
              h('td', { 'data-etikett': 'Svar' }, answerLabel[a.answer] || 'Ikke svart'),
              h('td', { 'data-etikett': 'Kommentar' }, h('span', { class: 'fritekst' }, a.comment || '')),
              h('td', { 'data-etikett': 'Svart av' }, a.answered_by || '–')))))));
        if (v.status === 'consultation') {
          for (const a of c.answers.filter((x) => myUnitIds().includes(x.unit_id))) {
            const formId = newId('svar');
            const agree = h('input', { type: 'radio', name: formId, value: 'agree', id: `${formId}-enig`, checked: a.answer !== 'disagree' });
            const disagree = h('input', { type: 'radio', name: formId, value: 'disagree', id: `${formId}-uenig`, checked: a.answer === 'disagree' });
            const comment = h('textarea', { rows: 3 });
            comment.value = a.comment || '';
            const form = h('form', { novalidate: true, 'aria-label': `Høringssvar fra ${unitName(unitList, a.unit_id)}` },
              h('fieldset', {}, h('legend', {}, `Høringssvar fra ${unitName(unitList, a.unit_id)}`),
                h('label', { class: 'avkrysning', for: agree.id }, agree, 'Enig i endringene'),
                h('label', { class: 'avkrysning', for: disagree.id }, disagree, 'Uenig'),
                field({ id: `${formId}-kommentar`, label: 'Kommentar', input: comment }),
                h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Send svaret'))));
            form.addEventListener('submit', (event) => {
              event.preventDefault();
              act('PUT', `${vbase}/consultation/answers/${encodeURIComponent(a.unit_id)}`,
                { answer: agree.checked ? 'agree' : 'disagree', comment: comment.value }, 'svar');
            });
            sections.push(form);
          }
          if (hasRole('approver')) {
            const pendingAnswers = c.answers.filter((a) => !a.answer).length;
            const override = pendingAnswers ? h('textarea', { rows: 3 }) : null;
            const form = h('form', { novalidate: true, 'aria-label': 'Godkjenning' },
              h('p', {}, 'Den som skrev utkastet, kan ikke godkjenne det.'),
              override ? field({ id: 'godkjenn-begrunnelse', label: `Begrunnelse for å godkjenne uten alle svar (${pendingAnswers} mangler)`, input: override }) : null,
              h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Godkjenn versjonen')));
            form.addEventListener('submit', (event) => {
              event.preventDefault();
              act('POST', `${vbase}/approval`, override && override.value.trim() ? { override_reason: override.value } : {}, 'godkjent');
            });
            sections.push(h('h3', {}, 'Godkjenning'), form);
          }
        }
        if (v.status === 'approved' && hasRole('approver')) {
          const date = h('input', { type: 'date', required: true, value: today() });
          const form = h('form', { novalidate: true, 'aria-label': 'Publiser' },
            field({ id: 'publiser-dato', label: 'Gjelder fra', input: date }),
            h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Publiser versjonen')));
          form.addEventListener('submit', (event) => {
            event.preventDefault();
            act('POST', `${vbase}/publication`, { effective_from: date.value }, 'publisert');
          });
          sections.push(h('h3', {}, 'Publisering'), form);
        }
      }

      if (v.status === 'published') {
        const rc = await api('GET', `${vbase}/read-confirmations`);
        if (rc.ok) {
          const missing = rc.data.missing.includes(me.user_id);
          const confirmed = rc.data.confirmed.find((c) => c.user_id === me.user_id);
          sections.push(h('h3', {}, 'Lesebekreftelse'),
            confirmed ? h('p', {}, `Du bekreftet ${formatDateTime(confirmed.confirmed_at)} at du har lest versjonen.`) : null,
            !missing && !confirmed ? h('p', {}, 'Du er ikke blant dem som skal bekrefte at de har lest denne versjonen.') : null,
            missing ? h('button', { type: 'button', onclick: () => act('POST', `${vbase}/read-confirmations`, {}, 'lest') }, 'Jeg bekrefter at jeg har lest versjonen') : null,
            h('p', {}, h('a', { href: `${vbase}/document` }, 'Les versjonen som dokument')));
        }
      }
    }
    const okWords = { høring: 'Utkastet er sendt på høring.', svar: 'Svaret er lagret.', godkjent: 'Versjonen er godkjent.', publisert: 'Versjonen er publisert.', lest: 'Takk! Lesingen er bekreftet.' };
    if (okWords[params.get('ok')]) setContent(notice, message('ok', okWords[params.get('ok')]));
    setContent(target, sections);
  }

  // --- Oversikt ---------------------------------------------------------------------------

  function barTable(caption, rows) {
    const max = Math.max(1, ...rows.map((r) => r.count));
    return h('div', { class: 'rull', tabindex: '0' }, h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Hva'), h('th', { scope: 'col', class: 'tall' }, 'Antall'), h('th', { scope: 'col' }, h('span', { class: 'visuelt-skjult' }, 'Søyle')))),
      h('tbody', {}, rows.length ? rows.map((r) => {
        const bar = h('span', { class: 'stolpe', 'aria-hidden': 'true' });
        bar.style.width = `${Math.round((r.count / max) * 100)}%`;  // CSSOM: allowed by the CSP
        return h('tr', { class: 'stolpe-rad' }, h('td', {}, r.label), h('td', { class: 'tall' }, String(r.count)), h('td', {}, bar));
      }) : h('tr', {}, h('td', { colspan: 3, class: 'tom' }, 'Ingen avvik.')))));
  }

  // Where units fail each other: which unit reported, against which unit's step.
  function unitPairTable(rows) {
    return h('div', { class: 'rull', tabindex: '0' }, h('table', { class: 'stabel', id: 'enhetspar' },
      h('caption', {}, 'Meldt av enhet til ansvarlig enhet'),
      h('thead', {}, h('tr', {}, ['Meldt av', 'Ansvarlig enhet', 'Antall'].map((t) => h('th', { scope: 'col', class: t === 'Antall' ? 'tall' : null }, t)))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', {},
        h('td', { 'data-etikett': 'Meldt av' }, r.reporting_unit_name || r.reporting_unit),
        h('td', { 'data-etikett': 'Ansvarlig enhet' }, r.responsible_unit_name || r.responsible_unit),
        h('td', { 'data-etikett': 'Antall', class: 'tall' }, String(r.count))))
        : h('tr', {}, h('td', { colspan: 3, class: 'tom' }, 'Ingen avvik.')))));
  }

  async function overviewPage() {
    const target = view();
    if (!hasRole('quality_leader')) {
      setContent(target, message('advarsel', 'Oversikten er for kvalitetslederen.'));
      return;
    }
    const notice = h('div', { tabindex: '-1', id: 'melding' });
    const [stats, reviews, exportsResult, procedureList] = await Promise.all([
      getJson('/api/v1/statistics/deviations'),
      getJson('/api/v1/procedure-reviews?overdue=true'),
      api('GET', '/api/v1/archive/exports'),
      procedures(),
    ]);
    const missingReads = [];
    for (const p of procedureList.filter((x) => x.in_force)) {
      const r = await api('GET', `/api/v1/procedures/${encodeURIComponent(p.id)}/versions/${encodeURIComponent(p.in_force.version)}/read-confirmations`);
      if (r.ok) for (const user of r.data.missing) missingReads.push(`${user} (${p.title} ${p.in_force.version})`);
    }
    const exportStates = { venter: 'Venter', sendt: 'Sendt', arkivert: 'Arkivert', feilet: 'Feilet', stoppet: 'Stoppet' };
    // "deviation:AVVIK-2026-0001" and "procedure:<id>:<version>" in words.
    const subjectText = (subject) => {
      const [kind, ...rest] = String(subject).split(':');
      if (kind === 'deviation' && rest.length === 1) return `Avvik ${rest[0]}`;
      if (kind === 'procedure' && rest.length === 2) return `Prosedyre ${rest[0]}, versjon ${rest[1]}`;
      return String(subject);
    };
    const exportsSection = exportsResult.ok
      ? h('div', { class: 'rull', tabindex: '0' }, h('table', { class: 'stabel' },
        h('caption', {}, 'Arkiveksporter'),
        h('thead', {}, h('tr', {}, ['Gjelder', 'Tilstand', 'Forsøk', 'Siste feil', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'visuelt-skjult' }, 'Handling'))))),
        h('tbody', {}, exportsResult.data.items.map((e) => h('tr', {},
          h('td', { 'data-etikett': 'Gjelder' }, subjectText(e.subject)),
          h('td', { 'data-etikett': 'Tilstand' }, exportStates[e.state] || e.state),
          h('td', { 'data-etikett': 'Forsøk' }, String(e.attempts)),
          h('td', { 'data-etikett': 'Siste feil' }, e.last_error || '–'),
          h('td', { 'data-etikett': 'Handling' }, e.state === 'feilet' || e.state === 'stoppet'
            ? h('button', {
              type: 'button',
              onclick: async () => {
                const r = await api('POST', `/api/v1/archive/exports/${encodeURIComponent(e.id)}/retry`, { body: {} });
                if (!r.ok) {
                  setContent(notice, message('feil', problemText(r)));
                } else {
                  await overviewPage();
                  const again = document.getElementById('melding');
                  setContent(again, message('ok', `Eksporten av ${subjectText(e.subject)} prøves på nytt.`));
                  again.focus();
                  return;
                }
                notice.focus();
              },
            }, 'Prøv igjen', h('span', { class: 'visuelt-skjult' }, ` (${subjectText(e.subject)})`))
            : '–'))))))
      : h('p', {}, problemText(exportsResult));
    setContent(target,
      notice,
      h('ul', { class: 'nokkeltall', 'aria-label': 'Nøkkeltall' },
        [['Avvik i alt', stats.total], ['Åpne', stats.open], ['Lukket', stats.closed], ['Avvist', stats.rejected],
          ['Forfalte avvik', stats.overdue_deviations], ['Forfalte tiltak', stats.overdue_actions],
          ['Median dager til lukking', stats.median_days_to_close === null ? '–' : stats.median_days_to_close.toFixed(1).replace('.', ',')]]
          .map(([k, v]) => h('li', {}, h('strong', {}, String(v)), k))),
      h('p', { class: 'handlinger' },
        h('a', { class: 'knapp', href: '/api/v1/statistics/deviations?format=csv', download: 'avviksstatistikk.csv' }, 'Last ned statistikken (CSV)'),
        h('a', { class: 'knapp sekundar', href: '/avvik?visning=enhetens&overdue=true' }, 'Se forfalte avvik')),
      privacyOverview(stats.privacy),
      h('h2', {}, 'Avvik per trinn, enhet, kategori, årsak og måned'),
      barTable('Per trinn', stats.per_step.map((s) => ({ label: s.title || s.step_id, count: s.total }))),
      barTable('Per ansvarlig enhet', stats.per_unit.map((s) => ({ label: s.label || s.key, count: s.count }))),
      barTable('Per kategori', stats.per_category.map((s) => ({ label: s.label || s.key, count: s.count }))),
      barTable('Per årsakskode (lukkede avvik)', (stats.per_cause_code || []).map((s) => ({ label: s.label || s.key, count: s.count }))),
      barTable('Per måned (hendelsesdato)', stats.per_month.map((s) => ({ label: s.key, count: s.count }))),
      unitPairTable(stats.per_unit_pair || []),
      h('h2', {}, 'Forfalte gjennomganger av prosedyren'),
      reviews.items.length
        ? h('ul', {}, reviews.items.map((r) => h('li', {}, `Versjon ${r.version}: gjennomgang skulle vært gjort ${formatDate(r.review_due)}`)))
        : h('p', { class: 'tom' }, 'Ingen gjennomganger er forfalt.'),
      h('h2', {}, 'Mangler lesebekreftelse'),
      missingReads.length ? h('ul', {}, missingReads.map((m) => h('li', {}, m))) : h('p', { class: 'tom' }, 'Alle har bekreftet.'),
      h('h2', {}, 'Arkiv'),
      exportsSection);
  }

  // --- personvernavvik and escalation -----------------------------------------------------

  const kEscalatedDeadline = { receive: 'mottak', close: 'lukking', assessment: 'vurdering innen 72 timer' };
  const isPrivacyReader = () => hasRole('data_protection_officer') || hasRole('quality_leader');

  /** ISO 8601 UTC without milliseconds, from a datetime-local value in the browser's zone. */
  function utcFromLocal(value) {
    return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** The register form's discovery time, shown for personvernavvik, which always hold personal data. */
  function privacyRegisterPart(category, onPrivacy) {
    const input = h('input', { type: 'datetime-local' });
    const node = h('div', { class: 'personvern-felt' },
      field({ id: 'avvik-oppdaget', label: 'Når ble bruddet oppdaget? (valgfritt)', help: 'Tomt betyr nå. Bruddet skal vurderes innen 72 timer etter at det ble oppdaget, og personvernombudet får beskjed.', input }));
    const sync = () => {
      const privacy = category.value === 'personvernavvik';
      node.hidden = !privacy;
      onPrivacy(privacy);
    };
    category.addEventListener('change', sync);
    sync();
    return {
      node,
      apply(body) {
        if (category.value !== 'personvernavvik') return;
        body.personal_data = true;
        if (input.value) body.discovered_at = utcFromLocal(input.value);
      },
    };
  }

  function escalationBadge(d) {
    return d.escalations && d.escalations.length ? h('span', { class: 'merkelapp eskalert' }, 'Eskalert') : null;
  }

  /** Rows of the detail page's facts: discovery, assessment deadline, escalations. */
  function privacyFacts(d) {
    const rows = [];
    if (d.discovered_at) {
      rows.push(['Oppdaget', formatDateTime(d.discovered_at)]);
      rows.push(['Frist for vurdering (72 timer)', h('span', {}, formatDateTime(d.deadlines.assess_by),
        d.deadlines.assessment_overdue ? h('span', { class: 'merkelapp forfalt' }, 'Forfalt') : null)]);
    }
    if (d.escalations.length) {
      rows.push(['Eskalert', h('span', {}, h('span', { class: 'merkelapp eskalert' }, 'Eskalert'), ' ',
        d.escalations.map((e) => `Frist for ${kEscalatedDeadline[e.deadline] || e.deadline} passert; eskalert ${formatDateTime(e.escalated_at)}`).join('. '))]);
    }
    return rows;
  }

  /** The personvernavvik's assessment: shown to all who see the avvik, recorded by the officer. */
  function privacySection(d, etag, accept) {
    if (!d.discovered_at) return null;
    const a = d.privacy_assessment;
    const shown = a
      ? h('dl', { class: 'fakta' }, [
        ['Risiko for de registrerte', a.risk_label],
        ['Skal Datatilsynet varsles?', a.notify_required ? 'Ja' : 'Nei'],
        a.notify_required ? ['Varslet Datatilsynet', a.notified_at ? formatDateTime(a.notified_at) : 'Ikke ennå'] : null,
        a.reference ? ['Datatilsynets referanse', a.reference] : null,
        a.reason_not_notified ? ['Hvorfor ikke varslet', h('span', { class: 'fritekst' }, a.reason_not_notified)] : null,
        ['Vurdert', `${formatDateTime(a.assessed_at)} av ${a.assessed_by}${a.in_time ? '' : ' (etter fristen)'}`],
      ].filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))
      : h('p', {}, `Ikke vurdert ennå. Fristen er ${formatDateTime(d.deadlines.assess_by)}.`,
        d.deadlines.assessment_overdue ? h('span', { class: 'merkelapp forfalt' }, 'Forfalt') : null);
    let form = null;
    if (d.can_assess) {
      const risk = h('select', { required: true }, h('option', { value: '' }, 'Velg risiko'),
        [['lav', 'Lav: lite sannsynlig at bruddet medfører risiko'], ['middels', 'Middels: bruddet kan medføre risiko'],
          ['hoy', 'Høy: sannsynlig høy risiko (de registrerte skal også varsles)']].map(([v, t]) => h('option', { value: v }, t)));
      const notify = h('select', { required: true }, h('option', { value: '' }, 'Velg'),
        h('option', { value: 'true' }, 'Ja'), h('option', { value: 'false' }, 'Nei'));
      const notifiedAt = h('input', { type: 'datetime-local' });
      const reference = h('input', { type: 'text', autocomplete: 'off', maxlength: 100 });
      const reason = h('textarea', { rows: 3 });
      if (a) {
        risk.value = a.risk;
        notify.value = String(a.notify_required);
        reference.value = a.reference || '';
        reason.value = a.reason_not_notified || '';
      }
      const fieldIds = { risk: 'pv-risiko', notify_required: 'pv-varsles', notified_at: 'pv-varslet', reference: 'pv-referanse', reason_not_notified: 'pv-begrunnelse' };
      form = h('form', { novalidate: true, 'aria-label': 'Vurdering av personvernavviket' },
        h('fieldset', {}, h('legend', {}, a ? 'Endre vurderingen' : 'Registrer vurderingen'),
          field({ id: 'pv-risiko', label: 'Risiko for de registrerte', input: risk }),
          field({ id: 'pv-varsles', label: 'Skal Datatilsynet varsles?', help: 'Ja, med mindre det er lite sannsynlig at bruddet medfører risiko (GDPR art. 33).', input: notify }),
          field({ id: 'pv-varslet', label: 'Når ble Datatilsynet varslet? (valgfritt)', input: notifiedAt }),
          field({ id: 'pv-referanse', label: 'Datatilsynets referanse (valgfritt)', input: reference }),
          field({ id: 'pv-begrunnelse', label: 'Hvorfor skal Datatilsynet ikke varsles?', help: 'Fylles ut når svaret over er nei.', input: reason }),
          h('div', { class: 'skjema-knapper' }, h('button', { type: 'submit' }, 'Lagre vurderingen'))));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        const body = { risk: risk.value, notify_required: notify.value === '' ? null : notify.value === 'true' };
        if (notifiedAt.value) body.notified_at = utcFromLocal(notifiedAt.value);
        else if (a && a.notified_at && notify.value === 'true') body.notified_at = a.notified_at;
        if (reference.value.trim()) body.reference = reference.value.trim();
        if (notify.value === 'false' && reason.value.trim()) body.reason_not_notified = reason.value;
        const r = await api('PUT', `/api/v1/deviations/${encodeURIComponent(d.id)}/privacy-assessment`, { body, etag: etag() });
        if (!r.ok && r.data && fieldIds[r.data.field] && setFieldError(form, fieldIds[r.data.field], r.data.detail || r.data.title)) {
          form.querySelector(`#${fieldIds[r.data.field]}`).focus();
          return;
        }
        await accept(r, 'Vurderingen er lagret.');
      });
    }
    return h('section', { 'aria-labelledby': 'personvern-h' },
      h('h2', { id: 'personvern-h' }, 'Vurdering av personvernavviket'), shown, form);
  }

  /** The start page's personvernavvik to assess, for whoever may assess them. */
  function privacyTasks(items) {
    if (!isPrivacyReader()) return null;
    const tasks = items.filter((d) => d.can_assess && !d.privacy_assessment).map((d) => ({
      href: `/avvik/${encodeURIComponent(d.id)}`,
      text: `${d.id}: ${d.title}`,
      detail: `Vurderes innen ${formatDateTime(d.deadlines.assess_by)} · ${d.step.title || d.step.id}${d.escalations.length ? ' · eskalert' : ''}`,
      overdue: d.deadlines.assessment_overdue,
      due: d.deadlines.assess_by,
    }));
    return taskSection('Personvernavvik å vurdere', tasks, 'Ingen personvernavvik venter på vurdering.');
  }

  function privacyOverview(p) {
    return h('section', { 'aria-labelledby': 'personvern-oversikt' },
      h('h2', { id: 'personvern-oversikt' }, 'Personvernavvik og 72-timersfristen'),
      h('ul', { class: 'personvern-tall', 'aria-label': 'Personvernavvik' },
        [['Personvernavvik', p.total], ['Vurdert innen 72 timer', p.assessed_in_time], ['Vurdert for sent', p.assessed_late],
          ['Ikke vurdert, fristen passert', p.open_overdue], ['Ikke vurdert, innen fristen', p.open_pending]]
          .map(([k, v]) => h('li', {}, h('strong', {}, String(v)), k))));
  }

  // --- start ------------------------------------------------------------------------------

  const pages = {
    start: startPage,
    registrer: registerPage,
    avvik: avvikListPage,
    'avvik-detalj': avvikDetailPage,
    prosedyren: procedurePage,
    revisjon: revisionPage,
    oversikt: overviewPage,
  };

  async function main() {
    const page = document.body.dataset.page;
    try {
      await frame(page);
      await (pages[page] || startPage)();
    } catch (error) {
      showError(view(), error);
      if (!(error instanceof ProblemError)) console.error(error);  // eslint-disable-line no-console
    }
    document.body.setAttribute('data-klar', 'true');
  }

  main();
})();
