// The operator console in a real browser (run.sh sets the environment): Debian's chromium,
// headless, driven by playwright-core. Logs in with a TOTP code computed here (RFC 6238), watches
// GDEA2017's book change when FIX orders arrive (cxctl simulate day: members' FIX sessions),
// sees the surveillance alert of a FIX order at the band's edge appear, asks to halt the book
// as the operator (four eyes: a pending request, which the operator may not approve itself),
// approves it as the approver (logged in with its own TOTP code): the book shows halted on both
// pages, a second approval is refused; resumes it (no approval needed), and checks that a
// read-only user's halt and approval are refused with 403 and shown, that a POST without the
// CSRF token is refused, and that a wrong code is refused; then the firm portal (firmPortal).
// Screenshots in CX_SCREENSHOTS.
import { execSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(path.join(process.env.CX_WEB_DIR, 'package.json'))
const { chromium } = require('playwright-core')

const url = process.env.CX_CONSOLE_URL
const shots = process.env.CX_SCREENSHOTS
const WAIT = { timeout: 20000 } // generous: a loaded 2-core CI machine

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out = []
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c)
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

// RFC 6238 with HMAC-SHA1, 30 s steps, 6 digits.
function totp(secret, unixS = Math.floor(Date.now() / 1000)) {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(Math.floor(unixS / 30)))
  const mac = createHmac('sha1', base32(secret)).update(msg).digest()
  const o = mac[19] & 0xf
  const bin = ((mac[o] & 0x7f) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3]
  return String(bin % 1000000).padStart(6, '0')
}

// A raw GET (the path exactly as given: a browser would normalise "..").
function rawGet(pathname) {
  return new Promise((resolve, reject) => {
    http.get(new URL(url), { path: pathname }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    }).on('error', reject)
  })
}

// One member's FIX 4.4 session over a raw socket: Logon, one limit order, its first
// ExecutionReport (a Map of tag -> value), Logout. Rejects the promise on a session-level refusal.
function fixOrder({ port, comp, user, password, fields, clid }) {
  const frame = (type, seq, body) => {
    const now = new Date().toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '')
    const text = `35=${type}\x0149=${comp}\x0156=CARBONX\x0134=${seq}\x0152=${now}\x01` +
      body.map(([t, v]) => `${t}=${v}\x01`).join('')
    const head = `8=FIX.4.4\x019=${Buffer.byteLength(text)}\x01`
    let sum = 0
    for (const b of Buffer.from(head + text)) sum = (sum + b) % 256
    return head + text + `10=${String(sum).padStart(3, '0')}\x01`
  }
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let buffer = ''
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no FIX answer')) }, 20000)
    const done = (fn, value) => { clearTimeout(timer); socket.end(); fn(value) }
    socket.on('error', (e) => done(reject, e))
    socket.on('connect', () => socket.write(frame('A', 1,
      [[98, 0], [108, 30], [141, 'Y'], [553, user], [554, password]])))
    socket.on('data', (data) => {
      buffer += data.toString('latin1')
      let end
      while ((end = buffer.search(/\x0110=\d{3}\x01/)) >= 0) {
        const message = buffer.slice(0, end + 8)
        buffer = buffer.slice(end + 8)
        const f = new Map(message.split('\x01').filter(Boolean).map((kv) => {
          const i = kv.indexOf('=')
          return [Number(kv.slice(0, i)), kv.slice(i + 1)]
        }))
        const type = f.get(35)
        if (type === 'A') socket.write(frame('D', 2, [[11, clid], ...fields]))
        else if (type === '8' && f.get(11) === clid) done(resolve, f)
        else if (type === '5' || type === '3' || type === 'j') {
          done(reject, new Error(`FIX ${type}: ${f.get(58)}`))
        }
      }
    })
  })
}

let checks = 0
function check(ok, what) {
  if (!ok) throw new Error('FAILED: ' + what)
  checks++
  console.log('ok ' + checks + ' - ' + what)
}

