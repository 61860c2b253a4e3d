// The firm portal (web/README.md "Firm portal"): what a covered firm's compliance officer sees
// after logging in. Every number comes from carbonxd (/api/portal/*: the registry's state, the
// registrar's own decision on a surrender); nothing is computed here but the display.
//   overview   holdings per instrument (available, frozen), the year's obligation, what was
//              surrendered, the offset cap and its room, the in-province share of CCER
//   surrender  legs (instrument + tonnes) -> Preview (every rule the registrar checks, with its
//              outcome) -> Confirm (one journaled surrender) -> the printable certificate
//   statement  movements over a period as a CSV download
const $ = (id) => document.getElementById(id)
let api = null
let overview = null
let previewed = '' // the legs of the last accepted preview (Confirm is for exactly those)

const t = (n) => Number(n).toLocaleString('en-US')

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v
    else if (k.startsWith('data-')) e.setAttribute(k, v)
    else e[k] = v
  }
  for (const c of children) e.append(c)
  return e
}

function tableRow(cells, attrs = {}) {
  return el('tr', attrs, ...cells.map((c) => el('td', {}, String(c))))
}

function skeleton() {
  const root = $('portal')
  if (root.dataset.built) return
  root.dataset.built = '1'
  root.innerHTML = `
    <div class="portal-head">
      <h2>Firm <span id="portal-firm"></span> <span class="sub" id="portal-account"></span></h2>
      <span class="sub">exchange time <span id="portal-now"></span></span>
    </div>
    <div class="cards">
      <article class="card" id="portal-compliance">
        <h3>Compliance year <span id="portal-year"></span></h3>
        <table class="kv"><tbody></tbody></table>
      </article>
      <article class="card">
        <h3>Holdings</h3>
        <table id="portal-holdings"><thead><tr><th>Instrument</th><th>Kind</th>
          <th>Vintage / project</th><th>Available (t)</th><th>Frozen (t)</th></tr></thead>
          <tbody></tbody></table>
      </article>
    </div>
    <article class="card" id="portal-surrender">
      <h3>Surrender</h3>
      <div id="legs"></div>
      <div class="controls">
        <button type="button" id="add-leg">Add a leg</button>
        <button type="button" id="preview">Preview</button>
        <button type="button" id="confirm" disabled>Confirm surrender</button>
      </div>
      <p id="portal-status" role="status"></p>
      <table id="checks" hidden><thead><tr><th>Rule</th><th>Outcome</th><th>What was checked</th>
        </tr></thead><tbody></tbody></table>
    </article>
    <div class="cards">
      <article class="card">
        <h3>Surrenders this year</h3>
        <table id="portal-surrenders"><thead><tr><th>No.</th><th>Time</th><th>Allowances (t)</th>
          <th>Offsets (t)</th><th>Units</th></tr></thead><tbody></tbody></table>
        <form id="cert-form" class="controls">
          <label>Certificate of journal seq <input id="cert-seq" inputmode="numeric" required />
          </label><button type="submit">Show</button>
        </form>
      </article>
      <article class="card">
        <h3>Statement of movements</h3>
        <form id="statement-form" class="controls">
          <label>From <input id="statement-from" type="date" required /></label>
          <label>To <input id="statement-to" type="date" required /></label>
          <button type="submit">Download CSV</button>
        </form>
        <a id="statement-link" hidden download>statement</a>
      </article>
    </div>`
  $('add-leg').addEventListener('click', () => addLeg())
  $('preview').addEventListener('click', preview)
  $('confirm').addEventListener('click', confirm)
  $('legs').addEventListener('input', () => { $('confirm').disabled = legsKey() !== previewed })
  $('cert-form').addEventListener('submit', (e) => {
    e.preventDefault()
    showCertificate(Number($('cert-seq').value))
  })
  $('statement-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const q = new URLSearchParams({ from: $('statement-from').value, to: $('statement-to').value })
    const a = $('statement-link')
    a.href = '/api/portal/statement.csv?' + q
    a.click()
  })
  $('cert-back').addEventListener('click', () => {
    $('certificate').hidden = true
    $('portal').hidden = false
  })
  $('cert-print').addEventListener('click', () => window.print())
}

function addLeg(symbol = '', quantity = '') {
  const select = el('select', { class: 'leg-symbol' })
  for (const h of (overview ? overview.holdings : []).filter((x) => x.kind !== 'cash')) {
    select.append(el('option', { value: h.symbol }, h.symbol))
  }
  if (symbol) select.value = symbol
  const qty = el('input', { class: 'leg-quantity', inputMode: 'numeric', value: quantity })
  const remove = el('button', { type: 'button' }, 'Remove')
  const row = el('div', { class: 'leg' }, select, qty, el('span', {}, ' t '), remove)
  remove.addEventListener('click', () => {
    row.remove()
    $('confirm').disabled = legsKey() !== previewed
  })
  $('legs').append(row)
  $('confirm').disabled = true
}

function legs() {
  return [...document.querySelectorAll('#legs .leg')].map((row) => ({
    symbol: row.querySelector('.leg-symbol').value,
    quantity_t: Number(row.querySelector('.leg-quantity').value),
  }))
}
const legsKey = () => JSON.stringify(legs())

function status(text, refused) {
  $('portal-status').textContent = text
  $('portal-status').className = refused ? 'refused' : 'done'
}

