/**
 * The local stack runs the function as Terraform deploys it: memory (and so its CPU share),
 * timeout, and the shard queue's event source mapping. Terraform's variables are the source.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { declaredVariables } from '../../../scripts/lib/terraform.ts';
import { LOCAL_STACK_DEFAULTS } from '../src/defaults.ts';

const variablesTf = await readFile(
  new URL('../../../terraform/variables.tf', import.meta.url),
  'utf8',
);
const terraformDefault = (name: string): number => {
  const value = declaredVariables(variablesTf).find(
    (variable) => variable.name === name,
  )?.defaultValue;
  expect(value, `terraform/variables.tf declares ${name} with a default`).toBeDefined();
  return Number(value);
};

describe("the local stack's defaults", () => {
  it("are the function's memory, timeout and shard mapping that Terraform deploys", () => {
    expect({
      memoryMb: LOCAL_STACK_DEFAULTS.memoryMb,
      functionTimeoutMs: LOCAL_STACK_DEFAULTS.functionTimeoutMs,
      shardBatchSize: LOCAL_STACK_DEFAULTS.shardBatchSize,
      shardMaxConcurrency: LOCAL_STACK_DEFAULTS.shardMaxConcurrency,
    }).toEqual({
      memoryMb: terraformDefault('lambda_memory_mb'),
      functionTimeoutMs: terraformDefault('lambda_timeout_seconds') * 1000,
      shardBatchSize: terraformDefault('fanout_batch_size'),
      shardMaxConcurrency: terraformDefault('fanout_maximum_concurrency'),
    });
  });
});
