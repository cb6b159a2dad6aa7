// attune-decide.js: personalized slots in the page. Loaded by the core tracker only on pages with slots
// ([data-attune-slot]) or when attune('decide', ...) is called. It watches the page's signals, shows a slot's
// waiting content (<template data-attune-when>) when its in-page condition holds, reports impressions and
// clicks (attune_impression / attune_click), and re-asks GET /decide for slots still showing their default
// after the visitor's clicks have reached the server (a profile rule that became true: the sixth click).
import { holds } from './when.js'
import { D, W, cookie, guard, meta, on } from './util.js'

const A = W.attune
const core = D.querySelector('script[data-site]')
const data = core.dataset
const endpoint = new URL('decide', new URL(data.endpoint || '/collect', core.src || location.href))
const RECHECK_MS = 6000 // after the core's 5-second batching, so the clicks are stored before we ask
const waiting = [] // {slot, ref, when, show}
const shown = {}
const hovered = []
const seen = []
let clicks = 0
let lastInput = Date.now()
let leaving = false
let recheck = 0
let pv

const signals = () => ({
  engaged_on_page: A.p.engaged_ / 1000,
  clicks_on_page: clicks,
  scroll_on_page: A.p.depth_,
  sections_seen: seen,
  idle_on_page: (Date.now() - lastInput) / 1000,
  exit_intent: leaving,
  hovered,
})

/** Report a slot's content as seen; swapMs, for content a single-page app swapped in, is how long after the page
 * view began it showed (the flicker visitors see). Content this script swaps in waits for a trigger: no flicker. */
const impression = (slot, ref, swapMs) => {
  if (shown[slot] === ref) return
  shown[slot] = ref
  A('track', 'attune_impression', swapMs == null ? { slot, ref } : { slot, ref, swap_ms: swapMs })
}

/** Show what waits whose condition holds now; a new page view (SPA) starts the page's signals again. */
const check = () => {
  if (pv !== A.p.pv_) {
    pv = A.p.pv_
    clicks = 0
    leaving = false
    seen.length = hovered.length = 0
  }
  const now = signals()
  for (let i = waiting.length; i--;) {
    const w = waiting[i]
    if (holds(w.when, now)) {
      waiting.splice(i, 1)
      w.show()
    }
  }
}

/** Show `html` in the slot (null: keep its default, as a control group does) and report the impression. */
const fill = (el, html, ref) => {
  if (html != null) el.innerHTML = html // sanitised on the server; innerHTML runs no scripts
  el.dataset.attuneRef = ref
  impression(el.dataset.attuneSlot, ref)
}

/** Ask /decide for slots; `use(slot, decision)` receives each decision once its in-page condition holds. */
const ask = (slots, use) => {
  const token = cookie('attune_consent')
  if (!token || !slots.length) return
  const url = new URL(endpoint)
  const query = { site: data.site, slots: slots.join(','), path: location.pathname, page_type: meta('page-type'),
    category: meta('category'), referrer: D.referrer }
  for (const name in query) url.searchParams.set(name, query[name] || '')
  fetch(url, { credentials: 'include', headers: { 'X-Attune-Consent': token } })
    .then((answer) => answer.ok && answer.json())
    .then((decisions) => {
      for (const slot in decisions || {}) {
        const d = decisions[slot]
        waiting.push({ when: d.when || true, show: () => use(slot, d) })
      }
      check()
    }, () => {})
}

const slotsShowingDefault = () => [...D.querySelectorAll('[data-attune-slot]:not([data-attune-ref])')]

/** Re-ask for the slots still showing their default once the visitor's latest clicks are stored. */
const askAgain = () => {
  clearTimeout(recheck)
  recheck = setTimeout(() => {
    const slots = slotsShowingDefault()
    ask(slots.map((el) => el.dataset.attuneSlot), (slot, d) => {
      const el = slots.find((x) => x.dataset.attuneSlot === slot)
      if (!el.dataset.attuneRef) fill(el, d.keep ? null : d.html, d.ref)
    })
  }, RECHECK_MS)
}

// The page view's start is in its id (a UUIDv7 begins with its time in milliseconds).
const sincePageView = () => Math.max(0, Date.now() - parseInt(A.p.pv_.replace('-', '').slice(0, 12), 16))

const commands = {
  decide: (slots, callback) => ask(slots, (slot, d) => callback({ [slot]: d })),
  impression: (slot, ref) => impression(slot, ref, sincePageView()),
}

const start = () => {
  D.querySelectorAll('[data-attune-slot][data-attune-ref]').forEach((el) => {
    const template = el.querySelector('template[data-attune-when]')
    if (!template) return impression(el.dataset.attuneSlot, el.dataset.attuneRef)
    const html = 'attuneKeep' in template.dataset ? null : template.innerHTML
    waiting.push({ when: JSON.parse(template.dataset.attuneWhen), show: () => fill(el, html, el.dataset.attuneRef) })
  })
  on(D, 'click', (e) => {
    clicks++
    const el = e.target.closest('[data-attune-ref]')
    if (el) A('track', 'attune_click', { slot: el.dataset.attuneSlot, ref: el.dataset.attuneRef })
    if (slotsShowingDefault().length) askAgain()
    check()
  }, true)
  for (const type of ['pointermove', 'pointerdown', 'keydown', 'scroll']) on(D, type, () => { lastInput = Date.now() }, true)
  on(D, 'pointerover', (e) => {
    const el = e.target.closest('[data-attune-hover]')
    if (el && !hovered.includes(el.dataset.attuneHover)) hovered.push(el.dataset.attuneHover)
    check()
  }, true)
  on(D, 'mouseout', (e) => {
    if (!e.relatedTarget && e.clientY <= 0) leaving = true
    check()
  })
  if (W.IntersectionObserver) {
    const observer = new IntersectionObserver((entries) => entries.forEach((entry) => {
      const name = entry.target.dataset.attuneSection
      if (entry.isIntersecting && !seen.includes(name)) seen.push(name)
    }), { threshold: 0.5 })
    D.querySelectorAll('[data-attune-section]').forEach((el) => observer.observe(el))
  }
  setInterval(check, 1000)
  check()
  Object.assign(A.x, commands)
  A.l.splice(0).forEach((args) => A(...args))
}

guard(start)()
