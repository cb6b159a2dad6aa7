// Attune's tracker. One script tag:
//   <script defer src="/static/attune.js" data-site="PUBLIC_KEY" data-endpoint="/collect"></script>
// Nothing is sent and nothing is stored on the device for a consent category the visitor has not allowed.
import { allows, consent, consentWatch, gpc, onConsentChange, readConsent } from './consent.js'
import { interactionsStart, sectionsEnd, sectionsObserve } from './interactions.js'
import { page, pageHidden, pageResumed, pageStart, pageView } from './page.js'
import { enqueue, flushOnHide, transportStart } from './transport.js'
import { D, STORE, W, guard, load, on, save, uuid7 } from './util.js'

const script = D.currentScript || D.querySelector('script[data-site]')
const data = script ? script.dataset : {}
const base = (script && script.src) || location.href
const endpoint = new URL(data.endpoint || '/collect', base).href
const config = {
  site_: data.site,
  endpoint_: endpoint,
  consentScript_: new URL(data.consentScript || 'attune-consent.js', base).href,
}
// data-disable="scroll hovers": automatic capture to leave out (pageviews engagement scroll clicks hovers
// forms video sections)
const disabled = (data.disable || '').split(/[\s,]+/)
const features = (name) => !disabled.includes(name)
let dims = {}
let seq = 0

/** Queue one event, if consent allows its purpose; otherwise it is dropped, never kept for later. Every event
    needs analytics consent too: it carries the visitor id, which exists only with that consent. */
const emit = (type, props, fields = {}) => {
  if (!allows('analytics') || !allows(fields.purpose || 'analytics')) return
  const event = { id: uuid7(), type, ts: Date.now(), seq: ++seq, url: location.href, pv: page.pv_, cat: page.cat_,
    props, ...fields }
  if (Object.keys(dims).length) event.dims = { ...dims }
  enqueue(event)
}

const scriptAdd = (src) => {
  const el = D.createElement('script')
  el.src = src
  return D.head.appendChild(el)
}
// Parts loaded when first needed, from beside this script: attune-decide.js (slots), attune-video.js
const parts = {}
const partLoad = (name) => parts[name] || (parts[name] = scriptAdd(new URL(`attune-${name}.js`, base).href))

const consentCommand = (action, arg, callback) => {
  const state = consent()
  if (action === 'get') return (arg || callback)({ granted: state.granted, explicit: state.explicit, gpc: gpc() })
  if (action === 'has') return callback ? callback(allows(arg)) : allows(arg)
  if (action === 'onChange') return onConsentChange(arg)
  // 'update' and 'show' belong to the consent script, loaded when first needed; calls wait for it in its queue.
  const queue = (W.attuneConsent = W.attuneConsent || { q: [] }).q
  if (queue) {
    queue.push([action, arg, callback])
    if (!D.querySelector('script[data-attune-consent]')) scriptAdd(config.consentScript_).dataset.attuneConsent = config.site_
  } else {
    W.attuneConsent[action](arg, callback)
  }
}

const commands = {
  track: (name, props, options) => emit('track', props || {}, { name, ...options }),
  // the site backend's signature of the user id is required: {% attune_tracker %} prints both for the logged-in user
  identify: (userId, sig) => emit('identify', {}, { user_id: '' + userId, user_sig: sig }),
  set: (name, value) => {
    if (value == null) delete dims[name]
    else dims[name] = value
    if (allows('analytics')) save(STORE + 'dims', dims)
  },
  page: () => pageView(false),
  consent: consentCommand,
}
const later = [] // calls for the in-page script (attune-decide.js), run when it has loaded
for (const name of ['decide', 'impression']) commands[name] = (...args) => later.push([name, ...args]) && partLoad('decide')

/** Analytics became allowed (or stopped being): start from this page, or forget what is kept on the device. */
const consentChanged = () => {
  if (!allows('analytics')) {
    for (const key of ['q', 'visit', 'dims', 'user']) save(STORE + key, null)
    dims = {}
    return
  }
  dims = load(STORE + 'dims') || dims // kept on the device, else what this page set before consent
  if (!page.sent_ && features('pageviews')) {
    pageView(false)
    page.sent_ = true
  }
  // The page's logged-in user (data-user, data-user-sig), identified once per device until another one logs in.
  const user = data.user
  if (user && user != load(STORE + 'user')) {
    run('identify', user, data.userSig)
    save(STORE + 'user', user)
  }
}

const run = guard((name, ...args) => commands[name] && commands[name](...args))

const start = () => {
  if (!config.site_) return // no data-site: nothing could be accepted
  readConsent(+data.policy)
  consentWatch()
  transportStart(config)
  pageStart(emit, features)
  interactionsStart(emit, features, partLoad)
  onConsentChange(guard(consentChanged))
  const queued = (W.attune && W.attune.q) || []
  W.attune = run
  // what the lazily loaded parts use: the page's figures (engaged_, depth_, pv_), the commands, the calls waiting
  // for attune-decide.js, and emit
  Object.assign(run, { p: page, x: commands, l: later, e: emit })
  if (D.querySelector('[data-attune-slot]')) partLoad('decide')
  // The first page view and the page's user; without (or no longer with) consent, nothing of ours stays on the device.
  consentChanged()
  if (features('sections')) sectionsObserve(emit)
  queued.forEach((args) => run(...args))
  let hidden = false
  // visibilitychange to hidden can fire many times, and pagehide after it when the page unloads: the
  // page view's final figures and the queue go out once per hiding.
  const hide = () => {
    if (hidden) return
    hidden = true
    pageHidden()
    if (features('sections')) sectionsEnd()
    flushOnHide()
  }
  on(D, 'visibilitychange', () => {
    if (D.visibilityState === 'hidden') return hide()
    hidden = false
    pageResumed()
    if (features('sections')) sectionsObserve(emit)
  })
  on(W, 'pagehide', hide)
}

guard(start)()
