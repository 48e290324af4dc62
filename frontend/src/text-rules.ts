/**
 * The server's text rules as the page words them: which character was refused, and where, and
 * what is wrong with a name. The rules themselves are the server's own module, bundled into the
 * page, so the page refuses exactly what the server would, before anything is sent.
 */
import {
  type ForbiddenCharacter,
  findForbiddenCharacter,
  normaliseText,
  senderNameTextProblem,
} from '../../contract/text-rules.ts';
import { maxSenderNameLength } from './config.ts';

/** `U+202E`: how a refused character is named, since it cannot be shown. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const forbiddenKinds: Readonly<Record<ForbiddenCharacter['kind'], string>> = {
  control: 'an invisible control character',
  bidi: 'a text-direction control',
  separator: 'a line or paragraph separator',
  surrogate: 'a broken character (half of a surrogate pair)',
};

/** One sentence saying which character was refused, for the error next to the field. */
export function describeForbiddenCharacter(found: ForbiddenCharacter): string {
  return `It contains ${forbiddenKinds[found.kind]} (${codePointLabel(found.codePoint)}, character ${found.position}); remove it.`;
}

/** A display name as the page will send it (empty: none), or why it cannot be sent. */
export type NameCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly message: string };

/** Checks a display name the way the server will, and says what to change. */
export function checkSenderName(raw: string): NameCheck {
  const name = normaliseText(raw, 'senderName');
  const refused = 'Your name cannot be sent.';
  switch (senderNameTextProblem(name)?.code) {
    case undefined:
      return { ok: true, name };
    case 'sender_name_too_long':
      return {
        ok: false,
        message: `${refused} It is too long by ${name.length - maxSenderNameLength} characters (the limit is ${maxSenderNameLength}).`,
      };
    case 'sender_name_invalid_characters': {
      const found = findForbiddenCharacter(name, 'senderName');
      const why = found === undefined ? '' : ` ${describeForbiddenCharacter(found)}`;
      return { ok: false, message: `${refused}${why}` };
    }
    case 'sender_name_invisible':
      return {
        ok: false,
        message: `${refused} It has no visible characters: write one that shows, or leave it empty.`,
      };
  }
}
