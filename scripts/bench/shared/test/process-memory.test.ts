import { describe, expect, it } from 'vitest';
import type { ProcessEntry } from '../process-memory.ts';
import { parseProcStat, parseVmRss, readTreeRss, selectTree } from '../process-memory.ts';

describe('parseProcStat', () => {
  it('reads pid, parent, command and RSS, even with spaces and parentheses in the command', () => {
    // Prepare: fields after the command: state ppid pgrp session tty tpgid flags minflt cminflt
    // majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss
    const stat =
      '4242 (node (worker) x) S 4200 4242 4200 0 -1 4194560 1 0 0 0 5 1 0 0 20 0 11 0 100 1000000 2560 18446744073709551615';

    // Act
    const entry = parseProcStat(stat, 4096);

    // Assess
    expect(entry).toEqual({
      pid: 4242,
      parentPid: 4200,
      command: 'node (worker) x',
      rssBytes: 2560 * 4096,
    });
  });

  it('rejects text that is not a stat line', () => {
    // Act / Assess
    expect(parseProcStat('garbage', 4096)).toBeUndefined();
  });
});

describe('parseVmRss', () => {
  it('reads VmRSS in kB as bytes', () => {
    // Act / Assess
    expect(parseVmRss('Name:\tnode\nVmRSS:\t  123456 kB\nThreads:\t11\n')).toBe(123456 * 1024);
    expect(parseVmRss('Name:\tkthreadd\n')).toBeUndefined();
  });
});

describe('selectTree', () => {
  it('takes the root and all descendants, not siblings, and leaves esbuild out', () => {
    // Prepare
    const entry = (pid: number, parentPid: number, command = 'node'): ProcessEntry => ({
      pid,
      parentPid,
      command,
      rssBytes: pid,
    });
    const entries = [
      entry(1, 0, 'init'),
      entry(10, 1),
      entry(11, 10),
      entry(12, 11),
      entry(13, 10, 'esbuild'),
      entry(20, 1),
    ];

    // Act
    const tree = selectTree(10, entries).map((member) => member.pid);

    // Assess
    expect(tree.sort()).toEqual([10, 11, 12]);
    expect(selectTree(99, entries)).toEqual([]);
  });
});

describe('readTreeRss', () => {
  it.runIf(process.platform === 'linux')('measures this very process on Linux', () => {
    // Act
    const rss = readTreeRss(process.pid);

    // Assess: at least the heap this process already uses
    expect(rss).toBeGreaterThan(process.memoryUsage().heapUsed / 2);
  });
});
