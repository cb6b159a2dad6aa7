// Page views (SPA navigation and back/forward-cache restores included), engaged time and scroll depth.
import { allows } from './consent.js'
import { D, STORE, W, guard, load, meta, on, save, uuid7 } from './util.js'

const ACTIVE_MS = 30000 // input within the last 30 s counts as engaged
const MILESTONES = [25, 50, 75, 90, 100]

export const page = { engaged_: 0, depth_: 0, milestone_: 0, cat_: meta('category') || undefined }
let emit
let features
let lastInput = 0
let ticker = 0
let resumed = false

export const pageStart = (emitter, enabled) => {
  emit = emitter
  features = enabled
  const patch = (name) => {
    const original = history[name]
    history[name] = function (...args) {
      const result = original.apply(this, args)
      guard(navigated)()
      return result
    }
  }
  patch('pushState')
  patch('replaceState')
  on(W, 'popstate', navigated)
  on(W, 'pageshow', (e) => e.persisted && pageView(true))
  for (const type of ['pointermove', 'pointerdown', 'keydown', 'scroll']) on(D, type, input, true)
  if (features('scroll')) on(W, 'scroll', scrolled)
}

const navigated = () => location.href !== page.url_ && pageView(false)

let throttled = 0
const input = () => {
  lastInput = Date.now()
  if (!ticker && D.visibilityState === 'visible') tick()
}

/** One engaged second, counted while the page is visible and the visitor active. */
export const tick = () => {
  clearTimeout(ticker)
  ticker = 0
  if (D.visibilityState !== 'visible' || Date.now() - lastInput > ACTIVE_MS || !features('engagement')) return
  ticker = setTimeout(() => {
    ticker = 0
    const engaged = (page.engaged_ += 1000)
    // heartbeats at 15 s and 30 s of engaged time, then every minute, and at the first second after the page
    // is visible again (else a returning visitor's time waits for the next whole minute)
    if (resumed || engaged === 15000 || engaged === 30000 || engaged % 60000 === 0) emit('engagement', { engaged_ms: engaged, final: false })
    resumed = false
    tick()
  }, 1000)
}

/** The page is visible again: count engaged time, and report it at the first engaged second. */
export const pageResumed = () => {
  resumed = true
  tick()
}

const scrolled = () => {
  if (throttled) return
  throttled = requestAnimationFrame(() => {
    throttled = 0
    measureScroll()
  })
}

export const measureScroll = () => {
  const height = D.documentElement.scrollHeight
  const depth = Math.min(100, Math.round(((W.scrollY + W.innerHeight) / (height || 1)) * 100))
  if (depth <= page.depth_) return
  page.depth_ = depth
  for (const m of MILESTONES) {
    if (depth >= m && m > page.milestone_) {
      page.milestone_ = m
      emit('scroll', { depth: m, max: depth })
    }
  }
}

/** What the page says about itself: type, product and price (the content category goes on every event). */
export const pageMeta = () => ({
  page_type: meta('page-type') || undefined,
  product: meta('product-id') || undefined,
  price: +meta('price') || undefined,
})

/** The final engaged time and deepest scroll of the page view that ends (or is hidden). */
export const pageEnd = () => {
  if (!page.pv_) return
  if (features('engagement') && page.engaged_) emit('engagement', { engaged_ms: page.engaged_, final: true })
  if (features('scroll') && page.depth_ > page.milestone_) emit('scroll', { depth: page.depth_, max: page.depth_ })
}

/** The page is hidden (or unloaded): stop counting engaged time and report the page view's final figures. */
export const pageHidden = () => {
  clearTimeout(ticker)
  ticker = 0
  pageEnd()
}

/** A new page view: a restored page (bfcache) or an SPA navigation counts once. */
export const pageView = (restored) => {
  if (page.pv_ && !restored) pageEnd()
  const referrer = page.url_ || D.referrer
  Object.assign(page, { pv_: uuid7(), url_: location.href, engaged_: 0, depth_: 0, milestone_: 0,
    cat_: meta('category') || undefined })
  lastInput = Date.now()
  const props = { ...pageMeta(), ...visit(page) }
  emit('page_view', props, { ref: referrer })
  tick()
  if (features('scroll')) measureScroll()
}

/** The session (a new one after 30 minutes without a page view) and the visit count, kept on the device
    only with analytics consent; `target.sid` receives the session id. */
export const visit = (target) => {
  if (!allows('analytics')) return {}
  const now = Date.now()
  const seen = load(STORE + 'visit') || { n: 0, at: 0 }
  if (now - seen.at > 1800000) Object.assign(seen, { n: seen.n + 1, sid: uuid7() })
  seen.at = now
  save(STORE + 'visit', seen)
  target.sid_ = seen.sid
  return { visit: seen.n, returning: seen.n > 1 }
}
