import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TEMPORAL_DYNAMIC_CONFIG_FILE } from '@/dev/temporal-dynamic-config';
import { ENV_NAMES } from '@/domain/env';
import { WORKER_NODE_ARGS } from '@/temporal/worker-process';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@/workflows/search-attributes';
import { WEB_SERVER_ARGS } from './web-build';

// No Docker engine runs here: the file is checked against the Compose specification and against the entry points.
const ROOT = process.cwd();
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
const envExample = parseEnvFile(fs.readFileSync(path.join(ROOT, 'deploy', 'relais.env.example'), 'utf8'));

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required: boolean }>;
  profiles?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

interface ComposeFile {
  services: Record<string, Service>;
}

/** The variables an env file sets (commented lines left out), with their values. */
function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const RELAIS_SERVICES = ['migrate', 'worker', 'web', 'demo-import'];
// Read by the images beside Relais's (PostgreSQL, Temporal server, Temporal UI), not by Relais.
const OTHER_IMAGES_VARIABLES = /^(POSTGRES_(PASSWORD|PWD)|TEMPORAL_AUTH_[A-Z_]+|GF_[A-Z_]+)$/;
const SECRET_NAME = /(PASSWORD|PWD|SECRET|TOKEN|ENCRYPTION_KEY)/;

/** What a Relais service's process sees: its env file (the example's names) and its own environment. */
function variablesOf(service: Service): Set<string> {
  return new Set([...Object.keys(envExample), ...Object.keys(service.environment ?? {})]);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose specification', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy', 'compose-spec.json'), 'utf8'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(valid).toBe(true);
    // The schema catches mistakes: a service with a misspelt key does not pass.
    expect(validate({ services: { web: { image: 'x', restrat: 'always' } } })).toBe(false);
  });

  it('runs the worker and the web server as the entry points define them', () => {
    expect(compose.services.worker.command).toEqual(['node', ...WORKER_NODE_ARGS]);
    const web = compose.services.web.command!;
    expect(web.slice(0, WEB_SERVER_ARGS.length + 1)).toEqual(['node', ...WEB_SERVER_ARGS]);
    // The web server listens where its PORT says, on every interface, and its health check and the proxy look there.
    const port = compose.services.web.environment!.PORT;
    expect(web.slice(WEB_SERVER_ARGS.length + 1)).toEqual(['-p', port, '-H', '0.0.0.0']);
    expect(compose.services.web.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${port}/api/health`);
    const nginx = fs.readFileSync(path.join(ROOT, 'deploy', 'nginx', 'relais.conf'), 'utf8');
    expect(compose.services.proxy.volumes).toContain('./deploy/nginx/relais.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(nginx).toContain(`server web:${port} resolve;`);
    const metricsPort = compose.services.worker.environment!.RELAIS_METRICS_PORT;
    expect(compose.services.worker.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${metricsPort}/metrics`);
    expect(compose.services.migrate.command).toEqual(['npx', 'relais', 'db:migrate']);
  });

  it('gives Relais processes only variables they read, and every one they need', () => {
    for (const name of RELAIS_SERVICES) {
      const service = compose.services[name];
      expect(service.env_file, name).toEqual([{ path: '${RELAIS_ENV_FILE:-deploy/relais.env}', required: true }]);
      for (const variable of Object.keys(service.environment ?? {})) expect(ENV_NAMES, `${name}: ${variable}`).toContain(variable);
    }
    for (const variable of Object.keys(envExample).filter((v) => !OTHER_IMAGES_VARIABLES.test(v))) expect(ENV_NAMES, variable).toContain(variable);
    // scripts/worker.ts and app/_server/context.ts stop without these; the web server without RELAIS_SECRET.
    for (const variable of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'RELAIS_SECRET']) expect([...variablesOf(compose.services.worker)]).toContain(variable);
    for (const variable of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'RELAIS_SECRET']) expect([...variablesOf(compose.services.web)]).toContain(variable);
    expect(compose.services.migrate.environment).toBeDefined();
  });

  it('holds no password or secret: they come from the env file, whose example leaves them empty', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const variable of Object.keys(service.environment ?? {})) expect(SECRET_NAME.test(variable), `${name}: ${variable}`).toBe(false);
    }
    for (const [variable, value] of Object.entries(envExample)) if (SECRET_NAME.test(variable)) expect(value, variable).toBe('');
    expect(fs.readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^deploy\/relais\.env$/m);
    expect(fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')).toMatch(/^deploy\/relais\.env$/m);
  });

  it('imports demo data and runs the mail catcher only in the demo profile, and monitoring only in its own', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const text = JSON.stringify(service);
      if (/demo-tenant|mailpit/.test(text)) expect(service.profiles, name).toEqual(['demo']);
      else if (/prometheus|grafana/.test(service.image ?? '')) expect(service.profiles, name).toEqual(['monitoring']);
      else expect(service.profiles, name).toBeUndefined();
    }
  });

  it('has Prometheus scrape every worker and web replica where they serve /metrics, and Grafana load the dashboard', () => {
    const prometheus = parse(fs.readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'relais.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; authorization?: { credentials_file: string }; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    const job = (name: string) => prometheus.scrape_configs.find((config) => config.job_name === name)!;
    expect(job('relais-worker').dns_sd_configs).toEqual([{ names: ['worker'], type: 'A', port: Number(compose.services.worker.environment!.RELAIS_METRICS_PORT) }]);
    expect(job('relais-web').dns_sd_configs).toEqual([{ names: ['web'], type: 'A', port: Number(compose.services.web.environment!.PORT) }]);
    // The token file is written from RELAIS_METRICS_TOKEN (the env file) as the container starts.
    expect(compose.services.prometheus.command!.join('\n')).toContain(`"$$RELAIS_METRICS_TOKEN" > ${job('relais-web').authorization!.credentials_file}`);
    expect(compose.services.prometheus.volumes).toContain('./deploy/prometheus/relais.yml:/etc/prometheus/relais.yml:ro');
    expect(compose.services.grafana.volumes).toContain('./deploy/grafana/relais.json:/var/lib/grafana/dashboards/relais.json:ro');
    const provider = parse(fs.readFileSync(path.join(ROOT, 'deploy', 'grafana', 'provisioning', 'dashboards', 'relais.yml'), 'utf8'));
    expect(provider.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('restarts long-running services, runs one-shot jobs to completion first, and checks health', () => {
    const oneShot = ['temporal-schema', 'temporal-setup', 'migrate', 'demo-import'];
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.restart, name).toBe(oneShot.includes(name) ? 'no' : 'unless-stopped');
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (oneShot.includes(dependency)) expect(condition, `${name} → ${dependency}`).toBe('service_completed_successfully');
      }
    }
    for (const name of ['postgres', 'worker', 'web', 'proxy']) expect(compose.services[name].healthcheck, name).toBeDefined();
    for (const name of ['worker', 'web']) expect(compose.services[name].deploy?.replicas, name).toBeGreaterThanOrEqual(2);
    expect(compose.services.worker.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' }, 'temporal-setup': { condition: 'service_completed_successfully' } });
  });

  it('runs Temporal on PostgreSQL with official images, and registers every search attribute the workflows set', () => {
    expect(compose.services.postgres.image).toMatch(/^postgres:\d+$/);
    expect(compose.services.temporal.image).toMatch(/^temporalio\/server:1\.29\.\d+$/);
    expect(compose.services['temporal-schema'].image).toMatch(/^temporalio\/admin-tools:1\.29\./);
    expect(compose.services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(compose.services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    const setup = compose.services['temporal-setup'].command!.join('\n');
    for (const attribute of CUSTOM_SEARCH_ATTRIBUTES) expect(setup).toContain(attribute.name);
    expect(setup).toContain('--type Keyword');
    expect(CUSTOM_SEARCH_ATTRIBUTES.every((attribute) => attribute.type === 'KEYWORD')).toBe(true);
  });

  it('runs Temporal with the dynamic configuration start:cluster and the development server use', () => {
    const { temporal } = compose.services;
    const inside = temporal.environment!.DYNAMIC_CONFIG_FILE_PATH;
    const mount = temporal.volumes!.map((volume) => volume.split(':')).find(([, target]) => target === inside);
    expect(mount, `a volume mounted at ${inside}`).toBeDefined();
    expect(path.resolve(ROOT, mount![0])).toBe(TEMPORAL_DYNAMIC_CONFIG_FILE);
    expect(mount![2]).toBe('ro');
  });
});
