// Builds dist/attune.js with esbuild; `--check` fails when the committed build is stale or too big.
import { build } from 'esbuild'
import { readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

// Each bundle and its budget in bytes, minified and gzipped.
const BUNDLES = [
  { entry: 'index.js', out: 'attune.js', budget: 4096 },
  { entry: 'consent-script.js', out: 'attune-consent.js', budget: 2048 },
  { entry: 'decide.js', out: 'attune-decide.js', budget: 2048 },
  { entry: 'video.js', out: 'attune-video.js', budget: 1024 },
]
// One mangle cache for every bundle: attune-decide.js reads the core's page figures (page.engaged_) by the same
// short names the core gives them.
let mangleCache = {}
let failed = false

for (const { entry, out, budget } of BUNDLES) {
  const result = await build({
    entryPoints: [new URL(`./src/${entry}`, import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2018'],
    legalComments: 'none',
    mangleProps: /_$/, // internal state (page.engaged_, config.site_...): never part of the wire format
    write: false,
    mangleCache,
  })
  mangleCache = result.mangleCache
  const code = result.outputFiles[0].text
  const gzipped = gzipSync(code, { level: 9 }).length
  const path = new URL(`./dist/${out}`, import.meta.url)
  if (process.argv.includes('--check')) {
    let committed = ''
    try {
      committed = readFileSync(path, 'utf8')
    } catch (e) {
      /* missing: reported below */
    }
    if (committed !== code) {
      console.error(`tracker_js/dist/${out} is stale: run \`npm run build\` in tracker_js and commit the result.`)
      failed = true
    }
  } else {
    writeFileSync(path, code)
  }
  console.log(`${out}: ${code.length} bytes minified, ${gzipped} bytes gzipped (budget ${budget})`)
  if (gzipped > budget) {
    console.error(`${out} is ${gzipped - budget} bytes over its ${budget}-byte gzip budget.`)
    failed = true
  }
}
if (failed) process.exit(1)
