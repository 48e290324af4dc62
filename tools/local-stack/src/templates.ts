/**
 * A renderer for the subset of Terraform's `templatefile()` our templates use, so the local stack
 * renders `frontend/*.tftpl` exactly as Terraform does on AWS: `${name}`, `${jsonencode(name)}`
 * and the `$${` / `%%{` escapes. Anything else throws, so a template can never silently render
 * differently here than on AWS. A test compares the output byte for byte with real Terraform.
 */

/** Values a template variable may hold (what our templates pass). */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

/** Thrown for template syntax outside the supported subset or a missing variable. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/**
 * Renders `template` with `variables` as Terraform's `templatefile()` would.
 *
 * @throws TemplateError on unsupported syntax, unknown variables or non-string `${name}` values.
 */
export function renderTemplate(
  template: string,
  variables: Readonly<Record<string, TemplateValue>>,
): string {
  const sequence = /\$\$\{|%%\{|\$\{([^}]*)\}|%\{|\$\{/g;
  return template.replace(sequence, (match: string, inner: string | undefined): string => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    if (inner === undefined) throw new TemplateError(`Unsupported template sequence: ${match}`);
    const expression = inner.trim();
    const call = /^jsonencode\(\s*([A-Za-z_][\w-]*)\s*\)$/.exec(expression);
    if (call?.[1] !== undefined) return terraformJsonEncode(lookUp(variables, call[1]));
    if (/^[A-Za-z_][\w-]*$/.test(expression)) {
      const value = lookUp(variables, expression);
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new TemplateError(`\${${expression}} is not a string; use jsonencode()`);
    }
    throw new TemplateError(`Unsupported template interpolation: \${${inner}}`);
  });
}

/**
 * JSON exactly as Terraform's `jsonencode` writes it: object keys sorted, no whitespace, and Go's
 * HTML-safe escaping of `<`, `>`, `&`, U+2028 and U+2029 (so the output is safe inside `<script>`).
 */
export function terraformJsonEncode(value: TemplateValue): string {
  return JSON.stringify(sortKeys(value)).replace(
    /[<>&\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function lookUp(variables: Readonly<Record<string, TemplateValue>>, name: string): TemplateValue {
  if (!Object.hasOwn(variables, name))
    throw new TemplateError(`Unknown template variable: ${name}`);
  return variables[name] as TemplateValue;
}

function sortKeys(value: TemplateValue): TemplateValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const object = value as { readonly [key: string]: TemplateValue };
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, sortKeys(object[key] as TemplateValue)]),
    );
  }
  return value;
}
