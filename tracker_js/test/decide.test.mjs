// attune-decide.js in a page: waiting content shown when its in-page condition holds, impressions and clicks,
// re-asking /decide after clicks, the single-page-app API, and nothing asked without consent.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { page } from './harness.mjs'

const DECIDE = readFileSync(new URL('../dist/attune-decide.js', import.meta.url), 'utf8')
const WAITING = `<div data-attune-slot="product_sidebar" data-attune-ref="rule-3:variant-4"><p>default</p>
  <template data-attune-when='{"f":"engaged_on_page","o":"gt","v":180}'><p>related</p></template></div>`
const DECIDED = '<div data-attune-slot="home_hero" data-attune-ref="rule-1:variant-2"><a href="#x">welcome back</a></div>'
const DEFAULT = '<div data-attune-slot="offer_banner"><p>no offer</p></div>'

/** A page with the core tracker, then the in-page script as the core would load it; `answers` are /decide's. */
const withDecide = (options, answers = {}) => {
  const p = page(options)
  const asked = []
  const sendBatch = p.window.fetch
  p.window.fetch = (url, init) => {
    if (!String(url).includes('/decide')) return sendBatch(url, init)
    asked.push({ url: new URL(url), headers: init.headers })
    return Promise.resolve({ ok: true, json: async () => answers })
  }
  const intervals = []
  p.window.setInterval = (fn) => intervals.push(fn)
  p.window.eval(DECIDE)
  return { ...p, asked, tick: () => intervals.forEach((fn) => fn()), html: (slot) =>
    p.document.querySelector(`[data-attune-slot="${slot}"]`).innerHTML.trim() }
}
const CONSENTED = ['necessary', 'analytics', 'personalization']
const plain = (x) => JSON.parse(JSON.stringify(x)) // objects made in the page's realm
const tracked = (p, name) => p.events().filter((e) => e.type === 'track' && e.name === name).map((e) => e.props)

test('the core loads the in-page script only on pages with slots', () => {
  const script = (p) => p.document.querySelector('script[src$="attune-decide.js"]')
  assert.ok(script(page({ html: DEFAULT })))
  assert.equal(script(page({ html: '<p>no slots</p>' })), null)
})

test('waiting content shows after 3 engaged minutes, and its impression is reported once', async () => {
  const p = withDecide({ granted: CONSENTED, disable: '', html: WAITING })
  p.tick()
  assert.match(p.html('product_sidebar'), /default/)
  for (let s = 0; s < 185; s += 5) {
    p.document.dispatchEvent(new p.window.Event('pointermove'))
    await p.advance(5000)
  }
  p.tick()
  p.tick()
  assert.equal(p.html('product_sidebar'), '<p>related</p>')
  await p.advance(5000)
  assert.deepEqual(tracked(p, 'attune_impression'), [{ slot: 'product_sidebar', ref: 'rule-3:variant-4' }])
})

test('a control group keeps the default content, and still reports its impression and clicks', async () => {
  const p = withDecide({ granted: CONSENTED, html: DEFAULT },
    { offer_banner: { html: '', ref: 'rule:7:control', keep: true } })
  for (let n = 0; n < 6; n++) p.document.body.click()
  await p.advance(6000)
  assert.equal(p.html('offer_banner'), '<p>no offer</p>')
  p.document.querySelector('[data-attune-slot] p').click()
  await p.advance(5000)
  assert.deepEqual(tracked(p, 'attune_impression').map((e) => e.ref), ['rule:7:control'])
  assert.deepEqual(tracked(p, 'attune_click'), [{ slot: 'offer_banner', ref: 'rule:7:control' }])
})

test('a control group waiting for an in-page trigger keeps the default when it fires', async () => {
  const held = `<div data-attune-slot="popup" data-attune-ref="rule:9:control"><p>default</p>
    <template data-attune-when='{"f":"clicks_on_page","o":"gt","v":0}' data-attune-keep></template></div>`
  const p = withDecide({ granted: CONSENTED, html: held })
  p.tick()
  assert.deepEqual(tracked(p, 'attune_impression'), [])
  p.document.body.click()
  await p.advance(5000)
  assert.match(p.html('popup'), /<p>default<\/p>/)
  assert.deepEqual(tracked(p, 'attune_impression').map((e) => e.ref), ['rule:9:control'])
})

