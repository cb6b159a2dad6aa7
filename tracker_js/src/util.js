// Small helpers shared by the tracker's modules. Nothing here may throw into the host page.

export const W = window
export const D = document
export const STORE = 'attune_' // prefix of everything kept in localStorage (only with analytics consent)

/** Wrap a handler so that an error in the tracker never reaches the host page. */
export const guard = (fn) => function (...args) {
  try {
    return fn.apply(this, args)
  } catch (e) {
    /* swallowed on purpose: the tracker must never break or clutter the page it measures */
  }
}

/** A passive listener (capture phase when asked), guarded. */
export const on = (target, type, fn, capture) =>
  target.addEventListener(type, guard(fn), { passive: true, capture: !!capture })

/** A UUIDv7: time-ordered, so the collector's indexes grow at one end. */
export const uuid7 = () => {
  const b = crypto.getRandomValues(new Uint8Array(16))
  let t = Date.now()
  for (let i = 5; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256
  b[6] = (b[6] & 15) | 112
  b[8] = (b[8] & 63) | 128
  return Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('')
    .replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
}

/** JSON in localStorage, or null when there is none or storage is refused. */
export const load = (key) => {
  try {
    return JSON.parse(localStorage.getItem(key))
  } catch (e) {
    return null
  }
}

export const save = (key, value) => {
  try {
    value == null ? localStorage.removeItem(key) : localStorage.setItem(key, JSON.stringify(value))
  } catch (e) {
    /* storage full or refused: nothing to do */
  }
}

export const cookie = (name) => {
  const m = D.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`))
  return m ? decodeURIComponent(m[1]) : ''
}

export const meta = (name) => {
  const el = D.querySelector(`meta[name="attune:${name}"]`)
  return el ? el.content : ''
}

/** data-attune-* attributes of an element, as props (numbers where they look like numbers). */
export const attributes = (el, prefix = 'attune') => {
  const props = {}
  for (const key in el.dataset) {
    if (key.startsWith(prefix) && key.length > prefix.length) {
      const name = key.slice(prefix.length)
      const value = el.dataset[key]
      props[name[0].toLowerCase() + name.slice(1)] = value !== '' && !isNaN(value) ? +value : value
    }
  }
  return props
}