async function login(page, user, password, secret) {
  await page.goto(url)
  await page.fill('#login-user', user)
  await page.fill('#login-password', password)
  await page.fill('#login-code', totp(secret))
  await page.click('#login button[type=submit]')
  await page.waitForSelector('#market:not([hidden])', WAIT)
}

const book = (page) => page.locator('article.book[data-symbol="GDEA2017"]')

// A POST from the page with the session's CSRF token (from /api/me), as the page's own code
// would send it: status and JSON answer.
async function pagePost(page, pathname, body) {
  return page.evaluate(async ([p, b]) => {
    const me = await (await fetch('/api/me')).json()
    const res = await fetch(p, { method: 'POST', body: JSON.stringify(b),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf } })
    return { status: res.status, json: await res.json() }
  }, [pathname, body])
}

async function setLegs(page, legs) {
  const rows = page.locator('#legs .leg')
  while (await rows.count() > legs.length) await rows.last().locator('button').click()
  while (await rows.count() < legs.length) await page.click('#add-leg')
  for (let i = 0; i < legs.length; i++) {
    await rows.nth(i).locator('.leg-symbol').selectOption(legs[i][0])
    await rows.nth(i).locator('.leg-quantity').fill(String(legs[i][1]))
  }
}

// The firm portal: GDPWR01's compliance officer logs in with a TOTP code, sees the firm's
// holdings and the offset cap, is refused a surrender over the cap (the preview and the server
// both name the rule), surrenders within it and gets the certificate with the journal seq,
// downloads a statement, and is refused an operator's action and another firm's data.
async function firmPortal(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 },
    acceptDownloads: true })
  const fp = await ctx.newPage()
  await fp.goto(url)
  await fp.fill('#login-user', 'firm1')
  await fp.fill('#login-password', 'firm1-console-pass')
  await fp.fill('#login-code', totp(process.env.CX_FIRM_SECRET))
  await fp.click('#login button[type=submit]')
  await fp.waitForSelector('#portal:not([hidden])', WAIT)
  await fp.locator('#portal-holdings tr[data-symbol="CCER-GDWIND01"]').waitFor(WAIT)
  check((await fp.textContent('#who-role')) === 'firm_officer' &&
    (await fp.textContent('#portal-firm')) === 'GDPWR01' && await fp.isHidden('#market'),
  'firm1 logs in with a TOTP code to the firm portal of GDPWR01 (no market controls)')
  const ccer = await fp.locator('#portal-holdings tr[data-symbol="CCER-GDWIND01"] td').nth(3)
    .textContent()
  check(ccer === '300,000' && (await fp.textContent('#portal-year')) === '2017',
    'the holdings (300,000 t CCER available) and the compliance year 2017 come from the registry')
  const capLeft = await fp.locator('td[data-key="Offset cap remaining"]').textContent()
  check(capLeft === '237,980 t', 'the offset cap remaining is 10% of 2016 emissions: ' + capLeft)
  await fp.screenshot({ path: path.join(shots, '06-portal-overview.png'), fullPage: true })

  // Over the offset cap: the preview lists every rule, the cap refused; Confirm stays off.
  await setLegs(fp, [['CCER-GDWIND01', 250000]])
  await fp.click('#preview')
  const capRow = fp.locator('#checks tr[data-rule="offset cap"]')
  await fp.locator('#checks tr[data-rule="offset cap"][data-status="refused"]').waitFor(WAIT)
  check((await capRow.textContent()).includes('offset cap exceeded: offsets 250000 t') &&
    (await fp.getAttribute('#checks tr[data-rule="deadline"]', 'data-status')) === 'passed' &&
    (await fp.getAttribute('#checks tr[data-rule="vintage"]', 'data-status')) === 'passed' &&
    (await fp.getAttribute('#checks tr[data-rule="holdings"]', 'data-status')) === 'not checked',
  'the preview of 250,000 t CCER shows the rules checked and the offset cap refusing it')
  check(await fp.isDisabled('#confirm') &&
    (await fp.textContent('#portal-status')).includes('refused by the rule "offset cap"'),
  'Confirm stays disabled and the page names the rule')
  await fp.screenshot({ path: path.join(shots, '07-preview-over-the-cap.png'), fullPage: true })
  const over = await pagePost(fp, '/api/portal/surrender',
    { year: 2017, legs: [{ symbol: 'CCER-GDWIND01', quantity_t: 250000 }] })
  check(over.status === 409 && over.json.rule === 'offset cap' &&
    over.json.detail.startsWith('offset cap exceeded'),
  'the surrender itself over the cap is refused by the registrar naming the cap: ' +
    over.json.detail)

  // Within the cap: every rule passes, Confirm makes the surrender, the certificate shows it.
  await setLegs(fp, [['GDEA2017', 1000], ['CCER-GDWIND01', 500]])
  await fp.click('#preview')
  await fp.waitForFunction(() => !document.querySelector('#confirm').disabled, null, WAIT)
  const statuses = await fp.locator('#checks tbody tr').evaluateAll(
    (rows) => rows.map((r) => r.dataset.status))
  check(statuses.length === 11 && statuses.every((x) => x === 'passed'),
    'the preview of 1,000 t GDEA2017 + 500 t CCER passes all ' + statuses.length + ' rules')
  await fp.click('#confirm')
  await fp.waitForSelector('#certificate:not([hidden])', WAIT)
  const seq = await fp.textContent('#certificate [data-field="seq"]')
  const status = await fp.textContent('#portal-status')
  check(/^[0-9]+$/.test(seq) && status.includes(`journal seq ${seq}`),
    'the surrender is accepted and journaled at seq ' + seq)
  const units = await fp.locator('#certificate-units tbody tr').allTextContents()
  check((await fp.textContent('#certificate [data-field="firm"]')) === 'GDPWR01' &&
    (await fp.textContent('#certificate [data-field="year"]')) === '2017' &&
    units.length === 2 && units[0].includes('GDEA2017') && units[0].includes('1,000') &&
    units[1].includes('CCER-GDWIND01') && units[1].includes('500'),
  'the certificate shows the firm, the year, the units and the seq')
  await fp.screenshot({ path: path.join(shots, '08-surrender-certificate.png'), fullPage: true })
  await fp.emulateMedia({ media: 'print' })
  await fp.pdf({ path: path.join(shots, '08-surrender-certificate.pdf'), format: 'A4' })
  await fp.emulateMedia({ media: 'screen' })

  // The statement of movements as a CSV download, the surrender's legs in it.
  await fp.click('#cert-back')
  await fp.fill('#statement-from', '2018-05-01')
  await fp.fill('#statement-to', '2018-05-31')
  const [download] = await Promise.all([fp.waitForEvent('download', WAIT),
    fp.click('#statement-form button[type=submit]')])
  const csvPath = path.join(shots, 'statement-GDPWR01.csv')
  await download.saveAs(csvPath)
  const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8')
  check(csv.startsWith('seq,time,kind,symbol,direction,amount,') &&
    csv.includes(`${seq},`) && csv.includes(',surrender,GDEA2017,out,1000,t,') &&
    csv.includes(',surrender,CCER-GDWIND01,out,500,t,'),
  'the statement CSV holds the surrender\'s two legs (' + csv.trim().split('\n').length + ' lines)')

  // An operator's action and another firm's data are refused (403) and change nothing.
  const halt = await pagePost(fp, '/api/verb/market.halt', { symbol: 'GDEA2017' })
  check(halt.status === 403 && halt.json.error === 'a firm_officer user may not call market.halt',
    'the firm officer\'s halt is refused with 403: ' + halt.json.error)
  const other = await pagePost(fp, '/api/verb/firm.overview', { firm_account: 100001, year: 2017 })
  check(other.status === 403 &&
    other.json.error === 'a firm_officer of account 100029 may not act for account 100001',
  'another firm\'s overview is refused with 403')
  await ctx.close()
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
  try {
    // A wrong one-time code is refused and said on the page.
    const op = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await op.goto(url)
    await op.fill('#login-user', 'op1')
    await op.fill('#login-password', 'op1-console-pass')
    const good = totp(process.env.CX_OP_SECRET)
    await op.fill('#login-code', good === '000000' ? '111111' : '000000')
    await op.click('#login button[type=submit]')
    await op.waitForFunction(() => document.querySelector('#login-error').textContent !== '', null,
      WAIT)
    check((await op.textContent('#login-error')).includes('wrong user, password or one-time code'),
      'a wrong TOTP code is refused')
    await op.screenshot({ path: path.join(shots, '01-login-refused.png') })

    // The operator logs in: the books arrive over server-sent events.
    await login(op, 'op1', 'op1-console-pass', process.env.CX_OP_SECRET)
    await book(op).waitFor(WAIT)
    check((await op.textContent('#who-role')) === 'operator', 'op1 is logged in as an operator')
    await op.waitForFunction(() => document.querySelector('#feed-state').textContent === 'live',
      null, WAIT)
    const cookies = await op.context().cookies()
    const session = cookies.find((c) => c.name === 'cx_session')
    check(session && session.httpOnly && session.sameSite === 'Strict',
      'the session cookie is HttpOnly and SameSite=Strict')
    await op.screenshot({ path: path.join(shots, '02-books.png') })
    const seqBefore = Number(await book(op).getAttribute('data-seq'))
    check((await book(op).locator('.trades tbody tr').count()) === 0, 'no trades before the orders')

    // FIX orders arrive (members' sessions): the book page changes without a reload.
    execSync(process.env.CX_SIMULATE, { stdio: 'inherit' })
    await op.waitForFunction(() => {
      const el = document.querySelector('article.book[data-symbol="GDEA2017"]')
      return el && el.querySelectorAll('.trades tbody tr').length >= 4
    }, null, WAIT)
    check(Number(await book(op).getAttribute('data-seq')) > seqBefore,
      'the book was updated by the FIX orders (seq ' + seqBefore + ' -> ' +
      (await book(op).getAttribute('data-seq')) + ')')
    check((await book(op).locator('.phase').textContent()) === 'continuous',
      'GDEA2017 is open (continuous)')
    check((await op.getAttribute('#feed-state', 'data-opens')) === '1' &&
      (await op.textContent('#feed-state')) === 'live',
      'the updates came over the one event stream opened at login (no reconnect)')
    await op.screenshot({ path: path.join(shots, '03-book-after-fix-orders.png') })

    // A member buys at the band's upper edge (GDEA2017: 14.20 + 10% = 15.62): the surveillance
    // alert arrives over the same stream, with the order behind it.
    const report = await fixOrder({ port: Number(process.env.CX_FIX_PORT), comp: 'GDALU01',
      user: 'gdalu01', password: 'gdalu01-pass', clid: 'E2E-EDGE-1',
      fields: [[1, '100001'], [55, 'GDEA2017'], [54, '1'], [60, '20180515-01:40:00'],
        [38, '1'], [40, '2'], [44, '15.62']] })
    check(report.get(39) !== '8', 'the buy at 15.62 was accepted (39=' + report.get(39) + ' ' +
      (report.get(58) || '') + ')')
    const alert = op.locator('#alerts-rows tr.alert-order_at_band_edge')
    await alert.first().waitFor(WAIT)
    const alertText = await alert.first().textContent()
    check(alertText.includes('15.62') && alertText.includes("upper edge") &&
      alertText.includes('#' + report.get(37)),
      'the order at the band edge is a surveillance alert naming order ' + report.get(37))
    await op.screenshot({ path: path.join(shots, '03b-surveillance-alert.png') })

    // The compliance dashboard: year 2017 by default (the trading date is 2018-05-15), the
    // countdown on the exchange's clock, a row per firm from the recorded emissions.
    await op.waitForSelector('#compliance-rows tr[data-firm="GDALU01"]', WAIT)
    check((await op.inputValue('#compliance-year')) === '2017' &&
      (await op.getAttribute('#compliance-countdown', 'data-days')) === '36' &&
      (await op.textContent('#compliance-countdown')).includes('36 days to the 2017 deadline ' +
        '(2018-06-20'), 'the dashboard counts 36 days to the 2017 deadline: ' +
      (await op.textContent('#compliance-countdown')))
    const firm = await op.locator('#compliance-rows tr[data-firm="GDALU01"] td').allTextContents()
    check(firm[1] === '2129555' && firm[2] === '0' && firm[4] === '2129555' && firm[5] === 'short',
      'GDALU01: obligation 2,129,555 t, nothing surrendered, short by all of it: ' + firm)
    check((await op.textContent('#auctions')) === 'no open auction' &&
      (await op.textContent('#agreements')) === 'no open agreement report',
      'the off-book panel says there is no open auction or agreement report')
    await op.screenshot({ path: path.join(shots, '03c-compliance-dashboard.png'), fullPage: true })

    // A POST without the CSRF token is refused, whatever the cookie.
    const noCsrf = await op.evaluate(async () => (await fetch('/api/verb/market.halt', {
      method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })).status)
    check(noCsrf === 403, 'a verb without the CSRF token is refused with 403')
    check((await book(op).locator('.phase').textContent()) === 'continuous', 'and changed nothing')

    // The operator asks to halt GDEA2017: a halt needs a second user's approval (four eyes), so
    // it is a pending request in the approvals panel, and the book stays open.
    await book(op).locator('button[data-verb="market.halt"]').click()
    await op.waitForFunction(() => document.querySelector('#status').textContent
      .startsWith('market.halt: pending approval #'), null, WAIT)
    const id = (await op.textContent('#status')).replace(/^.*#/, '')
    const opRow = op.locator(`#approvals tr[data-approval="${id}"]`)
    await opRow.waitFor(WAIT)
    check((await opRow.getAttribute('data-state')) === 'pending' &&
      (await opRow.locator('td').nth(3).textContent()) === 'op1',
      'the operator\'s halt is pending request #' + id + ', requested by op1')
    check((await opRow.locator('button[data-approve]').count()) === 0,
      'the page offers the requester no Approve button')
    const selfApprove = await op.evaluate(async (id) => {
      const me = await (await fetch('/api/me')).json()
      const res = await fetch(`/api/approvals/${id}/approve`, { method: 'POST', body: '{}',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf } })
      return [res.status, (await res.json()).error]
    }, id)
    check(selfApprove[0] === 403 && selfApprove[1].includes('a second user must approve it'),
      'the requester\'s own approval is refused with 403: ' + selfApprove[1])
    check((await book(op).locator('.phase').textContent()) === 'continuous',
      'GDEA2017 is still continuous while the halt waits')
    await op.screenshot({ path: path.join(shots, '04-halt-pending.png'), fullPage: true })

    // The approver logs in with its own TOTP code and approves: the halt runs once, and both
    // pages show GDEA2017 halted (the phase pushed by the server).
    const apContext = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const ap = await apContext.newPage()
    await login(ap, 'ap1', 'ap1-console-pass', process.env.CX_AP_SECRET)
    check((await ap.textContent('#who-role')) === 'approver', 'ap1 is logged in as an approver')
    const apRow = ap.locator(`#approvals tr[data-approval="${id}"]`)
    await apRow.locator('button[data-approve]').waitFor(WAIT)
    await ap.screenshot({ path: path.join(shots, '05-approver-sees-pending.png'), fullPage: true })
    await apRow.locator('button[data-approve]').click()
    await ap.waitForFunction(() => document.querySelector(
      'article.book[data-symbol="GDEA2017"] .phase').textContent === 'halted', null, WAIT)
    await op.waitForFunction(() => document.querySelector(
      'article.book[data-symbol="GDEA2017"] .phase').textContent === 'halted', null, WAIT)
    await ap.waitForFunction((id) => {
      const tr = document.querySelector(`#approvals tr[data-approval="${id}"]`)
      return tr && tr.dataset.state === 'approved' && tr.textContent.includes('done (seq')
    }, id, WAIT)
    check((await ap.textContent('#status')).startsWith(`market.halt #${id}: approved, done (seq`),
      'the approver\'s approval ran the halt: ' + await ap.textContent('#status'))
    check(true, 'GDEA2017 shows halted on the approver\'s and the operator\'s pages')
    await op.waitForFunction((id) => document.querySelector(
      `#approvals tr[data-approval="${id}"]`).dataset.state === 'approved', id, WAIT)
    check((await opRow.locator('td').nth(6).textContent()) === 'ap1',
      'the operator\'s panel shows the request approved by ap1')
    await ap.screenshot({ path: path.join(shots, '06-halt-approved.png'), fullPage: true })
    const second = await ap.evaluate(async (id) => {
      const me = await (await fetch('/api/me')).json()
      const res = await fetch(`/api/approvals/${id}/approve`, { method: 'POST', body: '{}',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf } })
      return res.status
    }, id)
    check(second === 409, 'a second approval of the same request is refused (409): it ran once')

    await book(op).locator('button[data-verb="market.resume"]').click()
    await op.waitForFunction(() => document.querySelector(
      'article.book[data-symbol="GDEA2017"] .phase').textContent === 'continuous', null, WAIT)
    check(true, 'the operator\'s resume shows continuous again')

    // A read-only user sees the books, and its halt is refused (403, shown); nothing changes.
    const roContext = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const ro = await roContext.newPage()
    await login(ro, 'ro1', 'ro1-console-pass', process.env.CX_RO_SECRET)
    await book(ro).waitFor(WAIT)
    check((await ro.textContent('#who-role')) === 'read_only', 'ro1 is logged in as read-only')
    check((await book(ro).locator('.trades tbody tr').count()) >= 4, 'ro1 sees the same trades')
    await book(ro).locator('button[data-verb="market.halt"]').click()
    await ro.waitForFunction(() => document.querySelector('#status').className === 'refused', null,
      WAIT)
    const refusal = await ro.textContent('#status')
    check(refusal.includes('refused (403)') && refusal.includes('may not call market.halt'),
      'the read-only user\'s halt is refused with 403 and shown: ' + refusal)
    check((await book(ro).locator('.phase').textContent()) === 'continuous' &&
      (await book(op).locator('.phase').textContent()) === 'continuous',
      'GDEA2017 stays continuous for both users')
    const roApprove = await ro.evaluate(async (id) => {
      const me = await (await fetch('/api/me')).json()
      const res = await fetch(`/api/approvals/${id}/reject`, { method: 'POST', body: '{}',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf } })
      return res.status
    }, id)
    check(roApprove === 403 &&
      (await ro.locator('#approvals button[data-approve], #approvals button[data-reject]')
        .count()) === 0,
      'a read-only user may not decide a request (403) and is offered no button')
    await ro.screenshot({ path: path.join(shots, '07-read-only-halt-refused.png'),
      fullPage: true })

    // Three failures in a row lock lock1 out (console_max_failed_logins = 3): then even its
    // right password and code are refused.
    const attempts = await ro.evaluate(async (code) => {
      const statuses = []
      for (const password of ['wrong-1', 'wrong-2', 'wrong-3', 'lock1-console-pass']) {
        const res = await fetch('/api/login', { method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ user: 'lock1', password, code }) })
        statuses.push(res.status)
      }
      return statuses
    }, totp(process.env.CX_LOCK_SECRET))
    check(JSON.stringify(attempts) === '[401,401,429,429]',
      'three failures lock the user out, the right password then too: ' + attempts)

    // No path leaves the web folder.
    check(await rawGet('/../carbonxd.toml') === 404 && await rawGet('/index.html') === 200,
      'a path with .. is not served (404), index.html is')

    await firmPortal(browser)

    // Logging out ends the session: the API answers 401 to the old cookie.
    await op.click('#logout')
    await op.waitForSelector('#login:not([hidden])', WAIT)
    const after = await op.evaluate(async () => (await fetch('/api/me')).status)
    check(after === 401, 'after logout the session is gone (401)')
  } finally {
    await browser.close()
  }
  console.log(`${checks} checks passed`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
