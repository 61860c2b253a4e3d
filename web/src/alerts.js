// Surveillance alerts (gateway/surveillance): the recent ones from /api/alerts at login, then each
// new one as the "alert" server-sent event, newest first, with the orders behind it.
const KEPT = 200

const cny = (fen) => (fen / 100).toFixed(2)

function alertRow(a) {
  const tr = document.createElement('tr')
  tr.className = 'alert alert-' + a.kind
  tr.dataset.seq = a.seq
  const orders = a.orders
    .map((o) => `${o.side} #${o.order_id}${o.account ? ' acct ' + o.account : ''}` +
      (o.member ? ' m' + o.member : ''))
    .join(', ')
  const cells = [a.seq, a.kind.replaceAll('_', ' '), a.price_fen ? cny(a.price_fen) : '',
    a.quantity_t || '', orders, a.detail]
  for (const c of cells) {
    const td = document.createElement('td')
    td.textContent = c
    tr.appendChild(td)
  }
  return tr
}

// Shows the alerts in <tbody id="alerts-rows"> and keeps <span id="alerts-count"> current.
export async function startAlerts(events) {
  const body = document.getElementById('alerts-rows')
  const count = document.getElementById('alerts-count')
  const seen = new Set()
  const add = (a, atTop) => {
    const key = a.seq + ':' + a.kind + ':' + a.orders.map((o) => o.order_id).join('/')
    if (seen.has(key)) return
    seen.add(key)
    const tr = alertRow(a)
    if (atTop) body.prepend(tr)
    else body.append(tr)
    while (body.children.length > KEPT) body.lastElementChild.remove()
    count.textContent = String(body.children.length)
  }
  body.replaceChildren()
  events.addEventListener('alert', (e) => add(JSON.parse(e.data), true))
  const res = await fetch('/api/alerts', { credentials: 'same-origin' })
  if (res.ok) for (const a of await res.json()) add(a, false)
}
