import { describe, expect, it } from 'vitest';
import contract from '../contract.json' with { type: 'json' };
import {
  LAMBDA_NODE_MAJOR,
  LAMBDA_RUNTIME,
  nodeMajorOf,
  nodeMajorOfRuntime,
} from '../lambda-runtime.ts';

describe('nodeMajorOfRuntime', () => {
  it('reads the major version of a Node.js runtime identifier', () => {
    expect(nodeMajorOfRuntime('nodejs22.x')).toBe(22);
    expect(nodeMajorOfRuntime('nodejs18.x')).toBe(18);
  });

  it('refuses what is not a Node.js runtime, naming it', () => {
    expect(() => nodeMajorOfRuntime('python3.12')).toThrow(
      "'python3.12' is not a Lambda Node.js runtime such as nodejs22.x",
    );
    expect(() => nodeMajorOfRuntime('nodejs22')).toThrow(/'nodejs22' is not/);
  });
});

describe('nodeMajorOf', () => {
  it('reads process.version and process.versions.node alike', () => {
    expect(nodeMajorOf('v22.23.3')).toBe(22);
    expect(nodeMajorOf('20.20.2')).toBe(20);
  });
});

describe("the function's runtime", () => {
  it('is the one contract.json names, which Terraform gives the function', () => {
    expect(LAMBDA_RUNTIME).toBe(contract.lambda.runtime);
    expect(LAMBDA_NODE_MAJOR).toBe(nodeMajorOfRuntime(contract.lambda.runtime));
  });
});
