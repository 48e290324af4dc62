/**
 * Resident memory of a process and everything it started (Lambda workers, if the stack runs them
 * as processes), read from Linux's /proc. Measured from outside, so the load generator's own
 * 1,000 client sockets never count towards the server's figure.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc describes it. */
export interface ProcessEntry {
  readonly pid: number;
  readonly parentPid: number;
  readonly command: string;
  readonly rssBytes: number;
}

/**
 * Names of helper processes that belong to the tooling, not to the measured server: tsx loads
 * TypeScript through an esbuild service process, which a user's deployment would not run.
 */
const EXCLUDED_COMMANDS = new Set(['esbuild']);

/**
 * Parses one `/proc/<pid>/stat` line.
 * @param stat - the file's content
 * @param pageSize - bytes per memory page
 * @returns the entry, or undefined when the line is not in the expected format
 */
export function parseProcStat(stat: string, pageSize: number): ProcessEntry | undefined {
  // The command sits in parentheses and may itself contain spaces or parentheses.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(stat.slice(0, open).trim());
  const command = stat.slice(open + 1, close);
  // After ")": state(3) ppid(4) ... rss is field 24, i.e. index 21 of the remaining fields.
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const parentPid = Number(fields[1]);
  const rssPages = Number(fields[21]);
  if (!Number.isInteger(pid) || !Number.isInteger(parentPid) || !Number.isFinite(rssPages)) {
    return undefined;
  }
  return { pid, parentPid, command, rssBytes: rssPages * pageSize };
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

/** Linux's usual page size; only a fallback, since VmRSS in /proc/<pid>/status is exact. */
const PAGE_SIZE = 4096;

/**
 * Reads VmRSS from a `/proc/<pid>/status` text, which is in kB whatever the page size.
 * @param status - the file's content
 * @returns bytes, or undefined when the line is missing (kernel threads, zombies)
 */
export function parseVmRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/**
 * Reads the resident memory of a process tree from /proc.
 * @param rootPid - the process to measure
 * @returns bytes, or undefined where /proc is unavailable (macOS, Windows)
 */
export function readTreeRss(rootPid: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const entries: ProcessEntry[] = [];
  for (const pid of pids) {
    try {
      const entry = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), PAGE_SIZE);
      if (entry !== undefined) entries.push(entry);
    } catch {
      // The process ended between listing and reading: it has no memory left to count.
    }
  }
  const members = selectTree(rootPid, entries);
  if (members.length === 0) return undefined;
  let total = 0;
  for (const member of members) {
    // VmRSS is exact in kB; the page count from stat assumes a page size.
    total += readExactRss(member.pid) ?? member.rssBytes;
  }
  return total;
}

function readExactRss(pid: number): number | undefined {
  try {
    return parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
