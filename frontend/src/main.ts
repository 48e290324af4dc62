/**
 * The chat page's composition root: reads `config.js` and wires the profile form, the message
 * list, the composer and the connection together. The logic lives in the modules it imports.
 */
import { wireComposer } from './composer.ts';
import { type ChatConfig, maxSenderNameLength, readChatConfig } from './config.ts';
import { ChatConnection, type ConnectionState } from './connection.ts';
import { requireElement } from './dom.ts';
import { gravatarHash } from './gravatar.ts';
import { MessageList } from './message-list.ts';
import { loadProfile, saveProfile } from './profile.ts';
import { anonymousName, buildChatFrame, parseServerEvent } from './protocol.ts';
import { describeState, outageNote } from './status.ts';
import { createAvatar, createMessageItem } from './view.ts';

const statusBox = requireElement('status', HTMLElement);
const statusText = requireElement('status-text', HTMLElement);
const toggleButton = requireElement('connection-toggle', HTMLButtonElement);
const nameInput = requireElement('name', HTMLInputElement);
const emailInput = requireElement('email', HTMLInputElement);
const profileAvatar = requireElement('profile-avatar', HTMLElement);
const messages = new MessageList(
  requireElement('messages', HTMLOListElement),
  requireElement('jump', HTMLButtonElement),
);

// --- Profile: remembered in this browser; only the email's hash is ever sent -----------------

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return undefined; // Reading `localStorage` throws when the browser blocks site data.
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

function profileChanged(): void {
  senderGravatar = gravatarHash(emailInput.value);
  saveProfile(storage, { name: nameInput.value, email: emailInput.value });
  profileAvatar.replaceChildren(createAvatar(displayName(), senderGravatar));
}

nameInput.addEventListener('input', profileChanged);
emailInput.addEventListener('input', profileChanged);
profileAvatar.replaceChildren(createAvatar(displayName(), senderGravatar));

// --- Chat ------------------------------------------------------------------------------------

/** Connects, and wires the connect/disconnect button and the composer to the connection. */
function startChat(config: ChatConfig): void {
  let hasBeenConnected = false;
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
      stateChanged(state: ConnectionState) {
        const view = describeState(state);
        statusText.textContent = view.label;
        statusBox.dataset.tone = view.tone;
        toggleButton.textContent = view.action;
        if (state.kind === 'connected') {
          messages.appendSystem(hasBeenConnected ? 'Reconnected.' : 'Connected. Say hello!');
          hasBeenConnected = true;
        }
        const note = outageNote(state);
        if (note !== undefined) messages.appendSystem(note, 'error');
      },
      frameReceived(data) {
        const event = parseServerEvent(data);
        if (event?.type === 'message') {
          messages.append(
            createMessageItem({
              own: false,
              senderName: event.senderName,
              senderGravatar: event.senderGravatar,
              text: event.message,
              sentAt: event.sentAt,
            }),
          );
        } else if (event?.type === 'error') {
          messages.appendSystem(`The server refused a message: ${event.message}`, 'error');
        }
      },
      messagesSent: (ids) => messages.markSent(ids),
      connectionLost(wasOpen) {
        // Failed retries show in the status; only the loss itself earns a line.
        if (wasOpen) messages.appendSystem('Connection lost. Reconnecting…', 'error');
      },
    },
  });

  toggleButton.addEventListener('click', () => {
    if (connection.state.kind === 'disconnected') {
      connection.connect();
      return;
    }
    connection.disconnect();
    messages.appendSystem('Disconnected. Messages you write now are sent when you connect again.');
  });

  // Back online: retry now rather than wait out the backoff.
  window.addEventListener('online', () => {
    if (connection.state.kind === 'waiting') connection.connect();
  });

  // Queued messages live only in this tab; ask before they would be lost with it.
  window.addEventListener('beforeunload', (event) => {
    if (connection.pendingCount > 0) event.preventDefault();
  });

  let lastMessageId = 0;
  wireComposer(
    {
      form: requireElement('composer', HTMLFormElement),
      draft: requireElement('draft', HTMLTextAreaElement),
      count: requireElement('draft-count', HTMLElement),
      error: requireElement('draft-error', HTMLElement),
    },
    config.maxMessageLength,
    (text) => {
      lastMessageId += 1;
      const id = `m${lastMessageId}`;
      // Shown at once: the backend sends a message to everyone except its sender.
      messages.append(
        createMessageItem({
          own: true,
          senderName: displayName(),
          senderGravatar,
          text,
          sentAt: new Date(),
          pendingId: id,
        }),
        true,
      );
      connection.send({ id, frame: buildChatFrame(text, nameInput.value, senderGravatar) });
    },
  );

  connection.connect();
}

/** `config.js` as the page needs it, or `undefined` when it did not load or is malformed. */
function loadConfig(): ChatConfig | undefined {
  try {
    return readChatConfig(window.CHAT_CONFIG);
  } catch {
    return undefined;
  }
}

const config = loadConfig();
if (config === undefined) {
  messages.appendSystem(
    'This page is not configured: config.js did not load or has no WebSocket URL.',
    'error',
  );
  statusText.textContent = 'Not configured';
  statusBox.dataset.tone = 'offline';
  toggleButton.disabled = true;
  requireElement('draft', HTMLTextAreaElement).disabled = true;
  requireElement('send', HTMLButtonElement).disabled = true;
} else {
  startChat(config);
}
