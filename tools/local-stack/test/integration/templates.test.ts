// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Terraform templates, not JavaScript ones
/**
 * The local template renderer against real Terraform: `config.js` and `index.html` must come out
 * byte for byte as `templatefile()` renders them on AWS, hostile values included.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTerraform,
  runTerraform,
  TERRAFORM_INSTALL_HINT,
  terraformEnvironment,
} from '../../../../scripts/lib/terraform.ts';
import { describeWithTool } from '../../../../scripts/test/support/needs-tool.ts';
import { renderTemplate, TemplateError, terraformJsonEncode } from '../../src/templates.ts';

const FRONTEND = fileURLToPath(new URL('../../../../frontend/', import.meta.url));
const CONFIG_TEMPLATE = join(FRONTEND, 'config.js.tftpl');
const INDEX_TEMPLATE = join(FRONTEND, 'index.html.tftpl');
const CSP_TEMPLATE = join(FRONTEND, 'content-security-policy.tftpl');

/** Values a careless renderer would break: quotes, a closing script tag, HTML, Unicode. */
const HOSTILE_URL =
  `wss://example.com/prod?q="quoted"&x='single'</script><script>alert(1)</script>` +
  '<!-- \\ back\\slash \n newline \t tab \u2028\u2029 ünïcødé 😀 ${not} %{if} \u0001\u001f';

const CASES = [
  { websocketUrl: 'ws://127.0.0.1:3001/prod', maxMessageLength: 2000 },
  { websocketUrl: HOSTILE_URL, maxMessageLength: 1 },
];

describe('renderTemplate', () => {
  it('renders ${name}, ${jsonencode(name)} and the $${ escape', () => {
    // Act
    const output = renderTemplate('a=${ name } b=${jsonencode(value)} c=$${literal} d=%%{x}', {
      name: 'N',
      value: { z: 1, a: ['<&>'] },
    });
    // Assess
    expect(output).toBe('a=N b={"a":["\\u003c\\u0026\\u003e"],"z":1} c=${literal} d=%{x}');
  });

  it.each([
    ['an attribute access', '${config.websocketUrl}'],
    ['another function', '${upper(name)}'],
    ['a directive', '%{ if name != "" }x%{ endif }'],
    ['an unknown variable', '${missing}'],
    ['an object without jsonencode', '${config}'],
  ])('throws on %s', (_name, template) => {
    expect(() => renderTemplate(template, { name: 'n', config: { a: 'b' } })).toThrow(
      TemplateError,
    );
  });

  it('escapes like Go: <, >, &, U+2028 and U+2029, with sorted keys', () => {
    expect(terraformJsonEncode({ b: '</script>&', a: '\u2028\u2029' })).toBe(
      '{"a":"\\u2028\\u2029","b":"\\u003c/script\\u003e\\u0026"}',
    );
  });
});

const terraform = await findTerraform();

describeWithTool(
  'templates compared with terraform',
  terraform,
  `terraform not found. ${TERRAFORM_INSTALL_HINT}`,
  (tool) => {
    let workDir: string;
    let rendered: { configJs: string[]; indexHtml: string[] } | undefined;
    const hasIndexTemplate = existsSync(INDEX_TEMPLATE);

    beforeAll(async () => {
      workDir = await mkdtemp(join(tmpdir(), 'local-templates-'));
      const outputs = CASES.flatMap((_values, index) => [
        `output "config_js_${index}" {`,
        `  value = templatefile(${JSON.stringify(CONFIG_TEMPLATE)}, { config = var.cases[${index}] })`,
        '}',
        ...(hasIndexTemplate
          ? [
              // As terraform/website.tf composes them: the policy, trimmed, into the meta tag.
              `output "index_html_${index}" {`,
              `  value = templatefile(${JSON.stringify(INDEX_TEMPLATE)}, {`,
              `    content_security_policy = trimspace(templatefile(${JSON.stringify(CSP_TEMPLATE)}, { connect_sources = var.cases[${index}].websocketUrl }))`,
              '  })',
              '}',
            ]
          : []),
      ]);
      await writeFile(
        join(workDir, 'main.tf'),
        [
          'variable "cases" {',
          '  type = list(object({ websocketUrl = string, maxMessageLength = number }))',
          '}',
          ...outputs,
          '',
        ].join('\n'),
      );
      await writeFile(join(workDir, 'cases.tfvars.json'), JSON.stringify({ cases: CASES }));
      const env = await terraformEnvironment(tool, workDir);
      const run = async (args: string[]): Promise<string> => {
        const result = await runTerraform(tool, args, { cwd: workDir, env });
        if (result.exitCode !== 0) throw new Error(`terraform ${args[0]} failed: ${result.stderr}`);
        return result.stdout;
      };
      await run(['init', '-input=false']);
      await run(['apply', '-input=false', '-auto-approve', '-var-file=cases.tfvars.json']);
      const json = JSON.parse(await run(['output', '-json'])) as Record<string, { value: string }>;
      rendered = {
        configJs: CASES.map((_, index) => json[`config_js_${index}`]?.value ?? ''),
        indexHtml: CASES.map((_, index) => json[`index_html_${index}`]?.value ?? ''),
      };
    }, 120_000);

    afterAll(async () => {
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    });

    it.each(CASES.map((values, index) => [index, values] as const))(
      'renders config.js like terraform (case %i)',
      async (index, values) => {
        // Act
        const local = renderTemplate(await readFile(CONFIG_TEMPLATE, 'utf8'), { config: values });
        // Assess
        expect(rendered?.configJs[index]).toMatch(/window\.CHAT_CONFIG/);
        expect(local).toBe(rendered?.configJs[index]);
      },
    );

    it.runIf(hasIndexTemplate).each(CASES.map((values, index) => [index, values] as const))(
      'renders index.html like terraform (case %i)',
      async (index, values) => {
        const policy = renderTemplate(await readFile(CSP_TEMPLATE, 'utf8'), {
          connect_sources: values.websocketUrl,
        }).trim();
        const local = renderTemplate(await readFile(INDEX_TEMPLATE, 'utf8'), {
          content_security_policy: policy,
        });
        expect(rendered?.indexHtml[index]).toContain(`connect-src ${values.websocketUrl};`);
        expect(local).toBe(rendered?.indexHtml[index]);
      },
    );
  },
);
