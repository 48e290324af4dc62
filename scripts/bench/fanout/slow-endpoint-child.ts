/**
 * Child-process entry for the fan-out benchmark's slow management endpoint: on AWS the
 * management API runs on other machines, so here it runs in its own process (another core on
 * the 2-core machine) instead of competing with the broadcaster for one event loop.
 *
 * argv[2]: delay in ms; argv[3]: stage. IPC in: `reset`, `counters`, `stop`; IPC out: `ready`
 * with the endpoint, `counters` with calls and peak in flight.
 */
import { startSlowManagementEndpoint } from './slow-management-endpoint.ts';

const delayMs = Number(process.argv[2]);
const stage = process.argv[3] ?? '';
const endpoint = await startSlowManagementEndpoint(delayMs, stage);

process.on('message', (message: unknown) => {
  const type =
    typeof message === 'object' && message !== null && 'type' in message ? message.type : undefined;
  if (type === 'reset') {
    endpoint.resetCounters();
    process.send?.({ type: 'reset-done' });
  } else if (type === 'counters') {
    process.send?.({
      type: 'counters',
      calls: endpoint.calls,
      peakInFlight: endpoint.peakInFlight,
    });
  } else if (type === 'stop') {
    void endpoint.stop().then(() => process.exit(0));
  }
});
// Never outlive the benchmark (e.g. after a second Ctrl-C).
process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {});
process.send?.({ type: 'ready', endpoint: endpoint.endpoint });
