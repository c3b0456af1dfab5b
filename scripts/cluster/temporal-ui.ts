import fs from 'node:fs';
import path from 'node:path';
import { assertPortFree } from '@/dev/ports';
import { startServerProcess } from './server-process';
import { stopChild, waitForPort } from '@/dev/temporal-dev-server';

/** Options of the cluster's Temporal UI server. */
export interface TemporalUiOptions {
  binary: string;
  /** Where its configuration and log go. */
  root: string;
  port: number;
  /** The Temporal server's frontend (host:port). */
  temporalAddress: string;
  namespace: string;
}

/**
 * Starts the Temporal UI server on the loopback interface only: it has no login of its own here, so operators reach
 * it through an SSH tunnel or a proxy that authenticates, never directly.
 */
export async function startTemporalUi(options: TemporalUiOptions): Promise<{ url: string; stop(): Promise<void> }> {
  await assertPortFree(options.port, 'the Temporal UI', 'RELAIS_TEMPORAL_UI_PORT');
  const configDir = path.join(options.root, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  // The server reads base.yaml, then <env>.yaml; JSON is YAML.
  fs.writeFileSync(path.join(configDir, 'base.yaml'), '{}\n');
  fs.writeFileSync(path.join(configDir, 'relais.yaml'), JSON.stringify(uiConfig(options), null, 2));
  const child = await startServerProcess({
    name: 'Temporal UI server',
    command: options.binary,
    args: ['--root', options.root, '--config', 'config', '--env', 'relais', 'start'],
    logFile: path.join(options.root, 'ui-server.log'),
    ready: () => waitForPort(options.port, 60_000),
  });
  return { url: `http://127.0.0.1:${options.port}`, stop: () => stopChild(child) };
}

function uiConfig(options: TemporalUiOptions) {
  return {
    temporalGrpcAddress: options.temporalAddress,
    host: '127.0.0.1',
    port: options.port,
    enableUi: true,
    defaultNamespace: options.namespace,
    // No call out to the internet for news or new versions: a deployment's UI reaches only its Temporal server.
    disableNewsFetch: true,
    notifyOnNewVersion: false,
    cors: { allowOrigins: [`http://127.0.0.1:${options.port}`], cookieInsecure: true },
    auth: { enabled: false },
  };
}
