// The carbonx operator console (web/README.md): log in (password + TOTP code), then the live
// books pushed by carbonxd as server-sent events (/api/events) and the market control buttons,
// which call the verb table through /api/verb/<verb> with the session's CSRF token.
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import './style.css'
import { startAlerts } from './alerts.js'
import { startCompliance } from './compliance.js'
import { startOffBook } from './offbook.js'
import { hideApprovals, refreshApprovals, showApprovals } from './approvals.js'
import { startPortal, stopPortal } from './portal.js'

const $ = (id) => document.getElementById(id)
let csrf = ''
let events = null
const books = new Map() // symbol -> { el, chart, points }

const cny = (fen) => (fen / 100).toFixed(2)

async function api(path, body) {
  const init = body === undefined
    ? { credentials: 'same-origin' }
    : {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(body),
      }
  const res = await fetch(path, init)
  let json = {}
  try { json = await res.json() } catch { /* not JSON */ }
  return { status: res.status, json }
}

function showLoggedIn(me) {
  csrf = me.csrf
  $('login').hidden = true
  $('market').hidden = false
  $('who').hidden = false
  $('who-name').textContent = me.user
  $('who-role').textContent = me.role
  if (me.role === 'firm_officer') { // the firm portal (portal.js) instead of the market
    $('market').hidden = true
    return startPortal(api)
  }
  connect()
  const call = (verb, body) => api('/api/verb/' + verb, body)
  startCompliance(call)
  startOffBook(call)
  showApprovals(api, me, status)
}

function showLoggedOut() {
  csrf = ''
  if (events) events.close()
  events = null
  hideApprovals()
  $('login').hidden = false
  $('market').hidden = true
  $('who').hidden = true
  stopPortal()
}

function connect() {
  if (events) events.close()
  events = new EventSource('/api/events')
  events.addEventListener('open', () => {
    $('feed-state').textContent = 'live'
    $('feed-state').dataset.opens = Number($('feed-state').dataset.opens || 0) + 1
  })
  events.addEventListener('error', () => { $('feed-state').textContent = 'reconnecting' })
  events.addEventListener('book', (e) => render(JSON.parse(e.data)))
  startAlerts(events)
  events.addEventListener('approvals', () => refreshApprovals())
}

function status(text, refused) {
  const el = $('status')
  el.textContent = text
  el.className = refused ? 'refused' : 'done'
}

async function callVerb(verb, body) {
  const { status: code, json } = await api('/api/verb/' + verb, body)
  if (code === 202 && json.pending) { // four eyes: a second user approves it (approvals.js)
    status(`${verb}: pending approval #${json.approval.id}`, false)
  } else if (code === 200 && json.ok !== false) {
    status(`${verb}: done${json.seq ? ' (seq ' + json.seq + ')' : ''}`, false)
  } else {
    status(`${verb} refused (${code}): ${json.error || 'no reason given'}`, true)
  }
}

function bookCard(symbol) {
  const el = document.createElement('article')
  el.className = 'book'
  el.dataset.symbol = symbol
  el.innerHTML = `
    <h3><span class="symbol"></span><span class="badge phase"></span></h3>
    <div class="cols">
      <table class="depth"><thead><tr><th>Qty (t)</th><th>Price (CNY)</th></tr></thead>
        <tbody></tbody></table>
      <table class="trades"><thead><tr><th>Last trades</th><th>Qty (t)</th></tr></thead>
        <tbody></tbody></table>
    </div>
    <div class="chart"></div>
    <div class="actions">
      <button type="button" data-verb="market.halt">Halt</button>
      <button type="button" data-verb="market.resume">Resume</button>
    </div>`
  el.querySelector('.symbol').textContent = symbol
  for (const b of el.querySelectorAll('.actions button')) {
    b.addEventListener('click', () => callVerb(b.dataset.verb, { symbol }))
  }
  $('books').appendChild(el)
  const chart = new uPlot({
    width: 360,
    height: 120,
    legend: { show: false },
    scales: { x: { time: false } },
    axes: [{ label: 'trade' }, { label: 'CNY', size: 60 }],
    series: [{}, { label: 'price', stroke: '#1f5d3a', width: 1.5, points: { show: true } }],
  }, [[], []], el.querySelector('.chart'))
  const book = { el, chart, trades: [] }
  books.set(symbol, book)
  return book
}

function row(cls, cells) {
  const tr = document.createElement('tr')
  tr.className = cls
  for (const c of cells) {
    const td = document.createElement('td')
    td.textContent = c
    tr.appendChild(td)
  }
  return tr
}

function render(view) {
  const book = books.get(view.symbol) || bookCard(view.symbol)
  const el = book.el
  el.dataset.seq = view.seq
  const phase = el.querySelector('.phase')
  phase.textContent = view.phase
  phase.className = 'badge phase phase-' + view.phase
  const depth = el.querySelector('.depth tbody')
  depth.replaceChildren(
    ...view.asks.slice().reverse().map(([p, q]) => row('ask', [q, cny(p)])),
    ...view.bids.map(([p, q]) => row('bid', [q, cny(p)])))
  const trades = el.querySelector('.trades tbody')
  trades.replaceChildren(...view.trades.map((t) => row('trade', [cny(t.price_fen), t.quantity_t])))
  // The chart: the last trades, oldest first.
  const series = view.trades.slice().reverse()
  book.chart.setData([series.map((_, i) => i + 1), series.map((t) => t.price_fen / 100)])
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault()
  $('login-error').textContent = ''
  const { status: code, json } = await api('/api/login', {
    user: $('login-user').value,
    password: $('login-password').value,
    code: $('login-code').value,
  })
  if (code === 200) {
    $('login-password').value = ''
    $('login-code').value = ''
    showLoggedIn(json)
  } else {
    $('login-error').textContent = json.error || `login refused (${code})`
  }
})

$('logout').addEventListener('click', async () => {
  await api('/api/logout', {})
  showLoggedOut()
})

for (const b of document.querySelectorAll('.controls button[data-verb]')) {
  b.addEventListener('click', () => callVerb(b.dataset.verb, {}))
}

api('/api/me').then(({ status: code, json }) => {
  if (code === 200) showLoggedIn(json)
  else showLoggedOut()
})
