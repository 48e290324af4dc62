/**
 * A suite that needs a tool from outside npm (Terraform, a provider mirror...): it runs when the
 * tool was found; otherwise it shows as one skipped test whose name says what to install, and
 * under CI=true it fails instead, so a missing tool never passes unnoticed.
 */
import { describe, it } from 'vitest';

/**
 * Declares the suite `name` around `body`, given what looking for the tool found.
 * @param name - the suite's name
 * @param tool - what was found, or null when nothing was
 * @param missing - what is missing and how to install it, shown in the skip or the CI failure
 * @param body - declares the tests, given the tool
 */
export function describeWithTool<T>(
  name: string,
  tool: T | null,
  missing: string,
  body: (tool: T) => void,
): void {
  describe(name, () => {
    if (tool !== null) {
      body(tool);
    } else if (process.env.CI === 'true') {
      it('has the tool it needs (under CI=true a missing tool is a failure)', () => {
        throw new Error(missing);
      });
    } else {
      it.skip(`skipped: ${missing}`, () => {});
    }
  });
}
