// Consent as the signed attune_consent cookie says. Only the server can make that cookie; the tracker
// reads its payload (base64 JSON before the first ':') to know what it may send and store.
import { D, W, cookie } from './util.js'

export const COOKIE = 'attune_consent'
const listeners = []
let state

let policy = 0

/** {granted, vid, explicit, token} from the cookie: nothing but "necessary" without one, when the choice
    predates the current material policy version (`minimum`, from the script tag), or when the token names no site
    (made before tokens named their site, which the server refuses): the banner then asks again. */
export const readConsent = (minimum) => {
  policy = minimum || policy
  const token = cookie(COOKIE)
  state = { granted: ['necessary'], vid: '', explicit: false, token: '' }
  try {
    const p = JSON.parse(atob(token.split(':')[0].replace(/-/g, '+').replace(/_/g, '/')))
    if (p.p >= policy && p.s) state = { granted: p.g, vid: p.v, explicit: true, token }
  } catch (e) {
    /* no cookie, or an unreadable one: no consent */
  }
  return state
}

export const consent = () => state || readConsent()

export const allows = (category) => consent().granted.includes(category)

export const gpc = () => navigator.globalPrivacyControl === true

export const onConsentChange = (fn) => listeners.push(fn)

/** The consent script (banner, settings and recording choices: attune-consent.js) announces every change
    with an `attune:consent` event on the document; the tracker then reads the cookie again. */
export const consentWatch = () =>
  D.addEventListener('attune:consent', () => {
    readConsent()
    listeners.forEach((fn) => fn(state))
  })
