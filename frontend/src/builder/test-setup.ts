// Vitest setup for the builder's component tests (jsdom).
import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

afterEach(() => cleanup())
