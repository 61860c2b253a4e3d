// Off-book trading on the console: open auctions with their bids, repos (open, proposed,
// defaulted, and those maturing in the 7 days from the exchange's trading date) and open
// agreement transfer reports, read through the query verbs clock.status, auction.list,
// repo.list and agreement.list; refreshed on demand.
const cny = (fen) => (fen / 100).toFixed(2)

function list(id, items, describe, empty) {
  const ul = document.getElementById(id)
  ul.replaceChildren(...(items.length ? items : [null]).map((item) => {
    const li = document.createElement('li')
    li.textContent = item === null ? empty : describe(item)
    if (item === null) li.className = 'empty'
    return li
  }))
}

const fields = (o) => Object.entries(o)
  .filter(([, v]) => typeof v !== 'object')
  .map(([k, v]) => `${k} ${/_fen$/.test(k) ? cny(v) : v}`)
  .join(', ')

// call(verb, body) -> { status, json }: the console's /api/verb with the session's CSRF token.
export function startOffBook(call) {
  const refresh = async () => {
    const a = await call('auction.list', {})
    if (a.status === 200) {
      list('auctions', a.json.auctions, (x) => `${fields(x)}; ${(x.bids || []).length} bids`,
        'no open auction')
    }
    const clock = await call('clock.status', {})
    const today = clock.status === 200 ? clock.json.trading_date : 0
    const d = new Date(Date.UTC(Math.floor(today / 10000), Math.floor(today / 100) % 100 - 1,
      today % 100 + 7))
    const week = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate()
    const r = await call('repo.list', today ? { from: today, to: week } : {})
    if (r.status === 200) {
      const repos = [...r.json.proposed.map((x) => ['proposed', x]),
        ...r.json.open.map((x) => ['open', x]), ...r.json.defaulted.map((x) => ['defaulted', x])]
      list('repos', repos, ([state, x]) => `${state}: ${fields(x)}`, 'no repo')
      list('maturities', r.json.maturities, fields, 'nothing matures in the window')
    }
    const g = await call('agreement.list', {})
    if (g.status === 200) list('agreements', g.json.agreements, fields, 'no open agreement report')
  }
  document.getElementById('offbook-refresh').addEventListener('click', refresh)
  return refresh()
}
