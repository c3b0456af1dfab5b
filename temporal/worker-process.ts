/**
 * How a worker process is started: `node ${WORKER_NODE_ARGS.join(' ')}`. The larger young generation cuts the time
 * spent in scavenges (about a sixth of the SMS path's CPU with the default) for some tens of MiB of memory.
 * package.json (`worker`, `bench:sms`) and docker-compose.yml repeat these flags.
 */
export const WORKER_NODE_ARGS = ['--max-semi-space-size=64', '--import', 'tsx', 'scripts/worker.ts'];
