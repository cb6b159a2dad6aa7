import assert from 'node:assert/strict'
import { test } from 'node:test'
import { consentCookie, page } from './harness.mjs'

test('nothing is sent and nothing is stored before consent', async () => {
  const p = page()
  for (let i = 0; i < 30; i++) p.attune('track', 'clicked', { i })
  await p.advance(10000)
  p.hide()
  assert.equal(p.sent.length, 0)
  assert.equal(p.window.localStorage.length, 0)
})

test('events of a denied category are dropped, not kept for later', async () => {
  const p = page({ granted: ['necessary', 'analytics'] })
  p.attune('track', 'retarget', {}, { purpose: 'marketing' })
  p.grant(['necessary', 'analytics', 'marketing'])
  await p.advance(6000)
  assert.deepEqual(p.events().map((e) => e.name || e.type), ['page_view'])
})

test('a page view with the page metadata is sent once consent exists', async () => {
  const p = page()
  p.grant(['necessary', 'analytics'])
  await p.advance(6000)
  const [view] = p.events()
  assert.equal(view.type, 'page_view')
  assert.equal(view.cat, 'shoes')
  assert.deepEqual(view.props.page_type, 'product')
  assert.equal(view.props.product, 'boot-1')
  assert.equal(view.props.price, 89.5)
  assert.equal(view.props.visit, 1)
  assert.equal(p.sent[0].body.vid, 'visitor-test-1')
})

test('events are batched: 20 go out at once, fewer after 5 seconds', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections' })
  for (let i = 0; i < 19; i++) p.attune('track', 'x', { i })
  await p.advance(4900)
  assert.equal(p.sent.length, 0)
  p.attune('track', 'x', { i: 19 })
  assert.equal(p.sent.length, 0, 'not in the handler itself...')
  await p.advance(0)
  assert.equal(p.sent.length, 1, '...but in the next task')
  assert.equal(p.sent[0].body.events.length, 20)
  p.attune('track', 'y')
  await p.advance(5000)
  assert.equal(p.sent.length, 2)
  assert.equal(p.sent[1].body.events[0].name, 'y')
})

test('every event carries a UUIDv7, a client time and a sequence number', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections' })
  for (let i = 0; i < 20; i++) p.attune('track', 'x')
  await p.advance(0)
  const events = p.events()
  assert.ok(events.every((e) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(e.id)))
  assert.equal(new Set(events.map((e) => e.id)).size, 20)
  assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 20 }, (_, i) => i + 1))
  assert.ok(events.every((e) => Math.abs(e.ts - Date.now()) < 60000))
})

test('a failed batch is kept on the device and retried with backoff', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections', fetchStatus: 503 })
  for (let i = 0; i < 20; i++) p.attune('track', 'x', { i })
  await p.advance(0)
  assert.equal(p.sent.length, 1)
  assert.equal(JSON.parse(p.window.localStorage.getItem('attune_q')).e.length, 20)
  await p.advance(999)
  assert.equal(p.sent.length, 1, 'no retry before the first backoff of 1 s')
  await p.advance(1)
  assert.equal(p.sent.length, 2)
  p.state.fetchStatus = 202
  await p.advance(2000)
  assert.equal(p.sent.length, 3)
  assert.equal(p.sent[2].body.events.length, 20)
  assert.equal(p.window.localStorage.getItem('attune_q'), null, 'delivered events leave the outbox')
})

test('events during a backoff wait for the retry instead of going out at once', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections', fetchStatus: 503 })
  for (let i = 0; i < 20; i++) p.attune('track', 'x', { i })
  await p.advance(0)
  assert.equal(p.sent.length, 1)
  for (let i = 0; i < 10; i++) {
    p.attune('track', 'during', { i })
    await p.advance(50)
  }
  assert.equal(p.sent.length, 1, 'a full queue after a failure must not bypass the backoff')
  await p.advance(500)
  assert.equal(p.sent.length, 2, 'one retry when the backoff ends')
})

test('a batch on its way is in the outbox until delivered, so a page that unloads meanwhile loses nothing', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections' })
  let answer
  p.window.fetch = (endpoint, options) => {
    p.sent.push({ via: 'fetch', body: JSON.parse(options.body) })
    return new Promise((resolve) => { answer = resolve })
  }
  for (let i = 0; i < 20; i++) p.attune('track', 'x')
  await p.advance(0)
  assert.equal(p.sent.length, 1)
  assert.equal(JSON.parse(p.window.localStorage.getItem('attune_q')).e.length, 20, 'kept while in flight')
  answer({ status: 202 })
  await p.advance(0)
  assert.equal(p.window.localStorage.getItem('attune_q'), null, 'and gone once delivered')
})

test('without analytics consent no event is queued, whatever its own purpose', async () => {
  const p = page({ granted: ['necessary', 'marketing'] })
  for (let i = 0; i < 25; i++) p.attune('track', 'retarget', {}, { purpose: 'marketing' })
  await p.advance(10000)
  p.grant(['necessary', 'marketing', 'analytics'])
  await p.advance(10000)
  assert.deepEqual(p.events().map((e) => e.name || e.type), ['page_view'], 'dropped, not kept for later')
})

