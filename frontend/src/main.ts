/**
 * The chat page's composition root: reads `config.js` and the room from the page's URL, and
 * wires the profile form, the room bar, the message list, the composer and the connection
 * together. The logic lives in the modules it imports.
 */
import contract from '../../contract/contract.json' with { type: 'json' };
import { normaliseText } from '../../contract/text-rules.ts';
import { describeAccount } from './account.ts';
import { newClientId } from './client-id.ts';
import { wireComposer } from './composer.ts';
import {
  type AuthConfig,
  type ChatConfig,
  ConfigError,
  maxSenderNameLength,
  readChatConfig,
} from './config.ts';
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
import type { SignInSession, SignInState } from './sign-in.ts';
import { callbackKind, returnAddress, withoutCallbackParameters } from './sign-in-urls.ts';
import { describeState, outageNote, type StatusView } from './status.ts';
import { checkSenderName } from './text-rules.ts';
import { windowTimers } from './timers.ts';
import { titleWithUnread, UnreadCounter } from './unread.ts';
import { createAvatar } from './view.ts';

const appName = 'AWSome Chat';
const statusBox = requireElement('status', HTMLElement);
const statusText = requireElement('status-text', HTMLElement);
const toggleButton = requireElement('connection-toggle', HTMLButtonElement);
const accountBox = requireElement('account', HTMLElement);
const accountText = requireElement('account-text', HTMLElement);
const accountButton = requireElement('account-button', HTMLButtonElement);
const nameField = requireElement('name-field', HTMLElement);
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

/** With sign-in, this tab's; `undefined` in the open chat. */
let signIn: SignInSession | undefined;

/** The signed-in person, if anyone is signed in. */
function signedInPerson(): { name: string; senderId: string } | undefined {
  const state = signIn?.state;
  return state?.kind === 'signed-in' ? state.person : undefined;
}

/**
 * The name as others see it: with sign-in the verified one, otherwise the one typed, normalised
 * and trimmed, or "Anonymous".
 */
function displayName(): string {
  if (signIn !== undefined) return signedInPerson()?.name ?? anonymousName;
  return normaliseText(nameInput.value, 'senderName') || anonymousName;
}

