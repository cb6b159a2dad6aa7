// Batching and delivery. Events go out in batches of 20 (or after 5 s) as text/plain JSON, so no CORS
// preflight is needed. When the page is hidden the queue goes out with sendBeacon; when the browser
// refuses (its 64 KB quota, ad blockers) the batch is split and sent with fetch(keepalive). Failed
// batches are retried with backoff and kept in a bounded localStorage queue for the next page view;
// the collector's dedup makes sending a batch of unknown fate again harmless.
import { allows, consent } from './consent.js'
import { page } from './page.js'
import { STORE, W, load, save } from './util.js'

const BATCH = 20
const WAIT_MS = 5000
const MAX_EVENTS = 100 // the collector's limit per batch
const MAX_BYTES = 60000 // under the collector's 64 KB and the browsers' keepalive/beacon quota
const BOUND = 1000 // events kept on the device at most; the oldest go first
const KEY = STORE + 'q'

let queue = []
let config
let timer = 0
let backoff = 0
let sending = false

export const transportStart = (settings) => {
  config = settings
  if (!allows('analytics')) return
  queue = outbox().e.concat(queue)
  if (queue.length) schedule(0) // left by an earlier page view: send it now
}

export const enqueue = (event) => {
  queue.push(event)
  schedule(queue.length >= BATCH ? 0 : WAIT_MS) // a full batch goes out in a task of its own, not in the handler
}

const schedule = (ms) => {
  if (timer && ms) return
  clearTimeout(timer)
  timer = setTimeout(() => { timer = 0; send() }, ms)
}

/** The next batch: at most MAX_EVENTS events and MAX_BYTES bytes, only events consent still allows. */
const take = () => {
  queue = queue.filter((e) => allows(e.purpose || 'analytics'))
  let events = queue.slice(0, MAX_EVENTS)
  while (events.length > 1 && body(events).length > MAX_BYTES) events = events.slice(0, events.length >> 1)
  queue = queue.slice(events.length)
  return events
}

/** `lost`: the outbox's count of events dropped on the device, reported once (0 in the second half of a split). */
const body = (events, lost = outbox().lost) => {
  const state = consent()
  return JSON.stringify({
    site: config.site_, vid: state.vid, sid: page.sid_, sent: Date.now(), consent: state.token,
    wd: navigator.webdriver, lost, events,
  })
}

const post = (events, keepalive, lost) =>
  fetch(config.endpoint_, { method: 'POST', body: body(events, lost), keepalive }).then(({ status }) => {
    // 410: this visitor's data was erased, and the cookie still names them. The banner asks again, and the choice
    // starts over with a new visitor id (the consent endpoint gives no erased visitor's id back).
    if (status == 410) W.attune('consent', 'show')
    if (status > 499 || status == 429) throw status // worth retrying; 4xx bodies are not
    delivered(events)
  })

const send = async () => {
  if (sending || !queue.length || !allows('analytics')) return
  sending = true
  const events = take()
  keep(events) // in the outbox until delivered: a page that unloads meanwhile leaves them for the next one
  try {
    await post(events, false)
    backoff = 0
  } catch (e) {
    queue = events.concat(queue)
    keep(queue)
    backoff = Math.min(backoff ? backoff * 2 : 1000, 60000)
    // still `sending` until the retry: new events wait for it instead of going out at once
    setTimeout(() => { sending = false; send() }, backoff)
    return
  }
  sending = false
  send()
}

// The outbox: events not known to be delivered, shared by the site's tabs in localStorage (only with
// analytics consent), at most BOUND of them; the oldest are dropped first and counted as lost.
const outbox = () => load(KEY) || { e: [], lost: 0 }

const keep = (events) => {
  if (!allows('analytics')) return save(KEY, null)
  const saved = outbox()
  const known = new Set(saved.e.map((e) => e.id))
  saved.e.push(...events.filter((e) => !known.has(e.id)))
  const dropped = new Set(saved.e.splice(0, saved.e.length - BOUND).map((e) => e.id)) // a negative count drops none
  queue = queue.filter((e) => !dropped.has(e.id)) // dropped here too, or it would come back (and count) again
  saved.lost += dropped.size
  save(KEY, saved)
}

/** Delivered: out of the outbox (and the count of lost events has been reported with them). */
const delivered = (events) => {
  const ids = new Set(events.map((e) => e.id))
  const saved = outbox()
  saved.e = saved.e.filter((e) => !ids.has(e.id))
  saved.lost = 0
  save(KEY, saved.e.length ? saved : null)
}

/** The page is being hidden or unloaded: everything goes out now. */
export const flushOnHide = () => {
  if (!allows('analytics')) return
  keep(queue) // in case nothing below gets through: the next page view sends it again, harmlessly
  while (queue.length) {
    const events = take()
    if (navigator.sendBeacon && navigator.sendBeacon(config.endpoint_, body(events))) delivered(events)
    else {
      // refused (quota, blocker): split in two and send with fetch(keepalive)
      const half = (events.length + 1) >> 1
      post(events.slice(0, half), true).catch(() => {})
      if (events.length > 1) post(events.slice(half), true, 0).catch(() => {})
    }
  }
}