test('a 4xx answer is not retried (the collector explained what was wrong)', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections', fetchStatus: 422 })
  for (let i = 0; i < 20; i++) p.attune('track', 'x')
  await p.advance(120000)
  assert.equal(p.sent.length, 1)
})

test('an erased visitor (410) is asked for consent again, through the consent script, and not retried', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections', fetchStatus: 410 })
  for (let i = 0; i < 20; i++) p.attune('track', 'x')
  await p.advance(120000)
  assert.equal(p.sent.length, 1)
  const script = p.document.querySelector('script[data-attune-consent]')
  assert.ok(script && script.src.endsWith('attune-consent.js'), 'the consent script is loaded to show the banner')
  assert.equal(p.window.attuneConsent.q.map(([action]) => action).join(), 'show')
})

test('the outbox keeps at most 1,000 events, drops the oldest and reports how many were lost', async () => {
  const old = Array.from({ length: 995 }, (_, i) => ({ id: `id-${i}`, type: 'track', name: 'old', ts: 1, seq: i }))
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections',
    fetchStatus: 'down', storage: { attune_q: { e: old, lost: 0 } } })
  for (let i = 0; i < 20; i++) p.attune('track', 'new', { i })
  await p.advance(1)
  const outbox = JSON.parse(p.window.localStorage.getItem('attune_q'))
  assert.equal(outbox.e.length, 1000)
  assert.equal(outbox.lost, 15)
  assert.equal(outbox.e[0].id, 'id-15')
  p.state.fetchStatus = 202
  const firstDelivered = p.sent.length
  await p.advance(120000)
  assert.equal(p.sent[firstDelivered].body.lost, 15, 'the first delivered batch reports the lost events')
  assert.equal(p.window.localStorage.getItem('attune_q'), null)
})

test('events left from an earlier page view are sent on the next one', async () => {
  const left = [{ id: 'left-1', type: 'track', name: 'earlier', ts: 1, seq: 1 }]
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections',
    storage: { attune_q: { e: left, lost: 0 } } })
  await p.advance(10)
  assert.deepEqual(p.events().map((e) => e.id), ['left-1'])
})

test('on page hide the queue goes out by sendBeacon, split and sent by fetch(keepalive) when refused', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections' })
  for (let i = 0; i < 5; i++) p.attune('track', 'x')
  p.hide()
  assert.deepEqual(p.sent.map((s) => s.via), ['beacon'])
  const q = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections', beacon: false })
  for (let i = 0; i < 5; i++) q.attune('track', 'x')
  q.hide()
  assert.deepEqual(q.sent.map((s) => [s.via, s.keepalive, s.body.events.length]), [['fetch', true, 3], ['fetch', true, 2]])
})

test('events lost on the device are reported by one half of a split batch, not both', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections', beacon: false,
    storage: { attune_q: { e: [], lost: 7 } } })
  for (let i = 0; i < 5; i++) p.attune('track', 'x')
  p.hide()
  assert.deepEqual(p.sent.map((s) => s.body.lost), [7, 0])
})

test('single-page navigation counts one page view per new URL', async () => {
  const p = page({ granted: ['necessary', 'analytics'] })
  p.window.history.pushState({}, '', '/products/coat')
  p.window.history.replaceState({}, '', '/products/coat') // same URL
  p.window.history.replaceState({}, '', '/products/hat')
  p.window.history.pushState({}, '', '/products/scarf')
  p.window.history.back()
  await new Promise((r) => setTimeout(r, 20))
  await p.advance(6000)
  const views = p.events().filter((e) => e.type === 'page_view').map((e) => new URL(e.url).pathname)
  assert.deepEqual(views, ['/products/boot', '/products/coat', '/products/hat', '/products/scarf', '/products/hat'])
})

test('a page restored from the back/forward cache counts as one page view', async () => {
  const p = page({ granted: ['necessary', 'analytics'] })
  p.window.dispatchEvent(new p.window.PageTransitionEvent('pageshow', { persisted: true }))
  p.window.dispatchEvent(new p.window.PageTransitionEvent('pageshow', { persisted: false }))
  await p.advance(6000)
  assert.equal(p.events().filter((e) => e.type === 'page_view').length, 2)
})

test('the session id and visit count are kept only with consent, and reused within 30 minutes', async () => {
  const p = page({ granted: ['necessary', 'analytics'] })
  await p.advance(6000)
  const visit = JSON.parse(p.window.localStorage.getItem('attune_visit'))
  assert.equal(visit.n, 1)
  assert.equal(p.sent[0].body.sid, visit.sid)
  p.attune('page')
  await p.advance(6000)
  assert.equal(p.sent[1].body.sid, visit.sid)
  p.grant(['necessary'])
  assert.equal(p.window.localStorage.getItem('attune_visit'), null, 'withdrawing analytics forgets what is kept')
})