test('a slot decided on the server counts its impression at once and its clicks', async () => {
  const p = withDecide({ granted: CONSENTED, html: DECIDED })
  p.document.querySelector('[data-attune-slot] a').click()
  await p.advance(5000)
  assert.deepEqual(tracked(p, 'attune_impression'), [{ slot: 'home_hero', ref: 'rule-1:variant-2' }])
  assert.deepEqual(tracked(p, 'attune_click'), [{ slot: 'home_hero', ref: 'rule-1:variant-2' }])
})

test('after clicks a slot still showing its default is asked for again, and filled (the sixth click)', async () => {
  const p = withDecide({ granted: CONSENTED, html: DEFAULT },
    { offer_banner: { html: '<p>10% off</p>', ref: 'rule-7:offer-1' } })
  for (let n = 0; n < 6; n++) p.document.body.click()
  assert.equal(p.asked.length, 0)
  await p.advance(6000)
  assert.equal(p.asked.length, 1)
  const { url, headers } = p.asked[0]
  assert.equal(url.pathname, '/decide')
  assert.equal(url.searchParams.get('slots'), 'offer_banner')
  assert.equal(url.searchParams.get('page_type'), 'product')
  assert.ok(headers['X-Attune-Consent'])
  assert.equal(p.html('offer_banner'), '<p>10% off</p>')
  await p.advance(5000)
  assert.equal(tracked(p, 'attune_impression')[0].swap_ms, undefined, 'shown after a click: no flicker to time')
})

test('without a consent cookie nothing is asked and only defaults show', async () => {
  const p = withDecide({ html: DEFAULT + WAITING }, { offer_banner: { html: '<p>10% off</p>', ref: 'r' } })
  for (let n = 0; n < 6; n++) p.document.body.click()
  await p.advance(10000)
  p.tick()
  assert.equal(p.asked.length, 0)
  assert.equal(p.html('offer_banner'), '<p>no offer</p>')
})

test("a single-page app gets decisions through attune('decide') and reports impressions itself", async () => {
  const p = withDecide({ granted: CONSENTED }, { hero: { html: '<b>hi</b>', ref: 'rule-1' },
    later: { html: '<b>wait</b>', ref: 'rule-2', when: { f: 'clicks_on_page', o: 'gt', v: 0 } } })
  const got = []
  p.attune('decide', ['hero', 'later'], (decisions) => got.push(decisions))
  await p.settle()
  assert.deepEqual(plain(got), [{ hero: { html: '<b>hi</b>', ref: 'rule-1' } }])
  p.document.body.click()
  assert.equal(got.length, 2)
  assert.equal(got[1].later.ref, 'rule-2')
  p.attune('impression', 'hero', 'rule-1')
  await p.advance(5000)
  const [seen] = tracked(p, 'attune_impression')
  assert.deepEqual([seen.slot, seen.ref], ['hero', 'rule-1'])
  assert.ok(Number.isInteger(seen.swap_ms) && seen.swap_ms >= 0 && seen.swap_ms < 60000,
    `the swap is timed from the page view's start (${seen.swap_ms})`)
})

test('calls made before the in-page script loads wait for it', async () => {
  const p = page({ granted: CONSENTED })
  const got = []
  p.attune('decide', ['hero'], (decisions) => got.push(decisions))
  assert.ok(p.document.querySelector('script[src$="attune-decide.js"]'))
  const sendBatch = p.window.fetch
  p.window.fetch = (url, init) => String(url).includes('/decide')
    ? Promise.resolve({ ok: true, json: async () => ({ hero: { html: 'x', ref: 'r' } }) }) : sendBatch(url, init)
  p.window.setInterval = () => 0
  p.window.eval(DECIDE)
  await p.settle()
  assert.deepEqual(plain(got), [{ hero: { html: 'x', ref: 'r' } }])
})

test('a page visible again reports its engaged time at the first engaged second', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: '' })
  await p.advance(20000)
  p.hide()
  const before = p.events().filter((e) => e.type === 'engagement').length
  Object.defineProperty(p.document, 'visibilityState', { value: 'visible', configurable: true })
  p.document.dispatchEvent(new p.window.Event('visibilitychange'))
  p.document.dispatchEvent(new p.window.Event('pointermove'))
  await p.advance(6000)
  const engagement = p.events().filter((e) => e.type === 'engagement')
  assert.equal(engagement.length, before + 1)
  assert.deepEqual(engagement.at(-1).props, { engaged_ms: 21000, final: false })
})
