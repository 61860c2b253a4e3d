#!/usr/bin/env node
// Derives the message definitions of carbonx's FIX dictionary (gateway/spec/FIX44-carbonx.xml)
// from stock FIX 4.4 (the QuickFIX FIX44.xml, as jspurefix ships it in tests/interop), so that a
// standard client's fields are never refused as "tag not defined for this message type" (373=2).
//
// For the header and every message the dictionary defines with fields (admin and application,
// both directions) the result lists every field and group stock FIX 4.4 defines for it, in stock
// order, components flattened (the dictionary has none). A field the dictionary already had keeps
// its required flag; a field added from stock is optional. Fields that are not stock FIX 4.4 for
// the message (CxAuctionID(20011), Account on OrderMassCancelRequest) stay, after the stock ones.
// Messages listed without fields (unsupported: answered 380=3) stay empty. Each field used is
// defined in <fields>: the dictionary's own definitions are kept (their narrower enumerations are
// what carbonx accepts), the others are copied from stock with stock's type and enumeration.
// Which added fields have a meaning carbonx refuses is the gateway's business (translate.cpp),
// not the dictionary's; docs/fix/README.md has the table.
//
// Usage: node scripts/gen-fix-dictionary.js [--stock FIX44.xml] [--dictionary FILE] [--check]
//   writes the dictionary in place; --check only compares and exits 1 (naming each missing stock
//   field) when the file is not what this script makes of it.
'use strict'
const fs = require('fs')
const path = require('path')

const root = path.resolve(__dirname, '..')
const args = { stock: path.join(root, 'tests/interop/node_modules/jspurefix/data/FIX44.xml'),
  dictionary: path.join(root, 'gateway/spec/FIX44-carbonx.xml'), check: false }
for (let i = 2; i < process.argv.length; ++i) {
  const a = process.argv[i]
  if (a === '--check') args.check = true
  else if (a === '--stock' || a === '--dictionary') args[a.slice(2)] = process.argv[++i]
  else throw new Error(`unknown argument ${a}`)
}

// --- a reader for the QuickFIX dictionary format (elements and attributes only) ---------------
function parse (text) {
  const rootNode = { tag: '#root', attrs: {}, children: [] }
  const stack = [rootNode]
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g
  const body = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<\?[\s\S]*?\?>/g, '')
  for (let m; (m = re.exec(body)) !== null;) {
    const [, close, tag, attrText, selfClose] = m
    if (close) {
      const top = stack.pop()
      if (top.tag !== tag) throw new Error(`</${tag}> closes <${top.tag}>`)
      continue
    }
    const attrs = {}
    for (const a of attrText.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attrs[a[1]] = a[2] !== undefined ? a[2] : a[3]
    }
    const node = { tag, attrs, children: [] }
    stack[stack.length - 1].children.push(node)
    if (!selfClose) stack.push(node)
  }
  if (stack.length !== 1) throw new Error('unclosed element')
  return rootNode.children[0]
}
const child = (node, tag) => node.children.find(c => c.tag === tag)

// Items of a message, group or component with components expanded in place: [{kind, name,
// required, items}] where kind is field or group.
function flatten (items, components, seen = new Set()) {
  const out = []
  for (const it of items) {
    if (it.tag === 'field') {
      out.push({ kind: 'field', name: it.attrs.name, required: it.attrs.required || 'N' })
    } else if (it.tag === 'group') {
      out.push({ kind: 'group', name: it.attrs.name, required: it.attrs.required || 'N',
        items: flatten(it.children, components, seen) })
    } else if (it.tag === 'component') {
      const c = components.get(it.attrs.name)
      if (!c) throw new Error(`unknown component ${it.attrs.name}`)
      out.push(...flatten(c.children, components, seen))
    }
  }
  // A name once per level (the first place stock puts it).
  const names = new Set()
  return out.filter(i => !names.has(i.name) && names.add(i.name))
}

// Stock's items with carbonx's required flags where carbonx had the item; carbonx's items that
// stock lacks at this level are appended. `missing` collects "Message: Field" for --check.
function merge (stockItems, oursItems, where, missing) {
  const ours = new Map(oursItems.map(i => [i.name, i]))
  const out = stockItems.map(s => {
    const o = ours.get(s.name)
    if (!o) missing.push(`${where}: ${s.name}`)
    const required = o ? o.required : 'N'
    if (s.kind === 'field') return { kind: 'field', name: s.name, required }
    return { kind: 'group', name: s.name, required,
      items: merge(s.items, o && o.kind === 'group' ? o.items : [], `${where}.${s.name}`,
        missing) }
  })
  const stockNames = new Set(stockItems.map(s => s.name))
  for (const o of oursItems) if (!stockNames.has(o.name)) out.push(o)
  return out
}

function render (items, indent) {
  const pad = ' '.repeat(indent)
  const lines = []
  for (const i of items) {
    if (i.kind === 'field') {
      lines.push(`${pad}<field name="${i.name}" required="${i.required}"/>`)
    } else {
      lines.push(`${pad}<group name="${i.name}" required="${i.required}">`)
      lines.push(...render(i.items, indent + 2))
      lines.push(`${pad}</group>`)
    }
  }
  return lines
}

function usedNames (items, into) {
  for (const i of items) {
    into.add(i.name)
    if (i.kind === 'group') usedNames(i.items, into)
  }
  return into
}

function escapeAttr (s) {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}

