/**
 * Which of the deploy's arguments are Terraform variables (variableArgs); reading the settings
 * through the real Terraform is in test/integration/deploy/settings.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { variableArgs } from '../../deploy/settings.ts';

describe('variableArgs', () => {
  it('keeps only variables, in both spellings, and drops everything else', () => {
    expect(
      variableArgs([
        '-auto-approve',
        '-var',
        'aws_region=eu-west-1',
        '-var=enable_https=true',
        '-var-file',
        'prod.tfvars',
        '--var-file=more.tfvars',
        '-parallelism=2',
        '-var',
      ]),
    ).toEqual([
      '-var',
      'aws_region=eu-west-1',
      '-var=enable_https=true',
      '-var-file',
      'prod.tfvars',
      '--var-file=more.tfvars',
    ]);
  });
});
