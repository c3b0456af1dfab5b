/**
 * The direction of imports between Relais's folders (see the README's "Layout" section). `npm test` runs it and
 * fails on any wrong-way import or cycle. Tests and their fixtures may reach the test support of other folders.
 */
const TESTS = '(\\.test\\.ts$|\\.spec\\.ts$|/testing/|/testing\\.ts$|/test-support\\.ts$)';

/** A folder and the folders it must never import. */
const forbidden = (from, to, comment) => ({
  name: `${from}-not-to-${to.join('-')}`,
  comment,
  severity: 'error',
  from: { path: `^${from}/`, pathNot: TESTS },
  to: { path: `^(${to.join('|')})/` },
});

module.exports = {
  forbidden: [
    forbidden('domain', ['activities', 'workflows', 'temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'The domain is the core: types, rules and repositories only.'),
    forbidden('integrations', ['activities', 'workflows', 'temporal', 'app', 'dev', 'scripts', 'bench', 'e2e'], 'Adapters to the outside world know the domain, not who calls them.'),
    forbidden('workflows', ['temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'Workflow code is deterministic and bundled for the sandbox.'),
    {
      name: 'workflows-to-activities-by-type-only',
      comment: 'Workflows reach activities through proxyActivities<typeof …>: a type, never the code.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TESTS },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    forbidden('activities', ['temporal', 'app', 'dev', 'scripts', 'bench', 'e2e'], 'Activities bind domain services and integrations to Temporal; the worker binds them, not the reverse.'),
    {
      name: 'activities-to-workflow-contracts-by-type-only',
      comment: 'An activity may name the input and result types a workflow declares for it, nothing else of workflow code.',
      severity: 'error',
      from: { path: '^activities/', pathNot: TESTS },
      to: { path: '^workflows/', pathNot: '^workflows/[^/]+/definitions\\.ts$' },
    },
    {
      name: 'activities-to-workflow-contracts-types',
      severity: 'error',
      from: { path: '^activities/', pathNot: TESTS },
      to: { path: '^workflows/', dependencyTypesNot: ['type-only'] },
    },
    forbidden('temporal', ['app', 'dev', 'scripts', 'bench', 'e2e'], 'The worker and the client are started by scripts and used by the web, not the reverse.'),
    forbidden('forms', ['domain', 'activities', 'workflows', 'temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'Form definitions are data.'),
    forbidden('dev', ['app', 'activities', 'workflows', 'temporal', 'scripts', 'bench'], 'Development tools (mail sink, SMSC simulator, embedded servers) stand beside the product.'),
    {
      name: 'app-only-to-workflow-contracts',
      comment: 'The web reaches workflows through their message definitions only (signals, updates, ids).',
      severity: 'error',
      from: { path: '^app/', pathNot: TESTS },
      to: { path: '^workflows/', pathNot: '^workflows/[^/]+/definitions\\.ts$' },
    },
    {
      name: 'app-not-to-activities-or-scripts',
      severity: 'error',
      from: { path: '^app/', pathNot: TESTS },
      to: { path: '^(activities|scripts|bench|e2e)/' },
    },
    {
      name: 'app-dev-pages-only',
      comment: 'Only the development pages of the web may talk to the development tools.',
      severity: 'error',
      from: { path: '^app/', pathNot: `(^app/dev/|${TESTS})` },
      to: { path: '^dev/' },
    },
    {
      name: 'workflow-code-only-workflow-safe-domain',
      comment: 'Workflow code is bundled for the sandbox: no database or calendar code.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TESTS },
      to: {
        path: '^domain/',
        pathNot: '^domain/(deadlines/escalation|deadlines/instant|requests/contract|dashboard/quality-report-contract|privacy/retention-categories|dashboard/report-month)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-no-node-built-ins',
      comment: 'Workflow code replays deterministically in a sandbox: no Node built-ins.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TESTS },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes two files one: split the shared part out.',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.next|\\.next-[^/]*|\\.data|artifacts)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
  },
};
