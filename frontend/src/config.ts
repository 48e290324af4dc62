import contract from '../../contract/contract.json' with { type: 'json' };

/** What `config.js` (rendered from `frontend/config.js.tftpl`) tells the page. */
export interface ChatConfig {
  /** The API Gateway stage URL, `wss://…/prod` on AWS, `ws://127.0.0.1:…` locally. */
  readonly websocketUrl: string;
  /** The longest message the backend accepts. */
  readonly maxMessageLength: number;
}

declare global {
  interface Window {
    /** Set by `config.js`, which the page loads before its bundle. */
    CHAT_CONFIG?: unknown;
  }
}

/**
 * Reads and checks `window.CHAT_CONFIG`. A missing or malformed URL is a deployment error the
 * page cannot work around, so it throws; a missing limit falls back to the backend's default.
 */
export function readChatConfig(raw: unknown): ChatConfig {
  const config = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const { websocketUrl, maxMessageLength } = config;
  if (typeof websocketUrl !== 'string' || !/^wss?:\/\/./.test(websocketUrl)) {
    throw new Error('config.js does not define a ws:// or wss:// websocketUrl');
  }
  const limit =
    typeof maxMessageLength === 'number' &&
    Number.isInteger(maxMessageLength) &&
    maxMessageLength > 0
      ? maxMessageLength
      : contract.limits.maxMessageLength;
  return { websocketUrl, maxMessageLength: limit };
}

/** The longest display name the backend accepts. */
export const maxSenderNameLength: number = contract.limits.maxSenderNameLength;