/** Says, under the name field, why the name cannot be sent; returns that reason or `undefined`. */
function checkNameField(): string | undefined {
  // Signed in, the server names the sender: the field is gone.
  if (signIn !== undefined) return undefined;
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

// --- Shared by the chat and the page without configuration -----------------------------------

/** Shows the connection status: its words and the colour of its dot. */
function showStatus(label: string, tone: StatusView['tone']): void {
  statusText.textContent = label;
  statusBox.dataset.tone = tone;
}

/** Whether the page is in a valid room. */
let roomChosen = true;

/**
 * Turns on or off everything that needs a room to talk in (the connect button and the composer);
 * with sign-in they stay off while nobody is signed in.
 */
function setChatControlsEnabled(hasRoom: boolean): void {
  roomChosen = hasRoom;
  const enabled = hasRoom && (signIn === undefined || signedInPerson() !== undefined);
  toggleButton.disabled = !enabled;
  draftInput.disabled = !enabled;
  sendButton.disabled = !enabled;
}

// --- Chat ------------------------------------------------------------------------------------

/** What the parts of a started chat share: its configuration, its connection and its room. */
interface Chat {
  readonly config: ChatConfig;
  readonly connection: ChatConnection;
  /** The room the page is in; `undefined` until a valid one is chosen. */
  session: RoomSession | undefined;
}

/** The chat once started; sign-in changes act on its connection. */
let activeChat: Chat | undefined;

/** Connects, and wires the room bar, the connect/disconnect button and the composer. */
function startChat(config: ChatConfig): void {
  const chat: Chat = {
    config,
    connection: createConnection(config.websocketUrl, () => chat.session),
    session: undefined,
  };
  activeChat = chat;
  wireConnectionButton(chat.connection);
  wireWindowEvents(chat.connection);
  wireSending(chat);
  wireRoomNavigation(chat);
}

/** The connection to the chat, reporting what happens on it to the header and the list. */
function createConnection(
  websocketUrl: string,
  currentSession: () => RoomSession | undefined,
): ChatConnection {
  const session = signIn;
  return new ChatConnection({
    url: websocketUrl,
    createSocket: (url, protocols) =>
      protocols === undefined ? new WebSocket(url) : new WebSocket(url, [...protocols]),
    timers: windowTimers,
    framesOnOpen: () => {
      const session = currentSession();
      return session === undefined ? [] : [session.historyRequest()];
    },
    ...(session !== undefined && { subprotocols: () => handshakeProtocols(session) }),
    listener: {
      stateChanged(state: ConnectionState) {
        showConnectionState(state);
        if (state.kind === 'connected') {
          signIn?.handshakeAccepted();
          currentSession()?.opened();
        } else {
          currentSession()?.closed();
        }
      },
      frameReceived: (data) => currentSession()?.receive(data),
      deliveryChanged: (clientId, state) => currentSession()?.deliveryChanged(clientId, state),
      connectionLost(wasOpen) {
        // Closed before it opened: the server may have refused the token (see SignInSession).
        if (!wasOpen) signIn?.handshakeFailed();
        // Failed retries show in the status; only the loss itself earns a line.
        if (wasOpen) messages.appendSystem('Connection lost. Reconnecting…', 'error');
      },
    },
  });
}

/**
 * The subprotocols of a signed-in handshake: the chat's own, and the ID token (fresh: renewed
 * first if need be), as API Gateway's authorizer reads it. `undefined` when nobody is signed in.
 */
async function handshakeProtocols(session: SignInSession): Promise<string[] | undefined> {
  const token = await session.handshakeToken();
  if (token === undefined) return undefined;
  return [contract.auth.subprotocol, `${contract.auth.tokenSubprotocolPrefix}${token}`];
}

/** The header's status and button for `state`, and a line in the list when an outage drags on. */
function showConnectionState(state: ConnectionState): void {
  const view = describeState(state);
  // Nobody signed in: the header says so rather than "Disconnected".
  const signInStatus = signIn === undefined ? undefined : describeAccount(signIn.state).status;
  if (signInStatus !== undefined && state.kind === 'disconnected') {
    showStatus(signInStatus.label, signInStatus.tone);
  } else {
    showStatus(view.label, view.tone);
  }
  toggleButton.textContent = view.action;
  if (state.kind !== 'connected') presence.hidden = true;
  const note = outageNote(state, signIn !== undefined);
  if (note !== undefined) messages.appendSystem(note, 'error');
}

/** The header's button: connects, or disconnects and says what happens to new messages. */
function wireConnectionButton(connection: ChatConnection): void {
  toggleButton.addEventListener('click', () => {
    if (connection.state.kind === 'disconnected') {
      connection.connect();
      return;
    }
    connection.disconnect();
    messages.appendSystem('Disconnected. Messages you write now are sent when you connect again.');
  });
}

/** What the browser tells the page about the network and about the tab closing. */
function wireWindowEvents(connection: ChatConnection): void {
  // Back online: retry now rather than wait out the backoff.
  window.addEventListener('online', () => {
    if (connection.state.kind === 'waiting') connection.connect();
  });

  // Queued messages live only in this tab; ask before they would be lost with it.
  window.addEventListener('beforeunload', (event) => {
    if (connection.pendingCount > 0) event.preventDefault();
  });
}

// --- Rooms -----------------------------------------------------------------------------------

/**
 * Wires the room form and the address bar (the back button, a room typed after the `#`) to
 * {@link joinRoom}, then joins the room the page was opened with.
 */
function wireRoomNavigation(chat: Chat): void {
  /** The page URL the room last followed, so one change is handled once. */
  let followedUrl = window.location.href;

  roomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (joinRoom(chat, roomInput.value)) showRoomUrl(chat, 'push');
    else roomInput.focus();
    followedUrl = window.location.href;
  });

  // Both events may fire for one change; the second must not undo what the first showed.
  const followUrl = (): void => {
    if (window.location.href === followedUrl) return;
    const joined = joinRoom(chat, roomNameFromUrl(window.location.href));
    // A room the page refused to switch to: the address bar goes back to the room it is in.
    showRoomUrl(chat, 'replace');
    followedUrl = window.location.href;
    if (!joined) roomInput.focus();
  };
  window.addEventListener('hashchange', followUrl);
  window.addEventListener('popstate', followUrl);

  if (joinRoom(chat, roomNameFromUrl(window.location.href))) showRoomUrl(chat, 'replace');
  followedUrl = window.location.href;
}

/**
 * Moves the page to the room named `raw` (from the room field or the URL): checks the name,
 * clears the list and connects. Returns whether the page is now in that room.
 */
function joinRoom(chat: Chat, raw: string): boolean {
  const check = checkRoomName(raw);
  if (!check.ok) {
    // No valid room yet (the page was opened with a bad one): nothing to connect to.
    if (chat.session === undefined) showNoRoom();
    return refuseRoom(check.message, raw);
  }
  if (chat.session?.room === check.room) {
    showRoomAccepted(check.room);
    return true;
  }
  const waiting = chat.connection.pendingCount;
  if (waiting > 0 && chat.session !== undefined) {
    return refuseRoom(stillSendingProblem(waiting, chat.session.room), raw);
  }
  enterRoom(chat, check.room);
  return true;
}

