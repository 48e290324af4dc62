/** Small file-system helpers shared by the developer scripts. */
import { access } from 'node:fs/promises';

/**
 * Tells whether a file or folder exists (and is reachable), without throwing.
 * @param path - the path to check
 * @returns true when `access` succeeds
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
