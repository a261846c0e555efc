import { act, render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import App from './App'
import { navigate } from './router'

describe('the builder frame', () => {
  it('moves focus to the new page heading after an in-app navigation', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response(JSON.stringify([]), { headers: { 'Content-Type': 'application/json' } })))
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
  })
})

describe('the header', () => {
  it('offers "log out" as a POST to the logout view with the CSRF token', () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.resolve(new Response(JSON.stringify([]), { headers: { 'Content-Type': 'application/json' } })))
    )
    document.cookie = 'csrftoken=tok123; path=/'
    history.replaceState(null, '', '/builder/')
    render(<App context={{ user: 'u', logoutUrl: '/workspace/logout/', workspaceUrl: '/ws' }} />)
    const button = screen.getByRole('button', { name: 'Đăng xuất' })
    const form = button.closest('form') as HTMLFormElement
    expect(form.getAttribute('method')).toBe('post')
    expect(form.getAttribute('action')).toBe('/workspace/logout/')
    const token = form.querySelector<HTMLInputElement>('input[name=csrfmiddlewaretoken]')
    expect(token?.type).toBe('hidden')
    expect(token?.value).toBe('tok123')
    document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/'
  })
})