/** Starts a session in `room`: an empty list and title count, the room's name, and a connection. */
function enterRoom(chat: Chat, room: string): void {
  chat.session = new RoomSession(
    room,
    messages,
    {
      messageArrived() {
        unread.messageArrived();
        showTitle();
      },
      presenceChanged(count) {
        presence.textContent = `${count} ${count === 1 ? 'person' : 'people'} here`;
        presence.hidden = false;
      },
    },
    chat.connection,
    windowTimers,
    () => signedInPerson()?.senderId,
  );
  messages.clear();
  unread.reset();
  titleBase = room === defaultRoom ? appName : `#${room} · ${appName}`;
  showTitle();
  roomTitle.textContent = `#${room}`;
  presence.hidden = true;
  showRoomAccepted(room);
  setChatControlsEnabled(true);
  chat.connection.changeUrl(websocketUrlForRoom(chat.config.websocketUrl, room));
}

/** Why the page stays in `room` while `waiting` messages are still to be sent there. */
function stillSendingProblem(waiting: number, room: string): string {
  return `${waiting === 1 ? 'A message is' : `${waiting} messages are`} still waiting to be sent to #${room}. Switch rooms once ${waiting === 1 ? 'it is' : 'they are'} sent.`;
}

/** The header and the controls of a page that has no valid room to be in. */
function showNoRoom(): void {
  showStatus('Not connected: choose a room', 'offline');
  roomTitle.textContent = 'No room';
  setChatControlsEnabled(false);
}

/** The room field holds `room`, with no problem under it. */
function showRoomAccepted(room: string): void {
  roomInput.value = room;
  roomInput.setAttribute('aria-invalid', 'false');
  roomError.textContent = '';
}

/** Shows a room problem under the room field, and returns false. */
function refuseRoom(problem: string, typed: string): false {
  roomInput.value = typed;
  roomInput.setAttribute('aria-invalid', 'true');
  roomError.textContent = problem;
  return false;
}

/** The address bar and the share link name the current room, lower-case. */
function showRoomUrl(chat: Chat, mode: 'push' | 'replace'): void {
  if (chat.session === undefined) return;
  const url = pageUrlForRoom(window.location.href, chat.session.room);
  roomLink.href = url;
  if (url === window.location.href) return;
  if (mode === 'push') window.history.pushState(null, '', url);
  else window.history.replaceState(null, '', url);
}

// --- Sending ---------------------------------------------------------------------------------

/** Wires the composer: each accepted draft is shown at once and sent with an id of its own. */
function wireSending(chat: Chat): void {
  wireComposer(
    {
      form: requireElement('composer', HTMLFormElement),
      draft: draftInput,
      count: requireElement('draft-count', HTMLElement),
      error: requireElement('draft-error', HTMLElement),
    },
    chat.config.maxMessageLength,
    (text) => {
      const nameProblem = checkNameField();
      if (nameProblem !== undefined) return nameProblem;
      if (chat.session === undefined) return 'Choose a room first.';
      sendMessage(chat.connection, chat.session, text);
      return undefined;
    },
  );
}

/**
 * Shows `text` as the sender's own message and sends it into `session`'s room, with a client id
 * of its own: every attempt to send it carries that id, so the room accepts it once.
 */
function sendMessage(connection: ChatConnection, session: RoomSession, text: string): void {
  const clientId = newClientId();
  // Shown at once: the backend sends a message to everyone except its sender.
  session.showOwn(clientId, {
    senderName: displayName(),
    senderGravatar,
    text,
    sentAt: new Date(),
  });
  // Signed in, the server names the sender and reads no name from the frame.
  const typedName = signIn === undefined ? nameInput.value : '';
  connection.send({
    clientId,
    frame: buildChatFrame(text, typedName, senderGravatar, clientId),
  });
}

// --- Sign-in ---------------------------------------------------------------------------------

/**
 * Starts the chat with sign-in: loads the OpenID Connect client (a chunk of its own), finds out
 * who is signed in (completing a sign-in or sign-out that has just come back), puts the address
 * bar back to the room, then starts the chat, which connects only while someone is signed in.
 */
