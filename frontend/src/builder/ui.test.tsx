// The shared Dialog: focus goes back to the control that opened it when it closes.
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import './messages'
import { Dialog, SteadyLabel } from './ui'

function Opener() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      <Dialog open={open} title="Box" onClose={() => setOpen(false)}>
        <button type="button" onClick={() => setOpen(false)}>
          Done
        </button>
      </Dialog>
    </>
  )
}

describe('Dialog', () => {
  it('returns focus to its opener on close', async () => {
    const user = userEvent.setup()
    render(<Opener />)
    const open = screen.getByRole('button', { name: 'Open' })
    await user.click(open)
    const done = screen.getByRole('button', { name: 'Done' })
    done.focus()
    expect(document.activeElement).toBe(done)
    await user.click(done)
    expect(screen.queryByRole('button', { name: 'Done' })).toBeNull()
    expect(document.activeElement).toBe(open)
  })
})

describe('SteadyLabel', () => {
  it('names the button by the current text only, keeping the other in place', () => {
    const { rerender } = render(
      <button type="button">
        <SteadyLabel busy={false} idle="Lưu" working="Đang lưu…" />
      </button>
    )
    const button = screen.getByRole('button', { name: 'Lưu' })
    // Both texts stay in the button (so its width fits the longer one).
    expect(button.textContent).toBe('LưuĐang lưu…')
    rerender(
      <button type="button">
        <SteadyLabel busy idle="Lưu" working="Đang lưu…" />
      </button>
    )
    expect(screen.getByRole('button', { name: 'Đang lưu…' })).toBe(button)
    expect(screen.queryByRole('button', { name: 'Lưu' })).toBeNull()
  })
})
