import { normaliseText } from '../../contract/text-rules.ts';
import { checkDraft, type DraftCheck } from './protocol.ts';

/** The message box's elements, from `index.html.tftpl`. */
export interface ComposerElements {
  readonly form: HTMLFormElement;
  readonly draft: HTMLTextAreaElement;
  /** Shows "length / limit". */
  readonly count: HTMLElement;
  /** Says why a draft was refused (an alert region, so screen readers hear it). */
  readonly error: HTMLElement;
}

/** What the composer says when a draft is refused. */
function refusalText(check: Exclude<DraftCheck, { ok: true }>, maxLength: number): string {
  switch (check.reason) {
    case 'empty':
      return 'Write something first.';
    case 'invisible':
      return 'This message has no visible characters: write something that shows.';
    case 'invalid-character':
      return `This message cannot be sent. ${check.detail}`;
    case 'too-long':
      return `Too long by ${check.excess} characters (the limit is ${maxLength}).`;
  }
}

/**
 * Wires the message box: Enter sends, Shift+Enter breaks the line, the length is shown against
 * the limit, and drafts the server would refuse (empty, invisible, with control characters, too
 * long) are refused here, before the server has to.
 *
 * @param send - called with the normalised, trimmed text of each accepted draft; returns why it
 *   cannot be sent after all (the draft then stays), or `undefined` once it is on its way
 */
export function wireComposer(
  elements: ComposerElements,
  maxLength: number,
  send: (text: string) => string | undefined,
): void {
  const { form, draft, count, error } = elements;

  const refreshCount = (): void => {
    // Counted as it will be sent: normalised (NFC) and trimmed.
    const length = normaliseText(draft.value, 'message').length;
    const over = length > maxLength;
    count.textContent = `${length} / ${maxLength}`;
    count.classList.toggle('over', over);
    draft.setAttribute('aria-invalid', String(over));
    if (!over) error.textContent = '';
  };

  const submit = (): void => {
    const checked = checkDraft(draft.value, maxLength);
    const refusal = checked.ok ? send(checked.text) : refusalText(checked, maxLength);
    if (refusal !== undefined) {
      error.textContent = refusal;
      draft.focus();
      return;
    }
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
