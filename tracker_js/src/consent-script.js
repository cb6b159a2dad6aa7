// attune-consent.js: the consent banner's behaviour and the recording of choices. Loaded by
// {% consent_banner %}, or by the tracker the first time attune('consent', 'update' | 'show') is called.
// The banner itself is server-rendered HTML (works without JavaScript through the settings page).
import { COOKIE, gpc, readConsent } from './consent.js'
import { D, W, cookie, guard, on } from './util.js'

const script = D.currentScript || D.querySelector('script[data-attune-consent]')
const data = script.dataset
const site = data.site || data.attuneConsent
const endpoint = new URL(data.endpoint || '/consent', script.src).href
let banner
let returnFocus
let blocked = [] // what show() made inert, and only that: the page's own inert elements stay so

/** Record a choice ({analytics: true, ...}); the answer's signed token becomes the first-party cookie. */
const update = async (choice, source) => {
  const granted = Object.keys(choice).filter((key) => choice[key])
  const response = await fetch(endpoint, {
    method: 'POST',
    credentials: 'include',
    body: JSON.stringify({ site, token: cookie(COOKIE), granted, source: source || 'banner',
      lang: D.documentElement.lang }),
  })
  const answer = await response.json()
  if (!response.ok) throw new Error(answer.message)
  // Raw, as the server writes it: a signed token's characters (base64url and ':') are all valid in a cookie.
  D.cookie = `${COOKIE}=${answer.token}; Path=/; Max-Age=${answer.max_age}; SameSite=Lax${
    location.protocol === 'https:' ? '; Secure' : ''}`
  if (typeof W.gtag === 'function') W.gtag('consent', 'update', answer.consent_mode)
  if (banner && !banner.hidden) hide()
  D.dispatchEvent(new CustomEvent('attune:consent', { detail: answer }))
  return answer
}

const focusable = () => Array.from(banner.querySelectorAll('button,input,a[href],select,textarea'))
  .filter((el) => !el.disabled && el.offsetParent !== null)

/** Open the banner as a modal dialog: focus moves into it and stays there until a choice is made. */
const show = () => {
  if (!banner || !banner.hidden) return
  returnFocus = D.activeElement
  const state = readConsent(+data.policy)
  banner.querySelectorAll('input[name=category]').forEach((box) => {
    box.checked = box.disabled || state.granted.includes(box.value)
  })
  // The page behind a modal is out of reach of the keyboard and of screen readers: every sibling of the banner and
  // of its ancestors is inert until the banner closes.
  for (let el = banner; el !== D.body && el.parentElement; el = el.parentElement) {
    for (const other of el.parentElement.children) {
      if (other !== el && !other.inert) blocked.push(other)
    }
  }
  blocked.forEach((el) => (el.inert = true))
  banner.hidden = false
  const first = banner.querySelector('[data-consent-first]') || focusable()[0]
  if (first) first.focus()
}

const hide = () => {
  banner.hidden = true
  blocked.forEach((el) => (el.inert = false))
  blocked = []
  if (returnFocus && returnFocus.focus) returnFocus.focus()
}

const choose = (all, none) => {
  const choice = {}
  banner.querySelectorAll('input[name=category]').forEach((box) => {
    choice[box.value] = box.disabled || (all || (!none && box.checked))
  })
  update(choice, 'banner').catch(() => banner.setAttribute('data-consent-error', ''))
}

const keys = (e) => {
  if (e.key === 'Escape' && banner.hasAttribute('data-consent-reopened')) return hide()
  if (e.key !== 'Tab') return
  const items = focusable()
  const first = items[0]
  const last = items[items.length - 1]
  if (e.shiftKey && D.activeElement === first) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && D.activeElement === last) {
    e.preventDefault()
    first.focus()
  }
}

const start = () => {
  banner = D.getElementById('attune-consent')
  const api = { update: (choice, source) => update(choice, source).catch(() => {}), show }
  const queued = (W.attuneConsent && W.attuneConsent.q) || []
  W.attuneConsent = api
  queued.forEach(([action, arg, callback]) => api[action] && api[action](arg, callback))
  D.addEventListener('click', guard((e) => {
    const opener = e.target.closest('[data-attune-consent-open]')
    if (opener) {
      e.preventDefault()
      if (banner) banner.setAttribute('data-consent-reopened', '')
      show()
    }
  }))
  if (!banner) return
  banner.addEventListener('keydown', guard(keys))
  on(banner, 'click', (e) => {
    const action = e.target.closest('[data-consent-action]')
    if (action) choose(action.dataset.consentAction === 'accept', action.dataset.consentAction === 'reject')
  })
  const state = readConsent(+data.policy)
  if (state.explicit) return
  // Global Privacy Control (and Do Not Track, when the site honours it): with no choice yet, their categories
  // count as denied and the banner is not forced on the visitor; the denial is recorded (source gpc).
  // A later explicit choice wins.
  if ((gpc() && data.gpc !== 'off') || (data.dnt === 'on' && W.navigator.doNotTrack === '1')) {
    update({}, 'gpc').catch(() => {})
  } else show()
}

guard(start)()
