import { fireEvent, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import '../messages'
import { setLanguage } from '../i18n'
import { type RuleField, RuleEditor } from './RuleEditor'

const FIELDS: RuleField[] = [
  {
    key: 'category',
    label: 'Loại sự cố',
    type: 'choice',
    options: [
      { value: 'flooding', label: 'Ngập nước' },
      { value: 'other', label: 'Khác' }
    ]
  },
  { key: 'depth', label: 'Độ sâu', type: 'number' },
  { key: 'note', label: 'Ghi chú', type: 'text' }
]

function Harness({ initial, onChange }: { initial?: unknown; onChange: (rule: unknown) => void }) {
  const [value, setValue] = useState<unknown>(initial)
  return (
    <RuleEditor
      label="Hiển thị khi"
      value={value}
      fields={FIELDS}
      onChange={(rule) => {
        setValue(rule)
        onChange(rule)
      }}
    />
  )
}

beforeEach(() => setLanguage('vi'))

describe('RuleEditor', () => {
  it('builds {"==": [{"var": "category"}, "other"]} from the visual controls', async () => {
    const user = userEvent.setup()
    const onChange = vi.fn()
    render(<Harness onChange={onChange} />)
    const editor = screen.getByRole('group', { name: 'Hiển thị khi' })
    expect(within(editor).getByText('Chưa có điều kiện (luôn áp dụng).')).toBeTruthy()
    await user.click(within(editor).getByRole('button', { name: 'Thêm điều kiện' }))
    const row = within(editor).getByRole('group', { name: 'Điều kiện 1' })
    expect((within(row).getByLabelText<HTMLSelectElement>('Trường')).value).toBe('category')
    expect((within(row).getByLabelText<HTMLSelectElement>('Phép so sánh')).value).toBe('==')
    await user.selectOptions(within(row).getByLabelText('Giá trị'), 'other')
    expect(onChange).toHaveBeenLastCalledWith({ '==': [{ var: 'category' }, 'other'] })
    // The summary says it in words, with the option's label.
    expect(within(editor).getByText('Loại sự cố = Khác')).toBeTruthy()

    // A second condition on a number field makes an "all of" group.
    await user.click(within(editor).getByRole('button', { name: 'Thêm điều kiện' }))
    const second = within(editor).getByRole('group', { name: 'Điều kiện 2' })
    await user.selectOptions(within(second).getByLabelText('Trường'), 'depth')
    await user.selectOptions(within(second).getByLabelText('Phép so sánh'), '>=')
    const number = within(second).getByLabelText('Giá trị')
    expect((number as HTMLInputElement).type).toBe('number')
    await user.clear(number)
    await user.type(number, '30')
    expect(onChange).toHaveBeenLastCalledWith({
      and: [{ '==': [{ var: 'category' }, 'other'] }, { '>=': [{ var: 'depth' }, 30] }]
    })
    await user.selectOptions(within(editor).getByLabelText('Kết hợp'), 'or')
    expect(onChange).toHaveBeenLastCalledWith({
      or: [{ '==': [{ var: 'category' }, 'other'] }, { '>=': [{ var: 'depth' }, 30] }]
    })

    // "is one of" turns the value into checkboxes of the options.
    const first = within(editor).getByRole('group', { name: 'Điều kiện 1' })
    await user.selectOptions(within(first).getByLabelText('Phép so sánh'), 'in_list')
    await user.click(within(first).getByLabelText('Ngập nước'))
    expect(onChange).toHaveBeenLastCalledWith({
      or: [{ in: [{ var: 'category' }, ['flooding']] }, { '>=': [{ var: 'depth' }, 30] }]
    })

    // Removing both conditions removes the rule.
    await user.click(within(editor).getByRole('button', { name: 'Xóa điều kiện 2' }))
    await user.click(within(editor).getByRole('button', { name: 'Xóa điều kiện 1' }))
    expect(onChange).toHaveBeenLastCalledWith(undefined)
  })

  it('opens a rule it cannot show in the JSON view and checks what is typed', async () => {
    const user = userEvent.setup()
    const onChange = vi.fn()
    const rule = { '<=': [{ var: 'depth' }, { '*': [{ var: 'floors' }, 1000] }] }
    render(<Harness initial={rule} onChange={onChange} />)
    const editor = screen.getByRole('group', { name: 'Hiển thị khi' })
    const textarea = within(editor).getByLabelText<HTMLTextAreaElement>('Hiển thị khi (JSON)')
    expect(JSON.parse(textarea.value)).toEqual(rule)
    expect(within(editor).getByRole('button', { name: 'Trực quan' })).toHaveProperty('disabled', true)
    expect(within(editor).getByText(/^Quy tắc JSON:/)).toBeTruthy()

    // Broken JSON: shown inline, never passed on.
    // The whole text at once (clearing first would be a valid "no rule").
    const typeJson = (text: string) => fireEvent.change(textarea, { target: { value: text } })
    typeJson('{"==": [1, ')
    expect(within(editor).getByRole('alert').textContent).toMatch(/JSON không hợp lệ/)
    expect(onChange).not.toHaveBeenCalled()

    // An operation the engines do not share: named in the message.
    typeJson('{"upper": [{"var": "note"}]}')
    expect(within(editor).getByRole('alert').textContent).toContain('“upper”')
    expect(onChange).not.toHaveBeenCalled()

    // A valid rule the visual view can show: passed on, and the visual view opens it.
    typeJson('{"!!": [{"var": "note"}]}')
    expect(onChange).toHaveBeenLastCalledWith({ '!!': [{ var: 'note' }] })
    await user.click(within(editor).getByRole('button', { name: 'Trực quan' }))
    const row = within(editor).getByRole('group', { name: 'Điều kiện 1' })
    expect((within(row).getByLabelText<HTMLSelectElement>('Trường')).value).toBe('note')
    expect((within(row).getByLabelText<HTMLSelectElement>('Phép so sánh')).value).toBe('filled')
    expect(within(editor).getByText('Ghi chú đã được điền')).toBeTruthy()
  })

  it('removes the whole rule with one button', async () => {
    const user = userEvent.setup()
    const onChange = vi.fn()
    render(<Harness initial={{ '==': [{ var: 'category' }, 'flooding'] }} onChange={onChange} />)
    expect(screen.getByText('Loại sự cố = Ngập nước')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Xóa điều kiện “Hiển thị khi”' }))
    expect(onChange).toHaveBeenLastCalledWith(undefined)
    expect(screen.getByText('Chưa có điều kiện (luôn áp dụng).')).toBeTruthy()
  })
})
