// The "Pending approvals" panel (four eyes; gateway/src/console/README.md): the requests of
// verbs that need a second user's approval, newest first, with Approve / Reject for a user who
// may decide (an approver, or an operator; the server refuses a requester's own approval, and
// the page does not offer it). The list is asked of /api/approvals when the panel opens and each
// time the event stream says a request changed (event "approvals").

let api = null
let me = null
let onStatus = () => {}

const el = (tag, cls, text) => {
  const e = document.createElement(tag)
  if (cls) e.className = cls
  if (text !== undefined) e.textContent = text
  return e
}

function panel() {
  let p = document.getElementById('approvals')
  if (p) return p
  p = el('section')
  p.id = 'approvals'
  p.innerHTML = `
    <h2>Pending approvals <span class="badge" id="approvals-count">0</span></h2>
    <table>
      <thead><tr><th>#</th><th>Verb</th><th>Arguments</th><th>Requested by</th><th>At</th>
        <th>State</th><th>Decided by</th><th>Result</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="empty">No requests.</p>`
  document.getElementById('status').after(p) // under the status line: requests are to-dos
  return p
}

const mayDecide = () => me && (me.role === 'approver' || me.role === 'operator')

function result(a) {
  if (a.state !== 'approved') return ''
  if (!a.answered) return 'running…'
  if (a.http_status === 0) return 'unknown (carbonxd stopped): see the journal'
  if (a.http_status < 300) return 'done' + (a.seq ? ' (seq ' + a.seq + ')' : '')
  const why = a.answer && a.answer.error ? ': ' + a.answer.error : ''
  return 'refused (' + a.http_status + ')' + why
}

function actions(a) {
  const td = el('td', 'decide')
  if (a.state !== 'pending' || !mayDecide()) return td
  if (a.requester !== me.user) {
    const ok = el('button', 'approve', 'Approve')
    ok.type = 'button'
    ok.dataset.approve = a.id
    ok.addEventListener('click', () => decide(a, 'approve', ok))
    td.appendChild(ok)
  }
  const no = el('button', 'reject', a.requester === me.user ? 'Withdraw' : 'Reject')
  no.type = 'button'
  no.dataset.reject = a.id
  no.addEventListener('click', () => decide(a, 'reject', no))
  td.appendChild(no)
  return td
}

function render(list) {
  const p = panel()
  const tbody = p.querySelector('tbody')
  tbody.replaceChildren(...list.map((a) => {
    const tr = el('tr')
    tr.dataset.approval = a.id
    tr.dataset.state = a.state
    const cells = [a.id, a.verb, JSON.stringify(a.body), a.requester, a.requested_at,
      a.state, a.decider, result(a)]
    cells.forEach((c, i) => tr.appendChild(el('td', i === 5 ? 'state state-' + a.state : '', c)))
    tr.appendChild(actions(a))
    return tr
  }))
  const pending = list.filter((a) => a.state === 'pending').length
  p.querySelector('#approvals-count').textContent = String(pending)
  p.querySelector('.empty').hidden = list.length > 0
}

async function decide(a, action, button) {
  button.disabled = true // one click, one request (the server refuses a second one anyway)
  const { status: code, json } = await api(`/api/approvals/${a.id}/${action}`, {})
  if (json.approval) { // decided; an approval's command may still be refused by the core
    const state = json.approval.state
    onStatus(`${a.verb} #${a.id}: ${state}` +
      (state === 'approved' ? ', ' + result(json.approval) : ''), code >= 300)
  } else {
    onStatus(`${action} #${a.id} refused (${code}): ${json.error || 'no reason given'}`, true)
  }
  await refreshApprovals()
}

// Asks for the list again (after an "approvals" event, or a decision).
export async function refreshApprovals() {
  if (!api || !me) return
  const { status: code, json } = await api('/api/approvals')
  if (code === 200) render(json.approvals)
}

// Opens the panel for the logged-in user `user` ({user, role}); `call` is main.js's api(),
// `status` its status line.
export function showApprovals(call, user, status) {
  api = call
  me = user
  onStatus = status
  const p = panel()
  p.hidden = user.role === 'firm_officer'
  if (!p.hidden) refreshApprovals()
}

export function hideApprovals() {
  me = null
  const p = document.getElementById('approvals')
  if (p) {
    p.hidden = true
    p.querySelector('tbody').replaceChildren()
  }
}
