import { act, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import App from './App'
import { navigate } from './router'

describe('the builder frame', () => {
  it('moves focus to the new page heading after an in-app navigation', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify([]), { headers: { 'Content-Type': 'application/json' } }))
    )
    history.replaceState(null, '', '/builder/nowhere')
    render(<App context={{ user: 'u', logoutUrl: '/out', workspaceUrl: '/ws' }} />)
    const first = await screen.findByRole('heading', { level: 1 })
    expect(document.activeElement).not.toBe(first)

    act(() => {
      navigate('/elsewhere')
    })
    const heading = await screen.findByRole('heading', { level: 1 })
    await vi.waitFor(() => expect(document.activeElement).toBe(heading))
    vi.unstubAllGlobals()
  })
})