async function startWithSignIn(config: ChatConfig, auth: AuthConfig): Promise<void> {
  nameField.hidden = true;
  accountBox.hidden = false;
  setChatControlsEnabled(false);
  // PKCE and the token requests need Web Crypto, which browsers offer only in secure contexts.
  if (!window.isSecureContext) {
    refuseToStart(
      'Sign-in needs this page to be served over HTTPS.',
      'This chat signs you in, and browsers allow that only on HTTPS: open the page at its https:// address.',
    );
    return;
  }
  const pageUrl = window.location.href;
  let session: SignInSession;
  try {
    const { createSignInSession } = await import('./signed-in-chat.ts');
    session = createSignInSession(auth, pageUrl, windowTimers, signInChanged);
  } catch {
    refuseToStart(
      'Sign-in did not load.',
      'The sign-in part of this page did not load. Reload the page to try again.',
    );
    return;
  }
  signIn = session;
  showSignIn(session.state);
  accountButton.addEventListener('click', () => accountButtonClicked(session));

  const callback = callbackKind(pageUrl);
  const returnTo = await session.start(pageUrl, callback);
  // The issuer's parameters go; after signing in, the room the person signed in from comes back.
  if (callback === 'sign-in') {
    window.history.replaceState(null, '', returnAddress(returnTo, pageUrl));
  } else if (callback === 'sign-out') {
    window.history.replaceState(null, '', withoutCallbackParameters(pageUrl));
  }
  startChat(config);
  // Why nobody is signed in (an expired sign-in, a failed one), in the room's conversation.
  const note = describeAccount(session.state).note;
  if (note !== undefined) messages.appendSystem(note, 'error');
}

/** The account button: signs in, or signs out (closing the connection first). */
function accountButtonClicked(session: SignInSession): void {
  if (session.state.kind === 'signed-in') {
    activeChat?.connection.disconnect();
    void session.signOut();
  } else if (session.state.kind === 'signed-out') {
    void session.signIn(window.location.href);
  }
}

/** Sign-in moved on: the profile, the controls and the header follow. */
function signInChanged(state: SignInState): void {
  showSignIn(state);
  const connection = activeChat?.connection;
  // Before the chat starts, the room's empty list is yet to come: startWithSignIn says it then.
  if (connection === undefined) return;
  const note = describeAccount(state).note;
  if (note !== undefined) messages.appendSystem(note, 'error');
  // Signed out by itself (the token could not be renewed): the open connection goes too.
  if (state.kind === 'signed-out' && connection.state.kind !== 'disconnected') {
    connection.disconnect();
  } else {
    showConnectionState(connection.state);
  }
}

/** The profile's account line and button, the avatar, and the controls for `state`. */
function showSignIn(state: SignInState): void {
  const view = describeAccount(state);
  if (view.name === undefined) {
    accountText.textContent = view.text;
  } else {
    const name = document.createElement('strong');
    name.className = 'account-name';
    name.textContent = view.name;
    accountText.replaceChildren(`${view.text} `, name);
  }
  accountButton.hidden = view.action === undefined;
  if (view.action !== undefined) accountButton.textContent = view.action;
  if (view.status !== undefined && activeChat === undefined) {
    showStatus(view.status.label, view.status.tone);
  }
  profileAvatar.replaceChildren(createAvatar(displayName(), senderGravatar));
  setChatControlsEnabled(roomChosen);
}

/** The page cannot start: says why in the header and the conversation, and keeps the controls off. */
function refuseToStart(status: string, explanation: string): void {
  accountText.textContent = status;
  messages.appendSystem(explanation, 'error');
  showStatus('Not available', 'offline');
  setChatControlsEnabled(false);
}

// --- Start -----------------------------------------------------------------------------------

/** `config.js` as the page needs it, or what is wrong with it. */
function loadConfig(): { config: ChatConfig } | { problem: string } {
  try {
    return { config: readChatConfig(window.CHAT_CONFIG) };
  } catch (error) {
    // A sign-in setting names the key that is wrong; anything else is a missing file or URL.
    const problem =
      error instanceof ConfigError && error.message.startsWith('config.js: auth')
        ? error.message
        : 'config.js did not load or has no WebSocket URL';
    return { problem };
  }
}

const loaded = loadConfig();
if ('problem' in loaded) {
  messages.appendSystem(`This page is not configured: ${loaded.problem}.`, 'error');
  showStatus('Not configured', 'offline');
  setChatControlsEnabled(false);
} else if (loaded.config.auth === undefined) {
  startChat(loaded.config);
} else {
  startWithSignIn(loaded.config, loaded.config.auth).catch(() =>
    refuseToStart(
      'Sign-in failed to start.',
      'Sign-in failed to start. Reload the page to try again.',
    ),
  );
}
