/**
 * Listening and closing for the stack's servers, with the one error a user can act on made clear:
 * a port taken by another program, named with the flag that moves it.
 */
import type { Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';

/** A port the stack listens on, and the `npm start` flag that chooses it. */
export interface PortRequest {
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly flag: string;
}

/** Ports the stack needs are taken by other programs; the message names each with its flag. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly ports: readonly PortRequest[]) {
    super(describeBusyPorts(ports));
  }
}

function describeBusyPorts(ports: readonly PortRequest[]): string {
  const [only] = ports;
  if (ports.length === 1 && only !== undefined) {
    return (
      `Port ${only.port} on ${only.host} is already in use. Stop the program using it or choose ` +
      `another port with ${only.flag} (0 picks a free one).`
    );
  }
  const list = ports.map(({ host, port, flag }) => `${port} on ${host} (${flag})`).join(', ');
  return (
    `${ports.length} ports are already in use: ${list}. Stop the programs using them or choose ` +
    'other ports with those flags (0 picks a free one).'
  );
}

/**
 * Tries each port of `requests` before the stack starts anything, so that one run names every
 * port that is taken rather than the first. Ports of 0 are skipped: any free one will do. Only
 * "in use" counts here; any other failure (an address this machine lacks) is left for the real
 * listen to report.
 *
 * @throws PortInUseError naming every port that is taken
 */
export async function requireFreePorts(requests: readonly PortRequest[]): Promise<void> {
  const busy: PortRequest[] = [];
  // One at a time: two probes of the same port must not see each other as the program using it.
  for (const request of requests) {
    if (request.port !== 0 && (await isPortInUse(request.host, request.port))) busy.push(request);
  }
  if (busy.length > 0) throw new PortInUseError(busy);
}

/** Whether listening on `host:port` fails because something else listens there. */
function isPortInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    probe.listen(port, host, () => probe.close(() => resolve(false)));
  });
}

/**
 * Listens on `host:port` (0 = a free port) and returns the bound port.
 *
 * @throws PortInUseError when the port is taken; `flag` names the CLI option that sets it.
 */
export function listen(server: Server, host: string, port: number, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError([{ host, port, flag }]) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Closes `server`: idle keep-alive connections at once, then waits up to `graceMs` for requests in
 * flight (dynalite throws if its store closes under a running request) before cutting the rest.
 */
export function closeServer(server: Server, graceMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
