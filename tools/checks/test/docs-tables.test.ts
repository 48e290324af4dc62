/**
 * The variable and output tables of docs/configuration.md against terraform/variables.tf and
 * outputs.tf: the same names, and each variable's default as Terraform declares it. The .tf files
 * are the source; the docs say the same in a reader's words. (The files are `terraform fmt` clean, checked by
 * `npm run test:terraform`, so one block per variable with `default = …` on one line.)
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { declaredVariables } from '../../../scripts/lib/terraform.ts';

const root = new URL('../../../', import.meta.url);
const configurationDoc = await readFile(new URL('docs/configuration.md', root), 'utf8');
const variablesTf = await readFile(new URL('terraform/variables.tf', root), 'utf8');
const outputsTf = await readFile(new URL('terraform/outputs.tf', root), 'utf8');

/** The first column (a `name` in backticks) and the second of each row of the table after `heading`. */
function tableRows(markdown: string, heading: string): Map<string, string> {
  const start = markdown.indexOf(heading);
  expect(start, `docs/configuration.md has "${heading}"`).toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string>();
  const lines = markdown.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((line) => line.startsWith('|')));
  for (const line of table) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name !== undefined) rows.set(name, cells[2] ?? '');
  }
  return rows;
}

/** How the docs write an HCL default: strings without their quotes, the rest as written. */
function asDocumentedDefault(hcl: string): string {
  return `\`${/^"(.*)"$/.exec(hcl)?.[1] ?? hcl}\``;
}

describe('docs/configuration.md variables table', () => {
  const declared = declaredVariables(variablesTf);
  const documented = tableRows(configurationDoc, '## Variables');

  it('lists exactly the variables terraform/variables.tf declares', () => {
    expect(declared.length).toBeGreaterThan(10);
    expect([...documented.keys()].sort()).toEqual(declared.map((variable) => variable.name).sort());
  });

  it.each(declared.map((variable) => [variable.name, variable] as const))(
    'gives %s its declared default',
    (_name, variable) => {
      expect(variable.defaultValue, 'every variable is optional').toBeDefined();
      const cell = documented.get(variable.name) ?? '';
      // A null default is followed by what it means, e.g. "`null`: 2000".
      expect(cell.startsWith(asDocumentedDefault(variable.defaultValue as string)), cell).toBe(
        true,
      );
      if (variable.defaultValue !== 'null')
        expect(cell).toBe(asDocumentedDefault(variable.defaultValue as string));
    },
  );

  it('has a type and a description for every variable (HashiCorp style)', () => {
    expect(declared.filter((variable) => !variable.hasType || !variable.hasDescription)).toEqual(
      [],
    );
  });
});

describe('docs/configuration.md outputs table', () => {
  it('lists exactly the outputs terraform/outputs.tf declares, each described there', () => {
    const blocks = [...outputsTf.matchAll(/^output "([a-z0-9_]+)" \{\n([\s\S]*?)^\}/gm)];
    expect(blocks.filter((block) => !/^ {2}description = "/m.test(block[2] ?? ''))).toEqual([]);
    const documented = tableRows(configurationDoc, '## Outputs');
    expect([...documented.keys()].sort()).toEqual(blocks.map((block) => block[1]).sort());
  });
});
