// Vitest setup for the builder's and the portal's tests (jsdom).
import { cleanup, configure } from '@testing-library/react'
import { afterEach } from 'vitest'

// findBy…/waitFor give up after 1 s by default: a render plus a stubbed request can take
// longer than that on a loaded machine (CI shares its cores), and a test then fails on a
// page that was merely not drawn yet. Wait as long as a loaded machine needs; a test that
// really waits for nothing still fails, after this time.
configure({ asyncUtilTimeout: 15_000 })

afterEach(() => cleanup())
