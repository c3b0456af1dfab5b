import { spawnSync } from 'node:child_process';
import cluster from 'node:cluster';

/**
 * Runs `count` copies of this script as cluster processes sharing one listening port (each calls `listen` itself), and
 * starts another when one dies. Node's cluster module rather than a proxy: nothing to install or configure.
 */
export function runWebProcesses(count: number): void {
  // Each process accepts its own connections from the shared socket. Under the default round robin the primary hands
  // each connection over and keeps its copy until the process acknowledges it: a process killed in between leaves that
  // connection open and unread, and its client waits for its own timeout (minutes). The kernel gives a connection to a
  // process that is waiting in accept, so a busy process takes fewer.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  const fork = () =>
    cluster.fork().once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`A web process exited (${signal ?? code}); starting another.`);
      setTimeout(fork, 1_000);
    });
  for (let i = 0; i < count; i++) fork();
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 6_000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** The process ids of a running primary's web processes: its Node children, not tsx's esbuild service. */
export function webProcessIds(primary: number): number[] {
  // ps exits with 1 when the process has no children yet: no output, no process.
  const { stdout } = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(primary)], { encoding: 'utf8' });
  return stdout.split('\n').flatMap((line) => {
    const [pid, command] = line.trim().split(/\s+/);
    return command === 'node' ? [Number(pid)] : [];
  });
}
