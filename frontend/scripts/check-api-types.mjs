#!/usr/bin/env node
// The drift check of the generated API types (run by `npm test`): generate the types from
// docs/openapi.yaml into a temporary file, exactly as `npm run api-types` does, and fail
// when they differ from the committed src/builder/api-schema.d.ts.
//
// Usage (from frontend/): node scripts/check-api-types.mjs

import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

const SCHEMA = '../docs/openapi.yaml'
const TYPES = 'src/builder/api-schema.d.ts'
const CLI = fileURLToPath(new URL('../node_modules/openapi-typescript/bin/cli.js', import.meta.url))

const frontend = fileURLToPath(new URL('..', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'api-types-'))
try {
  const fresh = join(scratch, 'api-schema.d.ts')
  execFileSync(process.execPath, [CLI, SCHEMA, '-o', fresh], { cwd: frontend, stdio: ['ignore', 'ignore', 'inherit'] })
  const committed = existsSync(join(frontend, TYPES)) ? readFileSync(join(frontend, TYPES), 'utf8') : ''
  if (readFileSync(fresh, 'utf8') !== committed) {
    console.error(
      `frontend/${TYPES} does not match docs/openapi.yaml.\n` +
        'Regenerate it with `npm run api-types` (in frontend/) and commit the result.'
    )
    process.exitCode = 1
  } else {
    console.log(`frontend/${TYPES} matches docs/openapi.yaml.`)
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
