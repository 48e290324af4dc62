/**
 * The cap on a person's open connections, at `$connect`: a new connection takes one of its
 * person's places (people.ts), or is refused when all are taken by connections that are really
 * open. So a lost `$disconnect` never locks anyone out: when the places are full, the ids holding
 * them are checked, and those that are not open any more are given up before the claim is tried
 * once more.
 *
 * - An id whose connection item is gone or past its TTL is free at once (one BatchGetItem).
 * - An id whose item is still there may belong to a connection whose `$disconnect` never came:
 *   `GetConnection` asks API Gateway (410 Gone: it is closed). These calls count against the
 *   account's API Gateway throttle, so a person's ids are asked about at most once a minute, and
 *   never about a connection less than 30 s old, which may still be in its own `$connect`
 *   (API Gateway answers 410 for it until `$connect` returns).
 *
 * A person in the overdraft of their budget (who kept sending while refused, and may just have
 * been disconnected for it) is refused too, until the overdraft has run down: a person who only
 * used up a burst is not.
 */

import type { ConnectionStore } from '../rooms/connection-store.ts';
import type { Admission } from '../rooms/membership.ts';
import type { People } from './people.ts';
import type { Person } from './person.ts';
import type { RateLimit } from './rate-limiter.ts';
import { isInOverdraft } from './rate-limiter.ts';

/** How often a full person's open connections are asked about. */
export const RECHECK_INTERVAL_MS = 60_000;
/** A connection younger than this may still be in its `$connect`: never asked about. */
export const SETTLING_MS = 30_000;

/** What an admission needs. */
export interface AdmissionDeps {
  readonly people: People;
  readonly store: Pick<ConnectionStore, 'states'>;
  readonly now: () => Date;
  /** Whether API Gateway says a connection is closed (GetConnection answered 410). */
  readonly isClosed: (connectionId: string) => Promise<boolean>;
  /** Forgets a closed connection whose item is still there (counts it out of its room). */
  readonly forgetClosed: (connectionId: string) => Promise<unknown>;
}

/** The person's settings. */
export interface AdmissionLimits {
  /** The most connections the person may have. */
  readonly maxConnections: number;
  /** The person's token bucket. */
  readonly rateLimit: RateLimit;
}

/**
 * Claims a place of the person for a connection whose item is stored.
 * @param deps - the people, the connections, the clock and API Gateway
 * @param person - the connection's person
 * @param connectionId - the new connection
 * @param limits - the cap and the person's bucket
 * @returns admitted (with what gives the place back), or refused: `too_many_connections`, or
 *   `over_budget`
 */
export async function admitConnection(
  deps: AdmissionDeps,
  person: Person,
  connectionId: string,
  limits: AdmissionLimits,
): Promise<Admission> {
  const now = deps.now();
  let claim = await deps.people.claimPlace(person.key, connectionId, now, limits.maxConnections);
  if (claim.kind === 'full') {
    const freed = await freePlaces(deps, person, claim.connectionIds, claim.checkedAt, now);
    if (freed === 0) return { admitted: false, outcome: 'too_many_connections' };
    claim = await deps.people.claimPlace(person.key, connectionId, now, limits.maxConnections);
    if (claim.kind === 'full') return { admitted: false, outcome: 'too_many_connections' };
  }
  const release = () => deps.people.releasePlaces(person.key, [connectionId]);
  if (isInOverdraft(claim.rateTat, limits.rateLimit, now)) {
    await release().catch(() => undefined);
    return { admitted: false, outcome: 'over_budget' };
  }
  return { admitted: true, release };
}

/**
 * Gives up the places of ids that are not open any more.
 * @returns how many places were freed
 */
async function freePlaces(
  deps: AdmissionDeps,
  person: Person,
  connectionIds: readonly string[],
  checkedAt: number | undefined,
  now: Date,
): Promise<number> {
  const states = await deps.store.states(connectionIds);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const free = connectionIds.filter((id) => {
    const state = states.get(id);
    return state === undefined || (state.expiresAt !== undefined && state.expiresAt <= nowSeconds);
  });
  let askedAt: Date | undefined;
  if (
    free.length === 0 &&
    (checkedAt === undefined || now.getTime() - checkedAt >= RECHECK_INTERVAL_MS)
  ) {
    askedAt = now;
    const settled = connectionIds.filter((id) => {
      const connectedAt = states.get(id)?.connectedAt;
      return connectedAt === undefined || now.getTime() - connectedAt >= SETTLING_MS;
    });
    const closed = await Promise.all(
      settled.map(async (id) => ((await deps.isClosed(id).catch(() => false)) ? id : undefined)),
    );
    for (const id of closed) {
      if (id === undefined) continue;
      free.push(id);
      // Its item is still there: forget it properly, so its room's count goes down too.
      await deps.forgetClosed(id).catch(() => undefined);
    }
  }
  if (free.length > 0 || askedAt !== undefined) {
    await deps.people.releasePlaces(person.key, free, askedAt);
  }
  return free.length;
}
