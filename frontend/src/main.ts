/**
 * The chat page's composition root: reads `config.js`, wires the profile form, the message list,
 * the composer and the connection together. The logic lives in the small modules it imports.
 */

import { type ChatConfig, maxSenderNameLength, readChatConfig } from './config.ts';
import { ChatConnection, type ConnectionState } from './connection.ts';
import { requireElement } from './dom.ts';
import { gravatarHash } from './gravatar.ts';
import { loadProfile, saveProfile } from './profile.ts';
import { anonymousName, buildChatFrame, checkDraft, parseServerEvent } from './protocol.ts';
import { describeState } from './status.ts';
import {
  createAvatar,
  createMessageItem,
  createSystemItem,
  markSent,
  type SystemTone,
} from './view.ts';

const statusBox = requireElement('status', HTMLElement);
const statusText = requireElement('status-text', HTMLElement);
const toggleButton = requireElement('connection-toggle', HTMLButtonElement);
const nameInput = requireElement('name', HTMLInputElement);
const emailInput = requireElement('email', HTMLInputElement);
const profileAvatar = requireElement('profile-avatar', HTMLElement);
const messageList = requireElement('messages', HTMLOListElement);
const jumpButton = requireElement('jump', HTMLButtonElement);
const composer = requireElement('composer', HTMLFormElement);
const draftInput = requireElement('draft', HTMLTextAreaElement);
const draftCount = requireElement('draft-count', HTMLElement);
const draftError = requireElement('draft-error', HTMLElement);

/** Within this distance of the bottom the reader is "following along" and new lines scroll in. */
const followThresholdPx = 96;

function isFollowing(): boolean {
  return (
    messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < followThresholdPx
  );
}

function scrollToNewest(): void {
  messageList.scrollTop = messageList.scrollHeight;
  jumpButton.hidden = true;
}

/** Appends a line; scrolls to it unless the reader has scrolled up to read older lines. */
function appendItem(item: HTMLLIElement, forceScroll = false): void {
  const following = isFollowing();
  messageList.append(item);
  if (following || forceScroll) scrollToNewest();
  else jumpButton.hidden = false;
}

function appendSystem(text: string, tone: SystemTone = 'info'): void {
  appendItem(createSystemItem(text, tone));
}

// --- Profile -------------------------------------------------------------------------------

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return undefined; // Storage access can throw when the browser blocks site data.
  }
})();
const profile = loadProfile(storage);
nameInput.maxLength = maxSenderNameLength;
nameInput.value = profile.name.slice(0, maxSenderNameLength);
emailInput.value = profile.email;
let senderGravatar = gravatarHash(profile.email);

function displayName(): string {
  return nameInput.value.trim() || anonymousName;
}

function refreshProfileAvatar(): void {
  profileAvatar.replaceChildren(createAvatar(displayName(), senderGravatar));
}

function profileChanged(): void {
  senderGravatar = gravatarHash(emailInput.value);
  saveProfile(storage, { name: nameInput.value, email: emailInput.value });
  refreshProfileAvatar();
}

nameInput.addEventListener('input', profileChanged);
emailInput.addEventListener('input', profileChanged);
refreshProfileAvatar();

// --- Connection ----------------------------------------------------------------------------

let config: ChatConfig;
try {
  config = readChatConfig(window.CHAT_CONFIG);
} catch {
  appendSystem(
    'This page is not configured: config.js did not load or has no WebSocket URL.',
    'error',
  );
  statusText.textContent = 'Not configured';
  toggleButton.disabled = true;
  throw new Error('AWSome Chat cannot start without config.js');
}

let hasBeenConnected = false;

function showState(state: ConnectionState): void {
  const view = describeState(state);
  statusText.textContent = view.label;
  statusBox.dataset.tone = view.tone;
  toggleButton.textContent = view.action;
  if (state.kind === 'connected') {
    appendSystem(hasBeenConnected ? 'Reconnected.' : 'Connected. Say hello!');
    hasBeenConnected = true;
  }
}

const connection = new ChatConnection({
  url: config.websocketUrl,
  createSocket: (url) => new WebSocket(url),
  timers: {
    setTimeout: (callback, ms) => window.setTimeout(callback, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    setInterval: (callback, ms) => window.setInterval(callback, ms),
    clearInterval: (handle) => window.clearInterval(handle as number),
  },
  listener: {
    stateChanged: showState,
    frameReceived(data) {
      const event = parseServerEvent(data);
      if (event?.type === 'message') {
        appendItem(createMessageItem({ ...event, own: false, text: event.message }));
      } else if (event?.type === 'error') {
        appendSystem(`The server refused a message: ${event.message}`, 'error');
      }
    },
    messagesSent(ids) {
      for (const id of ids) {
        const item = messageList.querySelector<HTMLElement>(`[data-pending-id="${id}"]`);
        if (item !== null) markSent(item);
      }
    },
    connectionLost(wasOpen) {
      if (wasOpen) appendSystem('Connection lost. Reconnecting…', 'error');
    },
  },
});

toggleButton.addEventListener('click', () => {
  if (connection.state.kind === 'disconnected') {
    connection.connect();
    return;
  }
  connection.disconnect();
  appendSystem('Disconnected. Messages you write now are sent when you connect again.');
});

// Back online: retry now rather than wait out the backoff.
window.addEventListener('online', () => {
  if (connection.state.kind === 'waiting') connection.connect();
});

// Queued messages live only in this tab; warn before they would be lost with it.
window.addEventListener('beforeunload', (event) => {
  if (connection.pendingCount > 0) event.preventDefault();
});

// --- Composer ------------------------------------------------------------------------------

let nextMessageId = 0;

function refreshDraftCount(): boolean {
  const length = draftInput.value.trim().length;
  const over = length > config.maxMessageLength;
  draftCount.textContent = `${length} / ${config.maxMessageLength}`;
  draftCount.classList.toggle('over', over);
  draftInput.setAttribute('aria-invalid', String(over));
  if (!over) draftError.textContent = '';
  return over;
}

function sendDraft(): void {
  const draft = checkDraft(draftInput.value, config.maxMessageLength);
  if (!draft.ok) {
    draftError.textContent =
      draft.reason === 'empty'
        ? 'Write something first.'
        : `Too long by ${draft.excess} characters (the limit is ${config.maxMessageLength}).`;
    draftInput.focus();
    return;
  }
  nextMessageId += 1;
  const id = `m${nextMessageId}`;
  const frame = buildChatFrame(draft.text, nameInput.value, senderGravatar);
  const item = createMessageItem({
    own: true,
    senderName: displayName(),
    senderGravatar,
    text: draft.text,
    sentAt: new Date(),
    pendingId: id,
  });
  appendItem(item, true);
  connection.send({ id, frame }); // marks the item sent via messagesSent once it leaves
  draftInput.value = '';
  refreshDraftCount();
  draftInput.focus();
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  sendDraft();
});

draftInput.addEventListener('keydown', (event) => {
  // Enter sends, Shift+Enter breaks the line; never while an IME is composing a character.
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendDraft();
  }
});
draftInput.addEventListener('input', refreshDraftCount);

messageList.addEventListener('scroll', () => {
  if (isFollowing()) jumpButton.hidden = true;
});
jumpButton.addEventListener('click', scrollToNewest);

refreshDraftCount();
connection.connect();
