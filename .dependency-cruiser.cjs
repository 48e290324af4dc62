/**
 * The house rules for imports, checked by `npm run check` (dependency-cruiser):
 * the product (backend/src, frontend/src, contract/) is the ground floor and imports no tool;
 * the page and the function meet only in contract/; no file imports itself back through others.
 * Tests may import anything they exercise.
 */
const PRODUCT = '^(backend/src|frontend/src)/|^contract/[^/]+$';
const TEST = '(^|/)test/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports: give what both sides need a module of its own.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'product-imports-no-tool',
      comment: 'The product never imports the scripts, the tools or tests; they import it.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: ['^(scripts|tools)/', TEST] },
    },
    {
      name: 'contract-is-the-ground',
      comment: 'contract/ holds shared facts and rules: it imports nothing of the repository.',
      severity: 'error',
      from: { path: '^contract/[^/]+$' },
      to: { path: '^(backend|frontend|scripts|tools)/' },
    },
    {
      name: 'page-and-function-meet-in-contract',
      comment: 'The page and the function share only what contract/ holds.',
      severity: 'error',
      from: { path: '^(frontend/src|contract|scripts)/', pathNot: TEST },
      to: { path: '^backend/' },
    },
    {
      name: 'function-knows-no-page',
      severity: 'error',
      from: { path: '^backend/src/' },
      to: { path: '^frontend/' },
    },
    {
      name: 'scripts-import-no-tool',
      comment: 'The commands a user runs (build, deploy) never depend on the development tools.',
      severity: 'error',
      from: { path: '^scripts/', pathNot: TEST },
      to: { path: '^tools/' },
    },
    {
      name: 'local-stack-stands-alone',
      comment: 'The local stack serves the benchmarks and checks, never the other way round.',
      severity: 'error',
      from: { path: '^tools/local-stack/src/' },
      to: { path: '^tools/(bench|checks)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.terraform)/' },
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc parses instead.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