test('clicks describe the element, never what was typed; declarative tracking sends custom events', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections',
    html: `<a id="buy" class="btn primary" href="/cart" data-attune-track="add_to_cart" data-attune-prop-price="19.5"
      data-attune-slot="hero">Buy</a><form id="f"><input name="email" value="me@example.com"></form>` })
  p.document.getElementById('buy').dispatchEvent(new p.window.MouseEvent('click', { bubbles: true }))
  p.document.getElementById('f').dispatchEvent(new p.window.Event('submit', { bubbles: true }))
  await p.advance(6000)
  const [click, track, submit] = p.events()
  assert.equal(click.type, 'click')
  assert.equal(click.props.id, 'buy')
  assert.equal(click.props.classes, 'btn primary')
  assert.equal(click.props.slot, 'hero')
  assert.deepEqual([track.type, track.name, track.props], ['track', 'add_to_cart', { price: 19.5 }])
  assert.deepEqual(submit.props, { form: 'f', fields: 1 })
  assert.ok(!JSON.stringify(p.events()).includes('me@example.com'))
})

test('a form marked data-attune-track counts its submit once, as its named event, not also as form_submit', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections',
    html: `<form id="cart" data-attune-track="add_to_cart" data-attune-prop-product="boot-1"><button>Add</button></form>
      <form id="search"><input name="q"></form>` })
  p.document.getElementById('cart').dispatchEvent(new p.window.Event('submit', { bubbles: true }))
  p.document.getElementById('search').dispatchEvent(new p.window.Event('submit', { bubbles: true }))
  await p.advance(6000)
  const sent = p.events().map((e) => [e.type, e.name || e.props.form])
  assert.deepEqual(sent, [['track', 'add_to_cart'], ['form_submit', 'search']])
})

test('nothing the tracker does throws into the page, even when storage and the network fail', async () => {
  const p = page({ granted: ['necessary', 'analytics'], fetchStatus: 'down' })
  // setItem is a Storage method: replaced on the prototype, or the page's storage would still work
  Object.defineProperty(p.window.Storage.prototype, 'setItem', { value: () => { throw new Error('QuotaExceededError') } })
  p.window.fetch = () => { throw new Error('blocked by an extension') }
  p.window.navigator.sendBeacon = () => { throw new Error('blocked') }
  for (let i = 0; i < 25; i++) p.attune('track', 'x')
  p.attune('unknown-command')
  p.hide()
  await p.advance(60000)
  assert.deepEqual(p.state.errors, [])
})

test("a logged-in user's page identifies them once per device, with the backend's signature sent as it is", async () => {
  const first = page({ granted: ['necessary', 'analytics'], user: 'user-7' })
  await first.advance(6000)
  const identifies = first.events().filter((e) => e.type === 'identify')
  assert.deepEqual(identifies.map((e) => [e.user_id, e.user_sig]), [['user-7', 'sig-of-user-7']])
  const storage = { attune_user: 'user-7' }
  const again = page({ granted: ['necessary', 'analytics'], user: 'user-7', storage })
  await again.advance(6000)
  assert.deepEqual(again.events().map((e) => e.type), ['page_view'], 'the same user on the same device: no identify')
  const other = page({ granted: ['necessary', 'analytics'], user: 'user-8', storage })
  await other.advance(6000)
  assert.deepEqual(other.events().filter((e) => e.type === 'identify').map((e) => e.user_id), ['user-8'])
})

test('a logged-in user is identified only once analytics is allowed, and forgotten on the device when it is withdrawn', async () => {
  const p = page({ user: 'user-7' })
  await p.advance(6000)
  assert.equal(p.sent.length, 0)
  assert.equal(p.window.localStorage.getItem('attune_user'), null)
  p.grant(['necessary', 'analytics'])
  await p.advance(6000)
  assert.deepEqual(p.events().filter((e) => e.type === 'identify').map((e) => e.user_sig), ['sig-of-user-7'])
  p.grant(['necessary'])
  assert.equal(p.window.localStorage.getItem('attune_user'), null)
})

test('identify from page code carries the signature it is given', async () => {
  const p = page({ granted: ['necessary', 'analytics'], disable: 'pageviews engagement scroll sections' })
  p.attune('identify', 42, 'sig-of-42')
  await p.advance(6000)
  assert.deepEqual(p.events().map((e) => [e.type, e.user_id, e.user_sig]), [['identify', '42', 'sig-of-42']])
})

test('a consent cookie naming no site (made before tokens named their site) counts as no choice', async () => {
  const p = page()
  p.window.document.cookie = consentCookie(['necessary', 'analytics'], 'visitor-old-1', 0, null)
  p.window.document.dispatchEvent(new p.window.CustomEvent('attune:consent'))
  p.attune('track', 'x')
  await p.advance(6000)
  assert.equal(p.sent.length, 0)
  p.attune('consent', 'get', (state) => assert.equal(state.explicit, false))
})
