#!/usr/bin/env node
// Evaluate JSON Logic rules exactly as the browser does, for the server/browser parity tests.
//
// Reads a JSON array of {"rule": ..., "data": ...} from stdin, evaluates each one with
// json-logic-engine's synchronous LogicEngine (default options, a fresh engine per case so
// the engine's internal optimiser cache cannot make one case depend on another) and prints
// a JSON array, one entry per input, in order:
//   {"ok": true, "result": <JSON result>}   or   {"ok": false, "error": "<readable text>"}
//
// A result JSON cannot represent (undefined, NaN, Infinity, a function) is reported as an
// error, so the caller never mistakes it for null.
//
// Usage (from frontend/, so node_modules resolves):
//   echo '[{"rule": {"+": [1, 2]}, "data": {}}]' | node scripts/jsonlogic-eval.mjs

import { LogicEngine } from 'json-logic-engine'

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
  if (err && typeof err === 'object') {
    try {
      return JSON.stringify(err)
    } catch {
      return String(err)
    }
  }
  return String(err)
}

// Returns a reason string when `value` is not plain JSON, otherwise null.
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

function evaluate (rule, data) {
  const engine = new LogicEngine()
  try {
    const result = engine.run(rule, data === undefined ? {} : data)
    const reason = nonJsonReason(result)
    if (reason) return { ok: false, error: `result is not JSON: ${reason}` }
    return { ok: true, result }
  } catch (err) {
    return { ok: false, error: describeError(err) }
  }
}

async function main () {
  const text = await readStdin()
  let cases
  try {
    cases = JSON.parse(text)
  } catch (err) {
    process.stderr.write(`jsonlogic-eval: stdin is not JSON: ${describeError(err)}\n`)
    process.exit(2)
  }
  if (!Array.isArray(cases)) {
    process.stderr.write('jsonlogic-eval: stdin must be a JSON array of {rule, data}\n')
    process.exit(2)
  }
  const results = cases.map((item) => evaluate(item?.rule, item?.data))
  process.stdout.write(JSON.stringify(results) + '\n')
}

main()
