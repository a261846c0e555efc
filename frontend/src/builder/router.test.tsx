import { act, render, screen } from '@testing-library/react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { useUnsavedWarning } from './hooks'
import { navigate, useRoute } from './router'

function Probe({ dirty }: { dirty: boolean }) {
  useUnsavedWarning(dirty)
  const route = useRoute()
  return <p data-testid="route">{`${route.name}:${route.params.key ?? ''}`}</p>
}

/** What the browser does on "Back": the address changes first, then popstate fires. */
function browserBack(to: string) {
  history.replaceState(null, '', to)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

describe('the router and unsaved changes', () => {
  beforeEach(() => {
    vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
  })

  it('keeps the editor when the user refuses to leave with the browser Back button', () => {
    history.replaceState(null, '', '/builder/apps/a/')
    navigate('/apps/a/workflow/w')
    const { unmount } = render(<Probe dirty />)
    expect(screen.getByTestId('route').textContent).toBe('workflow:w')
    const ask = vi.spyOn(window, 'confirm').mockReturnValue(false)

    act(() => browserBack('/builder/apps/a/'))

    expect(ask).toHaveBeenCalledTimes(1)
    expect(screen.getByTestId('route').textContent).toBe('workflow:w')
    expect(location.pathname).toBe('/builder/apps/a/workflow/w')
    unmount()
  })

  it('does not ask when only the #fragment changes (the skip link)', () => {
    history.replaceState(null, '', '/builder/apps/a/')
    navigate('/apps/a/workflow/w')
    const { unmount } = render(<Probe dirty />)
    const ask = vi.spyOn(window, 'confirm').mockReturnValue(false)
    act(() => browserBack('/builder/apps/a/workflow/w#main'))
    expect(ask).not.toHaveBeenCalled()
    expect(screen.getByTestId('route').textContent).toBe('workflow:w')
    unmount()
  })

  it('follows the browser Back button once the user confirms, or when nothing is unsaved', () => {
    history.replaceState(null, '', '/builder/apps/a/')
    navigate('/apps/a/workflow/w')
    const { rerender, unmount } = render(<Probe dirty />)
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    act(() => browserBack('/builder/apps/a/'))
    expect(screen.getByTestId('route').textContent).toBe('app:')

    rerender(<Probe dirty={false} />)
    const ask = vi.spyOn(window, 'confirm')
    ask.mockClear()
    act(() => browserBack('/builder/'))
    expect(ask).not.toHaveBeenCalled()
    expect(screen.getByTestId('route').textContent).toBe('apps:')
    unmount()
  })
})
