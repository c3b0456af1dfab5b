/**
 * The direction of imports between Relais's folders (the README's "Layout" section). `npm test` runs it and fails on
 * any wrong-way import or cycle. Tests and their fixtures may reach the test support of other folders.
 */
const TESTS = '(\\.test\\.ts$|\\.spec\\.ts$|/testing/|/testing\\.ts$|/test-support\\.ts$)';
const WORKFLOW_CONTRACTS = '^workflows/[^/]+/definitions\\.ts$';
const WORKFLOW_SAFE_DOMAIN =
  '^domain/(deadlines/escalation|deadlines/instant|requests/contract|dashboard/quality-report-contract|privacy/retention-categories|dashboard/report-month|processes/definition|processes/workflow-contract)\\.ts$';

/** Product code of `from` must not import what `to` matches. */
const rule = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: `^${from}/`, pathNot: TESTS }, to });

/** A folder and the folders it must never import. */
const never = (from, folders, comment) => rule(`${from}-not-to-${folders.join('-')}`, comment, from, { path: `^(${folders.join('|')})/` });

module.exports = {
  forbidden: [
    never('domain', ['activities', 'workflows', 'temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'The domain is the core: types, rules and repositories only.'),
    never('integrations', ['activities', 'workflows', 'temporal', 'app', 'dev', 'scripts', 'bench', 'e2e'], 'Adapters to the outside world know the domain, not who calls them.'),
    never('workflows', ['temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'Workflow code is deterministic and bundled for the sandbox.'),
    rule('workflows-to-activities-by-type-only', 'Workflows reach activities through proxyActivities<typeof …>: a type, never the code.', 'workflows', {
      path: '^activities/',
      dependencyTypesNot: ['type-only'],
    }),
    rule('workflows-to-workflow-safe-domain', 'Workflow code is bundled for the sandbox: no database or calendar code, types aside.', 'workflows', {
      path: '^domain/',
      pathNot: WORKFLOW_SAFE_DOMAIN,
      dependencyTypesNot: ['type-only'],
    }),
    rule('workflows-no-node-built-ins', 'Workflow code replays deterministically in a sandbox: no Node built-ins.', 'workflows', { dependencyTypes: ['core'] }),
    never('activities', ['temporal', 'app', 'dev', 'scripts', 'bench', 'e2e'], 'Activities bind domain services and integrations to Temporal; the worker binds them, not the reverse.'),
    rule('activities-to-workflow-contracts-only', 'An activity may name the types a workflow declares for it, nothing else of workflow code.', 'activities', {
      path: '^workflows/',
      pathNot: WORKFLOW_CONTRACTS,
    }),
    rule('activities-to-workflow-contracts-by-type-only', 'An activity may name the types a workflow declares for it, nothing else of workflow code.', 'activities', {
      path: '^workflows/',
      dependencyTypesNot: ['type-only'],
    }),
    never('temporal', ['app', 'dev', 'scripts', 'bench', 'e2e'], 'The worker and the client are started by scripts and used by the web, not the reverse.'),
    never('processes', ['activities', 'workflows', 'temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'Shipped process definitions are data, typed by domain/processes/definition.ts.'),
    never('forms', ['domain', 'activities', 'workflows', 'temporal', 'app', 'dev', 'integrations', 'scripts', 'bench', 'e2e'], 'Form definitions are data.'),
    never('dev', ['app', 'activities', 'workflows', 'temporal', 'scripts', 'bench'], 'Development tools (mail sink, SMSC simulator, embedded servers) stand beside the product.'),
    never('app', ['activities', 'scripts', 'bench', 'e2e'], 'The web calls domain services; activities run in the worker.'),
    rule('app-no-sql', 'The web calls domain services; SQL lives in domain/.', 'app', { path: '^domain/(sql|auth/db)\\.ts$' }),
    rule('app-to-workflow-contracts-only', 'The web reaches workflows through their message definitions only (signals, updates, ids).', 'app', {
      path: '^workflows/',
      pathNot: WORKFLOW_CONTRACTS,
    }),
    {
      ...rule('app-dev-pages-only', 'Only the development pages of the web may talk to the development tools.', 'app', { path: '^dev/' }),
      from: { path: '^app/', pathNot: `(^app/dev/|${TESTS})` },
    },
    { name: 'no-circular', comment: 'A cycle makes two files one: split the shared part out.', severity: 'error', from: { pathNot: TESTS }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.next|\\.next-[^/]*|\\.data|artifacts)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'] },
  },
};
