// The in-page residual evaluator holds the server's comparison rules (docs/conditions.md), table-driven.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { holds } from '../src/when.js'

const SIGNALS = { engaged_on_page: 200, clicks_on_page: 6, scroll_on_page: 55.5, sections_seen: ['pricing'],
  idle_on_page: 0, exit_intent: false, hovered: [], title: 'Red Shoes', path: '/product/shoes/red',
  counts: { shoes: 3 }, empty: '', nan: NaN }

const CASES = [
  // [what, condition, expected]
  ['true and false are decided', true, true],
  ['false is false', false, false],
  ['gt holds above', { f: 'engaged_on_page', o: 'gt', v: 180 }, true],
  ['gt fails at the bound', { f: 'clicks_on_page', o: 'gt', v: 6 }, false],
  ['gte holds at the bound', { f: 'clicks_on_page', o: 'gte', v: 6 }, true],
  ['lt and lte', { all: [{ f: 'scroll_on_page', o: 'lt', v: 56 }, { f: 'idle_on_page', o: 'lte', v: 0 }] }, true],
  ['between includes both ends', { f: 'clicks_on_page', o: 'between', v: [6, 10] }, true],
  ['between fails outside', { f: 'clicks_on_page', o: 'between', v: [7, 10] }, false],
  ['eq on a boolean', { f: 'exit_intent', o: 'eq', v: false }, true],
  ['a boolean is not a number', { f: 'exit_intent', o: 'eq', v: 0 }, false],
  ['a number is not its text', { f: 'clicks_on_page', o: 'eq', v: '6' }, false],
  ['a missing value fails ne', { f: 'nowhere', o: 'ne', v: 1 }, false],
  ['a missing value fails not_in', { f: 'nowhere', o: 'not_in', v: ['a'] }, false],
  ['a missing value fails not_contains', { f: 'nowhere', o: 'not_contains', v: 'a' }, false],
  ['a missing value fails not_includes', { f: 'nowhere', o: 'not_includes', v: 'a' }, false],
  ['an empty text is missing', { f: 'empty', o: 'ne', v: 'x' }, false],
  ['NaN is missing', { f: 'nan', o: 'lt', v: 1 }, false],
  ['is_not_set holds for a missing value', { f: 'nowhere', o: 'is_not_set' }, true],
  ['is_not_set holds for NaN', { f: 'nan', o: 'is_not_set' }, true],
  ['is_set on a set means not empty', { f: 'hovered', o: 'is_set' }, false],
  ['is_set holds for a set with items', { f: 'sections_seen', o: 'is_set' }, true],
  ['not wraps a missing value in', { not: { f: 'nowhere', o: 'gt', v: 5 } }, true],
  ['eq is case-sensitive', { f: 'title', o: 'eq', v: 'red shoes' }, false],
  ['in is case-sensitive', { f: 'title', o: 'in', v: ['Red Shoes', 'x'] }, true],
  ['contains ignores case', { f: 'title', o: 'contains', v: 'red' }, true],
  ['not_contains ignores case', { f: 'title', o: 'not_contains', v: 'RED' }, false],
  ['starts_with ignores case', { f: 'title', o: 'starts_with', v: 'red s' }, true],
  ['matches takes the whole value, * crosses /', { f: 'path', o: 'matches', v: '/product/*' }, true],
  ['matches does not take a prefix', { f: 'path', o: 'matches', v: '/product' }, false],
  ['matches is case-sensitive', { f: 'path', o: 'matches', v: '/Product/*' }, false],
  ['matches treats other characters literally', { f: 'path', o: 'matches', v: '/product/shoes.red' }, false],
  ['includes a section', { f: 'sections_seen', o: 'includes', v: 'pricing' }, true],
  ['not_includes holds for an empty set', { f: 'hovered', o: 'not_includes', v: 'cta' }, true],
  ['includes_any', { f: 'sections_seen', o: 'includes_any', v: ['faq', 'pricing'] }, true],
  ['includes_all', { f: 'sections_seen', o: 'includes_all', v: ['faq', 'pricing'] }, false],
  ['a per-key number counts an unseen key as 0', { f: 'counts', k: 'bags', o: 'eq', v: 0 }, true],
  ['a per-key number compares its key', { f: 'counts', k: 'shoes', o: 'gt', v: 2 }, true],
  ['a missing map is missing', { f: 'nowhere', k: 'shoes', o: 'eq', v: 0 }, false],
  ['an unknown operator fails', { f: 'clicks_on_page', o: 'gtx', v: 1 }, false],
  ['all needs every child', { all: [{ f: 'clicks_on_page', o: 'gt', v: 5 }, { f: 'exit_intent', o: 'eq', v: true }] }, false],
  ['any needs one child', { any: [{ f: 'clicks_on_page', o: 'gt', v: 5 }, { f: 'exit_intent', o: 'eq', v: true }] }, true],
  ['not not is the row', { not: { not: { f: 'engaged_on_page', o: 'gt', v: 180 } } }, true],
]

for (const [what, condition, expected] of CASES) {
  test(`residual: ${what}`, () => assert.equal(holds(condition, SIGNALS), expected))
}
