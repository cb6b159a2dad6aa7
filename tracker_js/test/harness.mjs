// A fresh page for each test: jsdom with the built tracker evaluated in it, and fakes for the network
// (fetch, sendBeacon) and for timers, so that batching delays and backoff can be stepped through.
import { readFileSync } from 'node:fs'
import { JSDOM } from 'jsdom'

const BUNDLE = readFileSync(new URL('../dist/attune.js', import.meta.url), 'utf8')

export const consentCookie = (granted, vid = 'visitor-test-1', policy = 0, site = 'pk_test') => {
  const payload = Buffer.from(JSON.stringify({ s: site, v: vid, g: granted, p: policy, t: 1 })).toString('base64url')
  return `attune_consent=${encodeURIComponent(`${payload}:1abc:signature`)}`
}

export const page = ({ granted = null, disable = 'engagement scroll sections', fetchStatus = 202, beacon = true,
  html = '', url = 'https://shop.example/products/boot', storage = {}, user = '' } = {}) => {
  // A logged-in user's page: {% attune_tracker %} adds the user id and the site backend's signature of it.
  const userAttributes = user ? ` data-user="${user}" data-user-sig="sig-of-${user}"` : ''
  const dom = new JSDOM(`<!doctype html><html><head>
    <meta name="attune:category" content="shoes"><meta name="attune:page-type" content="product">
    <meta name="attune:product-id" content="boot-1"><meta name="attune:price" content="89.5">
    <script data-site="pk_test" data-endpoint="https://collect.example/collect" data-disable="${disable}"${userAttributes}></script>
    </head><body>${html}</body></html>`, { url, runScripts: 'outside-only', pretendToBeVisual: true })
  const window = dom.window
  const timers = []
  let now = 0
  window.setTimeout = (fn, ms = 0) => timers.push({ fn, at: now + ms, id: timers.length + 1 }) && timers.length
  window.clearTimeout = (id) => { const t = timers.find((x) => x.id === id); if (t) t.fn = null }
  const sent = []
  const state = { fetchStatus, beacon, errors: [] }
  window.fetch = (endpoint, options) => {
    sent.push({ via: 'fetch', keepalive: !!options.keepalive, endpoint, body: JSON.parse(options.body) })
    if (state.fetchStatus === 'down') return Promise.reject(new TypeError('Failed to fetch'))
    return Promise.resolve({ status: state.fetchStatus, ok: state.fetchStatus < 300, json: async () => ({}) })
  }
  window.navigator.sendBeacon = (endpoint, body) => {
    if (!state.beacon) return false
    sent.push({ via: 'beacon', endpoint, body: JSON.parse(body) })
    return true
  }
  window.addEventListener('error', (e) => state.errors.push(e.message))
  for (const [key, value] of Object.entries(storage)) window.localStorage.setItem(key, JSON.stringify(value))
  if (granted) window.document.cookie = consentCookie(granted)
  window.eval(BUNDLE)
  const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)) }
  return {
    window,
    document: window.document,
    sent,
    state,
    attune: (...args) => window.attune(...args),
    events: () => sent.flatMap((request) => request.body.events),
    settle,
    /** Let `ms` of fake time pass: due timers run in order, promises settle between them. */
    advance: async (ms) => {
      const end = now + ms
      for (;;) {
        await settle()
        const due = timers.filter((t) => t.fn && t.at <= end).sort((a, b) => a.at - b.at)[0]
        if (!due) break
        now = due.at
        const fn = due.fn
        due.fn = null
        fn()
      }
      now = end
      await settle()
    },
    hide: () => {
      Object.defineProperty(window.document, 'visibilityState', { value: 'hidden', configurable: true })
      window.document.dispatchEvent(new window.Event('visibilitychange'))
    },
    grant: (granted) => {
      window.document.cookie = consentCookie(granted)
      window.document.dispatchEvent(new window.CustomEvent('attune:consent'))
    },
  }
}
