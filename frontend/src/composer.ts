import { checkDraft } from './protocol.ts';

/** The message box's elements, from `index.html.tftpl`. */
export interface ComposerElements {
  readonly form: HTMLFormElement;
  readonly draft: HTMLTextAreaElement;
  /** Shows "length / limit". */
  readonly count: HTMLElement;
  /** Says why a draft was refused (an alert region, so screen readers hear it). */
  readonly error: HTMLElement;
}

/**
 * Wires the message box: Enter sends, Shift+Enter breaks the line, the length is shown against
 * the limit, and empty or over-long drafts are refused here, before the server has to.
 *
 * @param send - called with the trimmed text of each accepted draft
 */
export function wireComposer(
  elements: ComposerElements,
  maxLength: number,
  send: (text: string) => void,
): void {
  const { form, draft, count, error } = elements;

  const refreshCount = (): void => {
    const length = draft.value.trim().length;
    const over = length > maxLength;
    count.textContent = `${length} / ${maxLength}`;
    count.classList.toggle('over', over);
    draft.setAttribute('aria-invalid', String(over));
    if (!over) error.textContent = '';
  };

  const submit = (): void => {
    const checked = checkDraft(draft.value, maxLength);
    if (!checked.ok) {
      error.textContent =
        checked.reason === 'empty'
          ? 'Write something first.'
          : `Too long by ${checked.excess} characters (the limit is ${maxLength}).`;
      draft.focus();
      return;
    }
    send(checked.text);
    draft.value = '';
    refreshCount();
    draft.focus();
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  draft.addEventListener('keydown', (event) => {
    // Never while an input method is composing a character: there Enter confirms the character.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  draft.addEventListener('input', refreshCount);
  refreshCount();
}