function renderOverview(o) {
  overview = o
  $('portal-firm').textContent = o.firm
  $('portal-account').textContent =
    `account ${o.firm_account}, member ${o.member}, ${o.account_status}`
  $('portal-now').textContent = o.now
  const c = o.compliance
  $('portal-year').textContent = c.year
  $('portal').dataset.year = c.year
  const cap = c.offset_cap
  const share = c.in_region
  const rows = [
    ['Obligation (verified emissions)',
      c.has_obligation ? t(c.obligation_t) + ' t' : 'none recorded'],
    ['Surrendered: allowances', t(c.allowances_t) + ' t'],
    ['Surrendered: offsets', t(c.offsets_t) + ' t'],
    ['Remaining', t(c.remaining_t) + ' t'],
    ['Deadline', c.deadline + (c.extended ? ' (extended)' : '') + (c.on_time ? '' : ' — passed')],
    ['Offset cap', cap.cap_t === undefined ? 'basis unknown'
      : `${cap.fraction} × ${cap.basis} ${t(cap.basis_t)} t = ${cap.cap_t} t`],
    ['Offset cap remaining', cap.room_t === undefined ? '—' : t(cap.room_t) + ' t'],
    [`In-province CCER (${share.region})`,
      `${t(share.ccer_in_region_t)} t of ${t(share.ccer_t)} t CCER (at least ${share.min_share})`],
  ]
  $('portal-compliance').querySelector('tbody').replaceChildren(
    ...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', { 'data-key': k }, v))))
  $('portal-holdings').querySelector('tbody').replaceChildren(...o.holdings.map((h) =>
    tableRow([h.symbol, h.kind, h.vintage ?? (h.project ? `${h.project} (${h.region})` : ''),
      h.kind === 'cash' ? `${(h.available / 100).toFixed(2)} CNY` : t(h.available),
      h.kind === 'cash' ? `${(h.frozen / 100).toFixed(2)} CNY` : t(h.frozen)],
    { 'data-symbol': h.symbol })))
  $('portal-surrenders').querySelector('tbody').replaceChildren(...o.surrenders.map((s) =>
    tableRow([s.number + 1, s.time, t(s.allowances_t), t(s.offsets_t),
      s.legs.map((l) => `${l.symbol} ${t(l.quantity_t)} t`).join(', ')])))
  if (!document.querySelector('#legs .leg')) addLeg()
}

async function loadOverview() {
  const { status: code, json } = await api('/api/portal/overview')
  if (code !== 200) return status(`overview refused (${code}): ${json.error}`, true)
  renderOverview(json)
}

function renderChecks(p) {
  $('checks').hidden = false
  $('checks').querySelector('tbody').replaceChildren(...p.checks.map((c) =>
    tableRow([c.rule, c.status, c.detail], { class: 'check-' + c.status.replace(' ', '-'),
      'data-rule': c.rule, 'data-status': c.status })))
}

async function preview() {
  const body = { year: Number($('portal').dataset.year), legs: legs() }
  const key = legsKey()
  const { status: code, json } = await api('/api/portal/preview', body)
  if (code !== 200) {
    $('checks').hidden = true
    previewed = ''
    $('confirm').disabled = true
    return status(`preview refused (${code}): ${json.error}`, true)
  }
  renderChecks(json)
  previewed = json.accepted ? key : ''
  $('confirm').disabled = !json.accepted
  if (json.accepted) status('preview: every rule passed; confirm to surrender', false)
  else status(`preview: refused by the rule "${json.rule}": ${json.detail}`, true)
}

async function confirm() {
  $('confirm').disabled = true
  const body = { year: Number($('portal').dataset.year), legs: legs() }
  const { status: code, json } = await api('/api/portal/surrender', body)
  previewed = ''
  if (code === 200 && json.ok) {
    status(`surrendered (journal seq ${json.seq})`, false)
    await loadOverview()
    if (json.certificate) renderCertificate(json.certificate)
    return
  }
  const rule = json.rule ? ` by the rule "${json.rule}"` : ''
  status(`surrender refused${rule} (${code}): ${json.detail || json.error}`, true)
}

function renderCertificate(c) {
  const root = $('certificate')
  const set = (field, v) => { root.querySelector(`[data-field="${field}"]`).textContent = v }
  set('firm', c.firm)
  set('firm_account', c.firm_account)
  set('year', c.year)
  set('jurisdiction', c.jurisdiction)
  set('number', c.number + 1)
  set('seq', c.seq)
  set('time', c.time)
  set('by', c.by)
  set('total', t(c.total_t) + ' t')
  set('hash', c.journal_hash)
  $('certificate-units').querySelector('tbody').replaceChildren(...c.legs.map((l) =>
    tableRow([l.symbol, l.kind, l.vintage ?? `${l.project} (${l.region})`, t(l.quantity_t)])))
  root.dataset.seq = c.seq
  $('portal').hidden = true
  root.hidden = false
}

async function showCertificate(seq) {
  const { status: code, json } = await api('/api/portal/certificate?seq=' + seq)
  if (code !== 200) return status(`certificate refused (${code}): ${json.error}`, true)
  renderCertificate(json.certificate)
}

export function startPortal(callApi) {
  api = callApi
  skeleton()
  $('portal').hidden = false
  $('certificate').hidden = true
  loadOverview()
}

export function stopPortal() {
  $('portal').hidden = true
  $('certificate').hidden = true
}
