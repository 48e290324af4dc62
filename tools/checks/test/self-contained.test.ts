/**
 * The repository stands on its own: no file points at documents outside it, or at a path of the
 * machine it was written on. What the code relies on is in docs/, with links to public pages.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SKIPPED = new Set(['.git', 'node_modules', 'dist', '.terraform', 'test-results']);
const TEXT = /\.(ts|mjs|js|json|md|tf|hcl|tftpl|html|css|sh|yml|yaml)$|^[^.]+$/;

/**
 * Pointers out of the repository, spelled so this file does not match itself: the team's
 * reference notes (by a relative path or by section), and the folders of the machine this was
 * written on.
 */
const OUTSIDE = [
  new RegExp(['\\.\\.', 'shared', ''].join('/')),
  new RegExp(['reference', '§'].join(' ')),
  new RegExp(['', 'work', ''].join('/')),
];

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile() && TEXT.test(entry.name)) yield path;
  }
}

describe('the repository', () => {
  it('points at nothing outside itself', async () => {
    // Act
    const found: string[] = [];
    for await (const path of files(REPO_ROOT)) {
      const lines = (await readFile(path, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (OUTSIDE.some((pattern) => pattern.test(line))) {
          found.push(`${relative(REPO_ROOT, path)}:${index + 1}: ${line.trim()}`);
        }
      });
    }
    // Assess
    expect(found).toEqual([]);
  });
});
