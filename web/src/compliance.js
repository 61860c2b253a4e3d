// The compliance dashboard: for one compliance year, the countdown to the surrender deadline on
// the exchange's clock, per firm the obligation, what was surrendered (allowances, offsets), the
// shortfall, its status and penalty, and the year's surrenders accumulated by trading day (a
// uPlot chart). Read through the query verbs clock.status and compliance.status; refreshed on
// demand, never polled.
import uPlot from 'uplot'

const DAY_MS = 86400000

// yyyymmdd (20180620) -> 'YYYY-MM-DD' and a UTC day number.
const dateText = (d) => `${String(d).slice(0, 4)}-${String(d).slice(4, 6)}-${String(d).slice(6)}`
const dayNumber = (d) => Date.UTC(Math.floor(d / 10000), Math.floor(d / 100) % 100 - 1, d % 100)
  / DAY_MS

function cell(tr, text, cls) {
  const td = document.createElement('td')
  td.textContent = text
  if (cls) td.className = cls
  tr.appendChild(td)
}

let chart = null

function drawProgress(el, surrenders) {
  let total = 0
  const xs = []
  const ys = []
  for (const d of surrenders) {
    total += d.allowances_t + d.offsets_t
    xs.push(dayNumber(d.date) * 86400)
    ys.push(total)
  }
  if (!chart) {
    chart = new uPlot({
      width: 520,
      height: 160,
      legend: { show: false },
      axes: [{}, { label: 't surrendered', size: 80 }],
      series: [{}, { label: 'surrendered', stroke: '#1f5d3a', width: 1.5, points: { show: true } }],
    }, [xs, ys], el)
  } else {
    chart.setData([xs, ys])
  }
}

// call(verb, body) -> { status, json }: the console's /api/verb with the session's CSRF token.
export function startCompliance(call) {
  const year = document.getElementById('compliance-year')
  const refresh = async () => {
    const clock = await call('clock.status', {})
    const today = clock.status === 200 ? clock.json.trading_date : 0
    if (!year.value && today) year.value = Math.floor(today / 10000) - 1
    const { status: code, json } = await call('compliance.status', { year: Number(year.value) })
    const countdown = document.getElementById('compliance-countdown')
    const rows = document.getElementById('compliance-rows')
    if (code !== 200) {
      countdown.textContent = `compliance.status refused (${code}): ${json.error || ''}`
      rows.replaceChildren()
      return
    }
    const st = json.status
    const days = dayNumber(st.deadline) - dayNumber(today)
    countdown.textContent = days >= 0
      ? `${days} day${days === 1 ? '' : 's'} to the ${st.year} deadline (${dateText(st.deadline)}, ` +
        `${st.jurisdiction}); trading date ${dateText(today)}`
      : `the ${st.year} deadline (${dateText(st.deadline)}) passed ${-days} days ago`
    countdown.dataset.days = days
    rows.replaceChildren(...st.firms.map((f) => {
      const tr = document.createElement('tr')
      tr.dataset.firm = f.firm
      tr.className = 'firm-' + f.status
      cell(tr, f.firm)
      cell(tr, f.obligation_t)
      cell(tr, f.allowances_t)
      cell(tr, f.offsets_t)
      cell(tr, f.shortfall_t)
      cell(tr, f.status + (f.settled ? ' (settled)' : ''), 'status')
      cell(tr, dateText(f.deadline) + (f.extended ? ' (extended)' : ''))
      cell(tr, f.penalty_t || '')
      cell(tr, f.fine_fen ? (f.fine_fen / 100).toFixed(2) : '')
      return tr
    }))
    drawProgress(document.getElementById('compliance-chart'), st.surrenders)
  }
  document.getElementById('compliance-refresh').addEventListener('click', refresh)
  return refresh()
}
