// The in-page residual of a rule (docs/conditions.md): true, false, or {all}, {any}, {not} over rows
// {f, o, v, k}, compared as the server compares. A missing value (absent, null, NaN, '' or of the wrong type)
// fails every operator but is_not_set; text compares case-sensitively except contains, not_contains, starts_with.

const missing = (x) => x == null || x === '' || x !== x // x !== x: NaN
const kind = (x) => (Array.isArray(x) ? 'set' : typeof x)
const lower = (x) => x.toLowerCase()
const glob = (pattern) =>
  new RegExp(`^${pattern.split('*').map((part) => part.replace(/[\\^$.+?()[\]{}|/-]/g, '\\$&')).join('.*')}$`, 's')

const OPS = {
  eq: (x, v) => x === v,
  ne: (x, v) => x !== v,
  gt: (x, v) => x > v,
  gte: (x, v) => x >= v,
  lt: (x, v) => x < v,
  lte: (x, v) => x <= v,
  between: (x, v) => x >= v[0] && x <= v[1],
  in: (x, v) => v.includes(x),
  not_in: (x, v) => !v.includes(x),
  contains: (x, v) => lower(x).includes(lower(v)),
  not_contains: (x, v) => !lower(x).includes(lower(v)),
  starts_with: (x, v) => lower(x).startsWith(lower(v)),
  matches: (x, v) => glob(v).test(x),
  includes: (x, v) => x.includes(v),
  not_includes: (x, v) => !x.includes(v),
  includes_any: (x, v) => v.some((y) => x.includes(y)),
  includes_all: (x, v) => v.every((y) => x.includes(y)),
}

// The kind a row's value must have for its operator (a set for set operators, the value's own kind otherwise).
const SETS = /includ/
const expected = (o, v) => (SETS.test(o) ? 'set' : kind(Array.isArray(v) ? v[0] : v))

const row = (n, signals) => {
  let x = signals[n.f]
  if (n.k != null && x && kind(x) === 'object') x = x[n.k] || 0
  if (n.o === 'is_not_set') return missing(x) || (kind(x) === 'set' && !x.length)
  if (n.o === 'is_set') return !missing(x) && !(kind(x) === 'set' && !x.length)
  if (missing(x) || !OPS[n.o] || kind(x) !== expected(n.o, n.v)) return false
  return OPS[n.o](x, n.v)
}

/** Whether a residual holds for the page's signals now. */
export const holds = (n, signals) =>
  n === true || n === false ? n
    : n.all ? n.all.every((c) => holds(c, signals))
      : n.any ? n.any.some((c) => holds(c, signals))
        : n.not ? !holds(n.not, signals)
          : row(n, signals)
