// Clicks (with outbound links and downloads), declarative tracking, hover dwell, form submits,
// and section visibility (HTML5 video: video.js, loaded when a video first plays). Element descriptors never include what a visitor typed.
import { D, W, attributes, on } from './util.js'

const CLICKABLE = 'a,button,input[type=submit],[role=button],[data-attune-click]'
const DOWNLOAD = /\.(pdf|zip|docx?|xlsx?|pptx?|csv|mp[34]|dmg|exe|apk|gz|rar)$/i
const HOVER_MS = 1000

let emit

export const interactionsStart = (emitter, features, partLoad) => {
  emit = emitter
  if (features('clicks')) on(D, 'click', clicked, true)
  if (features('forms')) on(D, 'submit', submitted, true)
  if (features('hovers')) hovers()
  // HTML5 video is rare: its capture (attune-video.js) loads with a page that has a video, or at a video's first play
  if (features('video')) {
    if (D.querySelector('video')) partLoad('video')
    on(D, 'play', (e) => e.target.tagName === 'VIDEO' && partLoad('video'), true)
  }
}

const closest = (e, selector) => e.target.closest(selector) // a target without closest() throws: guarded

/** What was clicked: tag, id, classes, a short text, the link target and data-attune-* attributes. Never a
    value typed into a field (a field's textContent is empty); textContent, not innerText, which would
    make the browser lay the page out on every click. */
const describe = (el) => {
  const text = el.textContent.trim().replace(/\s+/g, ' ')
  const props = { tag: el.tagName.toLowerCase(), ...attributes(el) }
  if (el.id) props.id = el.id
  if (el.classList.length) props.classes = el.classList.value.slice(0, 100)
  if (text) props.text = text.slice(0, 80)
  if (el.href) props.href = String(el.href).slice(0, 500)
  return props
}

const clicked = (e) => {
  const el = closest(e, CLICKABLE)
  if (!el) return
  const props = describe(el)
  emit('click', props)
  if (el.dataset.attuneTrack && el.tagName !== 'FORM') track(el)
  if (el.href) {
    const link = new URL(el.href, location.href)
    if (link.protocol.startsWith('http') && link.host !== location.host) emit('outbound', { href: props.href })
    if (el.hasAttribute('download') || DOWNLOAD.test(link.pathname)) emit('download', { href: props.href })
  }
}

/** data-attune-track="name" with data-attune-prop-* properties: a custom event, no code needed. */
const track = (el) => emit('track', attributes(el, 'attuneProp'), { name: el.dataset.attuneTrack })

/** A form's submit, once: a form marked data-attune-track sends its named event instead of a form_submit, so a
    submit that is already a conversion (add_to_cart) is not counted twice. form.length counts the form's controls. */
const submitted = (e) => {
  const form = e.target
  if (form.dataset.attuneTrack) track(form)
  else emit('form_submit', { form: form.id || form.getAttribute('name') || '', fields: form.length })
}

const hovers = () => {
  const started = new WeakMap()
  on(D, 'pointerover', (e) => {
    const el = closest(e, '[data-attune-hover]')
    if (el && !started.has(el)) started.set(el, Date.now())
  }, true)
  on(D, 'pointerout', (e) => {
    const el = closest(e, '[data-attune-hover]')
    if (!el || el.contains(e.relatedTarget)) return
    const dwell = Date.now() - started.get(el)
    started.delete(el)
    if (dwell > HOVER_MS) emit('hover', { target: el.dataset.attuneHover, dwell_ms: dwell, ...attributes(el) })
  }, true)
}

let observer
const visible = new Map()

/** Sections marked data-attune-section: when at least half is in view (enter) and for how long (exit). */
export const sectionsObserve = (emitter) => {
  emit = emitter
  if (!W.IntersectionObserver) return
  sectionsEnd()
  observer = new IntersectionObserver((entries) => entries.forEach((entry) => {
    const name = entry.target.dataset.attuneSection
    if (entry.isIntersecting) {
      visible.set(entry.target, Date.now())
      emit('section', { section: name, action: 'enter' })
    } else if (visible.has(entry.target)) {
      exit(entry.target)
    }
  }), { threshold: 0.5 })
  D.querySelectorAll('[data-attune-section]').forEach((el) => observer.observe(el))
}

const exit = (el) => {
  emit('section', { section: el.dataset.attuneSection, action: 'exit', visible_ms: Date.now() - visible.get(el) })
  visible.delete(el)
}

/** Close every open section (page hidden or left). */
export const sectionsEnd = () => {
  visible.forEach((_, el) => exit(el))
  if (observer) observer.disconnect()
}
