#!/usr/bin/env node
// Evaluate JSON Logic rules with the citizen portal's own evaluator (src/portal/rules.js,
// bundled into dist/portal/portal.js), for tests/workflows/test_fixture_rules_parity.py.
//
// Reads a JSON array of {"rule": ..., "data": ...} from stdin and prints a JSON array, one
// entry per input, in order:
//   {"ok": true, "result": <JSON result>, "truthy": <the portal's truthiness of it>}
//   {"ok": false, "error": "<readable text>"}
// A result JSON cannot represent (undefined, NaN, Infinity) is reported as an error.
//
// Usage (from frontend/, so node_modules resolves):
//   echo '[{"rule": {"var": "a"}, "data": {"a": 1}}]' | node scripts/portal-rules-eval.mjs

import { evaluate, truthy } from '../src/portal/rules.js'

function readStdin () {
  return new Promise((resolve, reject) => {
    const chunks = []
    process.stdin.on('data', (chunk) => chunks.push(chunk))
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    process.stdin.on('error', reject)
  })
}

function describeError (err) {
  if (err instanceof Error) return `${err.name}: ${err.message}`
  if (typeof err === 'number' && Number.isNaN(err)) return 'NaN'
  try {
    return JSON.stringify(err)
  } catch {
    return String(err)
  }
}

function nonJsonReason (value, path = '') {
  if (value === undefined) return `undefined at ${path || '/'}`
  if (value === null) return null
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? null : `non-finite number ${value} at ${path || '/'}`
    case 'string':
    case 'boolean':
      return null
    case 'object': {
      const entries = Array.isArray(value) ? value.entries() : Object.entries(value)
      for (const [key, item] of entries) {
        const reason = nonJsonReason(item, `${path}/${key}`)
        if (reason) return reason
      }
      return null
    }
    default:
      return `${typeof value} at ${path || '/'}`
  }
}

function run (rule, data) {
  try {
    const result = evaluate(rule, data)
    const reason = nonJsonReason(result)
    if (reason) return { ok: false, error: `result is not JSON: ${reason}` }
    return { ok: true, result, truthy: truthy(result) }
  } catch (err) {
    return { ok: false, error: describeError(err) }
  }
}

const text = await readStdin()
let cases
try {
  cases = JSON.parse(text)
} catch (err) {
  process.stderr.write(`portal-rules-eval: stdin is not JSON: ${describeError(err)}\n`)
  process.exit(2)
}
if (!Array.isArray(cases)) {
  process.stderr.write('portal-rules-eval: stdin must be a JSON array of {rule, data}\n')
  process.exit(2)
}
process.stdout.write(JSON.stringify(cases.map((item) => run(item?.rule, item?.data))) + '\n')
