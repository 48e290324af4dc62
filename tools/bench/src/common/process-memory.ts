/**
 * Resident memory of a process and everything it started (Lambda workers, if the stack runs them
 * as processes), read from Linux's /proc. Measured from outside, so the load generator's own
 * 1,000 client sockets never count towards the server's figure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { sum } from './report.ts';

/** One process as /proc describes it. */
export interface ProcessEntry {
  readonly pid: number;
  readonly parentPid: number;
  readonly command: string;
  /** 0 for processes without memory of their own (kernel threads, zombies). */
  readonly rssBytes: number;
}

/**
 * Names of helper processes that belong to the tooling, not to the measured server: tsx loads
 * TypeScript through an esbuild service process, which a user's deployment would not run.
 */
const EXCLUDED_COMMANDS = new Set(['esbuild']);

/**
 * Parses a `/proc/<pid>/status` text: its name, parent and VmRSS (in kB whatever the page size).
 * @param pid - the process the text belongs to
 * @param status - the file's content
 * @returns the entry, or undefined when the text lacks a name or a parent
 */
export function parseProcStatus(pid: number, status: string): ProcessEntry | undefined {
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1];
  const command = field('Name');
  const parentPid = Number(field('PPid'));
  if (command === undefined || !Number.isInteger(parentPid)) return undefined;
  const rssKilobytes = /^(\d+) kB$/.exec(field('VmRSS') ?? '')?.[1];
  return { pid, parentPid, command, rssBytes: Number(rssKilobytes ?? 0) * 1024 };
}

/**
 * Finds a process and all its descendants.
 * @param rootPid - the tree's root
 * @param entries - every process on the machine
 * @returns the tree's members, tooling processes (esbuild) left out; empty if the root is gone
 */
export function selectTree(rootPid: number, entries: readonly ProcessEntry[]): ProcessEntry[] {
  const childrenOf = new Map<number, ProcessEntry[]>();
  for (const entry of entries) {
    const siblings = childrenOf.get(entry.parentPid) ?? [];
    siblings.push(entry);
    childrenOf.set(entry.parentPid, siblings);
  }
  const root = entries.find((entry) => entry.pid === rootPid);
  const members: ProcessEntry[] = [];
  const pending: ProcessEntry[] = root === undefined ? [] : [root];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    if (!EXCLUDED_COMMANDS.has(entry.command)) members.push(entry);
    pending.push(...(childrenOf.get(entry.pid) ?? []));
  }
  return members;
}

/** A process tree's resident memory, and the part its Lambda containers hold. */
export interface TreeMemory {
  readonly totalBytes: number;
  /** The local stack's Lambda containers (child processes running lambda-container.mjs). */
  readonly containerBytes: number;
  readonly containers: number;
}

/**
 * Reads the resident memory of a process tree from /proc.
 * @param rootPid - the process to measure
 * @returns the tree's bytes and its containers' share, or undefined where /proc is unavailable
 *   (macOS, Windows)
 */
export function readTreeMemory(rootPid: number): TreeMemory | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const entries: ProcessEntry[] = [];
  for (const pid of pids) {
    try {
      const entry = parseProcStatus(Number(pid), readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (entry !== undefined) entries.push(entry);
    } catch {
      // The process ended between listing and reading: it has no memory left to count.
    }
  }
  const members = selectTree(rootPid, entries);
  if (members.length === 0) return undefined;
  const containers = members.filter((member) => isLambdaContainer(member.pid));
  const rss = (list: readonly ProcessEntry[]): number => sum(list.map((entry) => entry.rssBytes));
  return {
    totalBytes: rss(members),
    containerBytes: rss(containers),
    containers: containers.length,
  };
}

function isLambdaContainer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('lambda-container');
  } catch {
    return false;
  }
}
