import { describe, expect, it } from 'vitest';
import type { ProcessEntry } from '../../src/common/process-memory.ts';
import { parseProcStatus, readTreeMemory, selectTree } from '../../src/common/process-memory.ts';

describe('parseProcStatus', () => {
  it('reads the name, even with spaces and parentheses, the parent and VmRSS in bytes', () => {
    // Prepare
    const status = 'Name:\tnode (worker) x\nState:\tS\nPPid:\t4200\nVmRSS:\t  123456 kB\n';

    // Act
    const entry = parseProcStatus(4242, status);

    // Assess
    expect(entry).toEqual({
      pid: 4242,
      parentPid: 4200,
      command: 'node (worker) x',
      rssBytes: 123456 * 1024,
    });
  });

  it('counts no memory for a kernel thread and rejects text that is not a status file', () => {
    // Act / Assess
    expect(parseProcStatus(2, 'Name:\tkthreadd\nPPid:\t0\n')?.rssBytes).toBe(0);
    expect(parseProcStatus(1, 'garbage')).toBeUndefined();
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

describe('readTreeMemory', () => {
  it.runIf(process.platform === 'linux')(
    'measures this very process on Linux, with no containers in it',
    () => {
      // Act
      const memory = readTreeMemory(process.pid);

      // Assess: at least the heap this process already uses
      expect(memory?.totalBytes).toBeGreaterThan(process.memoryUsage().heapUsed / 2);
      expect(memory).toMatchObject({ containerBytes: 0, containers: 0 });
    },
  );
});
