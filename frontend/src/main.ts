/**
 * The chat page's composition root: reads `config.js` and the room from the page's URL, and
 * wires the profile form, the room bar, the message list, the composer and the connection
 * together. The logic lives in the modules it imports.
 */
import { normaliseText } from '../../contract/text-rules.ts';
import { wireComposer } from './composer.ts';
import { type ChatConfig, maxSenderNameLength, readChatConfig } from './config.ts';
import { ChatConnection, type ConnectionState } from './connection.ts';
import { requireElement } from './dom.ts';
import { gravatarHash } from './gravatar.ts';
import { MessageList } from './message-list.ts';
import { loadProfile, saveProfile } from './profile.ts';
import { anonymousName, buildChatFrame } from './protocol.ts';
import { RoomSession } from './room-session.ts';
import {
  checkRoomName,
  defaultRoom,
  pageUrlForRoom,
  roomNameFromUrl,
  websocketUrlForRoom,
} from './rooms.ts';
import { describeState, outageNote } from './status.ts';
import { checkSenderName } from './text-rules.ts';
import { titleWithUnread, UnreadCounter } from './unread.ts';
import { createAvatar, createMessageItem } from './view.ts';

const appName = 'AWSome Chat';
const statusBox = requireElement('status', HTMLElement);
const statusText = requireElement('status-text', HTMLElement);
const toggleButton = requireElement('connection-toggle', HTMLButtonElement);
const nameInput = requireElement('name', HTMLInputElement);
const nameError = requireElement('name-error', HTMLElement);
const emailInput = requireElement('email', HTMLInputElement);
const profileAvatar = requireElement('profile-avatar', HTMLElement);
const roomTitle = requireElement('room-title', HTMLElement);
const presence = requireElement('presence', HTMLElement);
const roomForm = requireElement('room-form', HTMLFormElement);
const roomInput = requireElement('room', HTMLInputElement);
const roomError = requireElement('room-error', HTMLElement);
const roomLink = requireElement('room-link', HTMLAnchorElement);
const draftInput = requireElement('draft', HTMLTextAreaElement);
const sendButton = requireElement('send', HTMLButtonElement);
const messages = new MessageList(
  requireElement('messages', HTMLElement),
  requireElement('message-items', HTMLOListElement),
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

/** The name as others see it: normalised and trimmed, or "Anonymous". */
function displayName(): string {
  return normaliseText(nameInput.value, 'senderName') || anonymousName;
}

/** Says, under the name field, why the name cannot be sent; returns that reason or `undefined`. */
function checkNameField(): string | undefined {
  const check = checkSenderName(nameInput.value);
  const problem = check.ok ? undefined : check.message;
  nameError.textContent = problem ?? '';
  nameInput.setAttribute('aria-invalid', String(problem !== undefined));
  return problem;
}

function profileChanged(): void {
  senderGravatar = gravatarHash(emailInput.value);
  saveProfile(storage, { name: nameInput.value, email: emailInput.value });
  profileAvatar.replaceChildren(createAvatar(displayName(), senderGravatar));
}

nameInput.addEventListener('input', () => {
  checkNameField();
  profileChanged();
});
emailInput.addEventListener('input', profileChanged);
profileAvatar.replaceChildren(createAvatar(displayName(), senderGravatar));
checkNameField();

// --- Unread count in the title while the tab is hidden ---------------------------------------

const unread = new UnreadCounter(document.hidden);
let titleBase = appName;

function showTitle(): void {
  document.title = titleWithUnread(titleBase, unread.count);
}

document.addEventListener('visibilitychange', () => {
  unread.visibilityChanged(document.hidden);
  showTitle();
});

// --- Chat ------------------------------------------------------------------------------------

/** Connects, and wires the room bar, the connect/disconnect button and the composer. */
function startChat(config: ChatConfig): void {
  let session: RoomSession | undefined;

  const connection = new ChatConnection({
    url: config.websocketUrl,
    createSocket: (url) => new WebSocket(url),
    timers: {
      setTimeout: (callback, ms) => window.setTimeout(callback, ms),
      clearTimeout: (handle) => window.clearTimeout(handle as number),
      setInterval: (callback, ms) => window.setInterval(callback, ms),
      clearInterval: (handle) => window.clearInterval(handle as number),
    },
    framesOnOpen: () => (session === undefined ? [] : [session.historyRequest()]),
    listener: {
      stateChanged(state: ConnectionState) {
        const view = describeState(state);
        statusText.textContent = view.label;
        statusBox.dataset.tone = view.tone;
        toggleButton.textContent = view.action;
        if (state.kind === 'connected') session?.opened();
        if (state.kind !== 'connected') presence.hidden = true;
        const note = outageNote(state);
        if (note !== undefined) messages.appendSystem(note, 'error');
      },
      frameReceived: (data) => session?.receive(data),
      messagesSent: (ids) => messages.markSent(ids),
      connectionLost(wasOpen) {
        // Failed retries show in the status; only the loss itself earns a line.
        if (wasOpen) messages.appendSystem('Connection lost. Reconnecting…', 'error');
      },
    },
  });

  /** Shows a room problem under the room field, and returns false. */
  function refuseRoom(problem: string, typed: string): false {
    roomInput.value = typed;
    roomInput.setAttribute('aria-invalid', 'true');
    roomError.textContent = problem;
    return false;
  }

  /**
   * Moves the page to the room named `raw` (from the room field or the URL): checks the name,
   * clears the list and connects. Returns whether the page is now in that room.
   */
  function joinRoom(raw: string): boolean {
    const check = checkRoomName(raw);
    if (!check.ok) {
      if (session === undefined) {
        // No valid room yet (the page was opened with a bad one): nothing to connect to.
        statusText.textContent = 'Not connected: choose a room';
        statusBox.dataset.tone = 'offline';
        roomTitle.textContent = 'No room';
        toggleButton.disabled = true;
        draftInput.disabled = true;
        sendButton.disabled = true;
      }
      return refuseRoom(check.message, raw);
    }
    const room = check.room;
    if (session?.room === room) {
      roomInput.value = room;
      roomInput.setAttribute('aria-invalid', 'false');
      roomError.textContent = '';
      return true;
    }
    const waiting = connection.pendingCount;
    if (waiting > 0 && session !== undefined) {
      return refuseRoom(
        `${waiting === 1 ? 'A message is' : `${waiting} messages are`} still waiting to be sent to #${session.room}. Switch rooms once ${waiting === 1 ? 'it is' : 'they are'} sent.`,
        raw,
      );
    }
    session = new RoomSession(room, messages, {
      messageArrived() {
        unread.messageArrived();
        showTitle();
      },
      presenceChanged(count) {
        presence.textContent = `${count} ${count === 1 ? 'person' : 'people'} here`;
        presence.hidden = false;
      },
    });
    messages.clear();
    unread.reset();
    titleBase = room === defaultRoom ? appName : `#${room} · ${appName}`;
    showTitle();
    roomTitle.textContent = `#${room}`;
    presence.hidden = true;
    roomInput.value = room;
    roomInput.setAttribute('aria-invalid', 'false');
    roomError.textContent = '';
    toggleButton.disabled = false;
    draftInput.disabled = false;
    sendButton.disabled = false;
    connection.changeUrl(websocketUrlForRoom(config.websocketUrl, room));
    return true;
  }

  /** The address bar and the share link name the current room, lower-case. */
  function showRoomUrl(mode: 'push' | 'replace'): void {
    if (session === undefined) return;
    const url = pageUrlForRoom(window.location.href, session.room);
    roomLink.href = url;
    if (url === window.location.href) return;
    if (mode === 'push') window.history.pushState(null, '', url);
    else window.history.replaceState(null, '', url);
  }

  /** The page URL the room last followed, so one change is handled once. */
  let followedUrl = window.location.href;

  roomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (joinRoom(roomInput.value)) showRoomUrl('push');
    else roomInput.focus();
    followedUrl = window.location.href;
  });

  // The back button, or a room typed into the address bar after the `#`. Both events may fire
  // for one change; the second must not undo what the first showed.
  const followUrl = (): void => {
    if (window.location.href === followedUrl) return;
    const joined = joinRoom(roomNameFromUrl(window.location.href));
    // A room the page refused to switch to: the address bar goes back to the room it is in.
    showRoomUrl('replace');
    followedUrl = window.location.href;
    if (!joined) roomInput.focus();
  };
  window.addEventListener('hashchange', followUrl);
  window.addEventListener('popstate', followUrl);

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
      draft: draftInput,
      count: requireElement('draft-count', HTMLElement),
      error: requireElement('draft-error', HTMLElement),
    },
    config.maxMessageLength,
    (text) => {
      const nameProblem = checkNameField();
      if (nameProblem !== undefined) return nameProblem;
      if (session === undefined) return 'Choose a room first.';
      lastMessageId += 1;
      const id = `m${lastMessageId}`;
      const senderName = displayName();
      // Shown at once: the backend sends a message to everyone except its sender.
      messages.append(
        createMessageItem({
          own: true,
          senderName,
          senderGravatar,
          text,
          sentAt: new Date(),
          pendingId: id,
        }),
        true,
      );
      session.sent({ message: text, senderName, senderGravatar });
      connection.send({ id, frame: buildChatFrame(text, nameInput.value, senderGravatar) });
      return undefined;
    },
  );

  if (joinRoom(roomNameFromUrl(window.location.href))) showRoomUrl('replace');
  followedUrl = window.location.href;
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
  draftInput.disabled = true;
  sendButton.disabled = true;
} else {
  startChat(config);
}
