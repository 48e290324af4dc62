/**
 * Lambda's CPU for a memory size, on this machine: each container process runs in its own
 * Linux control group whose CPU quota is the share of one vCPU Lambda gives that memory (one vCPU
 * at 1,769 MB, proportionally less below, up to six at 10,240 MB). That is what makes a broadcast
 * that would time out on a 256 MB function time out here too.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 *
 * Needs a writable cgroup `cpu` controller: cgroup v1 (`/sys/fs/cgroup/cpu`) or v2 (`cpu.max`),
 * as root on Linux. Elsewhere containers run at full CPU and the stack says why.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import contract from '../../../contract/contract.json' with { type: 'json' };

const ONE_VCPU_MEMORY_MB = contract.lambda.oneVcpuMemoryMb;

/** The CFS period the quota is a share of. */
const PERIOD_US = 100_000;

/**
 * Lambda's vCPU share for a memory size.
 * @param memoryMb - the function's memory
 * @returns vCPUs, e.g. 0.145 at 256 MB
 */
function vcpuShare(memoryMb: number): number {
  return Math.min(6, memoryMb / ONE_VCPU_MEMORY_MB);
}

/** Puts processes under one CPU share. */
export interface CpuLimiter {
  /** e.g. `0.14 vCPU (cgroup v1)`. */
  readonly description: string;
  /**
   * Moves a process (with all its threads) into a new group limited to the share.
   * @param pid - the process
   * @returns removes the group; call it once the process has exited
   */
  limit(pid: number): Promise<() => Promise<void>>;
}

/** A limiter, or why there can be none here. */
export type CpuLimiterSupport =
  | { readonly ok: true; readonly limiter: CpuLimiter }
  | { readonly ok: false; readonly reason: string };

const V1_ROOT = '/sys/fs/cgroup/cpu';
const V2_ROOT = '/sys/fs/cgroup';

/**
 * Finds out whether containers can be held to `memoryMb`'s CPU share here.
 * @param memoryMb - the function's memory
 * @returns the limiter, or the one-line reason there is none
 */
export async function cpuLimiterFor(memoryMb: number): Promise<CpuLimiterSupport> {
  if (process.platform !== 'linux') {
    return { ok: false, reason: `${process.platform} has no Linux control groups` };
  }
  const share = vcpuShare(memoryMb);
  const quotaUs = Math.max(1000, Math.round(PERIOD_US * share));
  const label = `${share.toFixed(2)} vCPU`;
  if (await writable(join(V1_ROOT, 'cgroup.procs'))) {
    return {
      ok: true,
      limiter: groupLimiter(`${label} (cgroup v1)`, V1_ROOT, async (dir) => {
        await writeFile(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        await writeFile(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
      }),
    };
  }
  const controllers = await readFile(join(V2_ROOT, 'cgroup.subtree_control'), 'utf8').catch(
    () => '',
  );
  if (controllers.split(/\s+/).includes('cpu') && (await writable(join(V2_ROOT, 'cgroup.procs')))) {
    return {
      ok: true,
      limiter: groupLimiter(`${label} (cgroup v2)`, V2_ROOT, (dir) =>
        writeFile(join(dir, 'cpu.max'), `${quotaUs} ${PERIOD_US}`),
      ),
    };
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    ok: false,
    reason: root
      ? 'no writable cgroup cpu controller (cgroup v1 /sys/fs/cgroup/cpu, or v2 with +cpu in cgroup.subtree_control)'
      : 'control groups need root',
  };
}

function groupLimiter(
  description: string,
  root: string,
  configure: (dir: string) => Promise<void>,
): CpuLimiter {
  return {
    description,
    async limit(pid) {
      const dir = join(root, `awsome-chat-${process.pid}-${randomBytes(4).toString('hex')}`);
      await mkdir(dir);
      await configure(dir);
      await writeFile(join(dir, 'cgroup.procs'), String(pid));
      // The container's exit and the stack's stop both release it: the group is removed once.
      let removal: Promise<void> | undefined;
      return () => {
        removal ??= removeGroup(dir);
        return removal;
      };
    },
  };
}

async function removeGroup(dir: string): Promise<void> {
  // The kernel refuses to remove a group until its last process is gone: retry briefly.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      await sleep(50);
    }
  }
}

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, 2 /* W_OK */);
    return true;
  } catch {
    return false;
  }
}
