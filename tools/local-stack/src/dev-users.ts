/**
 * The local issuer's dev users (`npm start -- --auth`): three made-up people, so two tabs can
 * chat as two people and a third can watch. They sign in with one click, without a password: the
 * issuer listens on this machine only, and the users exist nowhere else.
 */

/** A dev user: the claims the issuer puts in its ID tokens. */
export interface DevUser {
  /** What `npm run dev-token -- --user` and the login page call the user. */
  readonly username: string;
  /** The token's `sub`: stable, so the sender id is the same at every start. */
  readonly sub: string;
  /** The token's `name`, the display name the chat shows. */
  readonly name: string;
}

/** alice, bob and carol. */
export const DEV_USERS: readonly DevUser[] = Object.freeze([
  { username: 'alice', sub: 'dev-alice', name: 'Alice Liddell' },
  { username: 'bob', sub: 'dev-bob', name: 'Bob Builder' },
  { username: 'carol', sub: 'dev-carol', name: 'Carol Danvers' },
]);

/**
 * The dev user with this username or `sub`.
 * @param nameOrSub - `alice`, or `dev-alice`
 * @returns the user, or undefined
 */
export function devUser(nameOrSub: string): DevUser | undefined {
  return DEV_USERS.find((user) => user.username === nameOrSub || user.sub === nameOrSub);
}