// Fields whose standard values must never be a session reject (373=5): they take stock's whole
// enumeration (plus any value of the dictionary's that stock lacks). Those the gateway ignores on
// every message it accepts (or reads only for one value, as SecurityType=REPO on AE), and those
// whose value it acts on (Side, OrdType, TimeInForce, ...): a standard value carbonx does not
// support there is refused by the message's business reject naming the field and the values it
// takes (gateway/fixadapter/translate.cpp kUnsupportedFields; docs/fix/README.md).
const WIDEN = ['CommType', 'OrdStatus', 'ExecType', 'SecurityType', 'AccountType', 'Side',
  'OrdType', 'TimeInForce', 'MDEntryType', 'MassCancelRequestType', 'SecurityListRequestType',
  'PosReqType']

// --- the derivation ------------------------------------------------------------------------
const stockDoc = parse(fs.readFileSync(args.stock, 'utf8'))
const text = fs.readFileSync(args.dictionary, 'utf8')
const oursDoc = parse(text)
const components = new Map(child(stockDoc, 'components').children.map(c => [c.attrs.name, c]))
const stockMessages = new Map(child(stockDoc, 'messages').children.map(m => [m.attrs.msgtype, m]))
const oursFlat = node => flatten(node.children, new Map())
const missing = []
const used = new Set()
let result = text

// The header: every stock header field (carbonx's flags kept).
{
  const merged = merge(flatten(child(stockDoc, 'header').children, components),
    oursFlat(child(oursDoc, 'header')), 'header', missing)
  usedNames(merged, used)
  result = result.replace(/( *)<header>\n[\s\S]*?<\/header>/,
    (all, pad) => [`${pad}<header>`, ...render(merged, pad.length + 2), `${pad}</header>`]
      .join('\n'))
}
usedNames(oursFlat(child(oursDoc, 'trailer')), used)

for (const m of child(oursDoc, 'messages').children) {
  const type = m.attrs.msgtype
  const ours = oursFlat(m)
  if (ours.length === 0) continue // unsupported: listed without fields
  const stock = stockMessages.get(type)
  if (!stock) throw new Error(`MsgType ${type} is not FIX 4.4`)
  const merged = merge(flatten(stock.children, components), ours, m.attrs.name, missing)
  usedNames(merged, used)
  const open = new RegExp(`( *)<message [^>]*msgtype="${type}"[^>]*>\\n[\\s\\S]*?</message>`)
  result = result.replace(open, (all, pad) => {
    const first = all.slice(pad.length, all.indexOf('>') + 1)
    return [`${pad}${first}`, ...render(merged, pad.length + 1), `${pad}</message>`].join('\n')
  })
}

// <fields>: the dictionary's definitions, then stock's for each field it now uses and lacked.
const defined = new Set(child(oursDoc, 'fields').children.map(f => f.attrs.name))
const stockFields = new Map(child(stockDoc, 'fields').children.map(f => [f.attrs.name, f]))
function renderField (f, extraValues = []) {
  const head = `  <field number="${f.attrs.number}" name="${f.attrs.name}" type="${f.attrs.type}"`
  const values = [...f.children.filter(v => v.tag === 'value'), ...extraValues]
  if (values.length === 0) return [`${head}/>`]
  return [`${head}>`, ...values.map(v => `   <value enum="${escapeAttr(v.attrs.enum)}" ` +
    `description="${escapeAttr(v.attrs.description)}"/>`), '  </field>']
}
const oursFields = new Map(child(oursDoc, 'fields').children.map(f => [f.attrs.name, f]))
for (const name of WIDEN) {
  const stockField = stockFields.get(name)
  const ourField = oursFields.get(name)
  if (!stockField || !ourField) throw new Error(`WIDEN: ${name} not defined`)
  const stockEnums = new Set(stockField.children.map(v => v.attrs.enum))
  const extra = ourField.children.filter(v => v.tag === 'value' && !stockEnums.has(v.attrs.enum))
  const re = new RegExp(`  <field number="\\d+" name="${name}"[^>]*?(/>|>[\\s\\S]*?</field>)`)
  if (!re.test(result)) throw new Error(`WIDEN: ${name} not found`)
  result = result.replace(re, renderField(stockField, extra).join('\n'))
}
const added = [...used].filter(n => !defined.has(n)).map(n => {
  const f = stockFields.get(n)
  if (!f) throw new Error(`field ${n} is defined neither here nor in stock FIX 4.4`)
  return f
}).sort((a, b) => Number(a.attrs.number) - Number(b.attrs.number))
if (added.length > 0) {
  const lines = added.flatMap(f => renderField(f))
  result = result.replace(/\n *<\/fields>/, all => `\n${lines.join('\n')}${all}`)
}

if (args.check) {
  if (result === text) process.exit(0)
  console.error(`${path.relative(root, args.dictionary)} is not derived from stock FIX 4.4 ` +
    `(${path.relative(root, args.stock)}); run node scripts/gen-fix-dictionary.js`)
  for (const m of missing) console.error(`  stock FIX 4.4 field missing: ${m}`)
  for (const f of added) console.error(`  field not defined: ${f.attrs.name}(${f.attrs.number})`)
  process.exit(1)
}
fs.writeFileSync(args.dictionary, result)
console.log(`${path.relative(root, args.dictionary)}: ${missing.length} stock fields added, ` +
  `${added.length} field definitions added`)
