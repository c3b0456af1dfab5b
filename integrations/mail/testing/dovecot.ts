// A real IMAP server for tests: Debian's Dovecot, started in the foreground with a throw-away configuration and Maildir.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { freePort } from '@/dev/ports';

/** Where Debian's dovecot-imapd puts the server (npm test installs the package). */
export const DOVECOT_BINARY = process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot';
const DOVEADM_BINARY = path.join(path.dirname(path.dirname(DOVECOT_BINARY)), 'bin', 'doveadm');

/** A running Dovecot with one user, reachable at imap://127.0.0.1:<port>. */
export interface DovecotServer {
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The mailbox's address as the poller names it. */
  address: string;
  /** Runs doveadm against this server (e.g. `mailbox update --uid-validity`); resolves with its output. */
  doveadm(...args: string[]): Promise<string>;
  /** A logged-in client for the test's own appends and checks; the caller logs it out. */
  connect(): Promise<ImapFlow>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** Starts Dovecot on a free port; rejects with its log when it does not come up. */
export async function startDovecot(options: { user?: string; password?: string; withoutIdle?: boolean } = {}): Promise<DovecotServer> {
  if (!fs.existsSync(DOVECOT_BINARY)) {
    throw new Error(`Dovecot is needed by the IMAP tests and is not at ${DOVECOT_BINARY}: apt-get install dovecot-imapd (npm test does it when run as root).`);
  }
  const user = options.user ?? 'mairie';
  const password = options.password ?? 'mot-de-passe-de-test';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-dovecot-'));
  const port = await freePort();
  const accounts = serverAccounts();
  for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, sub));
  fs.chmodSync(dir, 0o755);
  fs.chownSync(path.join(dir, 'mail'), accounts.mail.uid, accounts.mail.gid);
  fs.writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const config = path.join(dir, 'dovecot.conf');
  // Without IDLE in its capabilities, clients fall back to polling, as with some hosted mailboxes.
  const capabilities = options.withoutIdle ? 'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ NAMESPACE UIDPLUS CHILDREN MOVE\n' : '';
  fs.writeFileSync(config, configuration(dir, port, accounts) + capabilities);

  const child = spawn(DOVECOT_BINARY, ['-F', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => log.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A test process that dies without stop() does not leave the server behind.
  const orphan = () => child.kill('SIGTERM');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  try {
    await waitForPort(port, exited, 15_000);
  } catch (error) {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`Dovecot did not start: ${(error as Error).message}\n${log.join('')}`, { cause: error });
  }

  const host = '127.0.0.1';
  return {
    url: `imap://${host}:${port}`,
    host,
    port,
    user,
    password,
    address: `${user}@${host}`,
    async doveadm(...args) {
      const { stdout } = await promisify(execFile)(DOVEADM_BINARY, ['-c', config, ...args], { encoding: 'utf8' });
      return stdout;
    },
    async connect() {
      const client = new ImapFlow({ host, port, secure: false, auth: { user, pass: password }, logger: false });
      await client.connect();
      return client;
    },
    stop: () => stopServer(child, exited, dir),
  };
}

interface Account {
  name: string;
  uid: number;
  gid: number;
}

// As root, Dovecot refuses uid 0 for mail: mail belongs to the package's own `dovecot` user, logins run as `dovenull`.
function serverAccounts(): { internal: Account; login: Account; mail: Account } {
  const me = os.userInfo();
  if (me.uid !== 0) {
    const self = { name: me.username, uid: me.uid, gid: me.gid };
    return { internal: self, login: self, mail: self };
  }
  const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const account = (name: string): Account => {
    const entry = passwd.find((fields) => fields[0] === name);
    if (!entry) throw new Error(`The system user ${name} is missing: reinstall dovecot-core, which creates it.`);
    return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  };
  const internal = account('dovecot');
  return { internal, login: account('dovenull'), mail: internal };
}

function configuration(dir: string, port: number, accounts: ReturnType<typeof serverAccounts>): string {
  const { internal, login, mail } = accounts;
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = relais-test-${port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
login_trusted_networks = 127.0.0.0/8
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = ${internal.name}
default_login_user = ${login.name}
log_path = /dev/stderr
info_log_path = /dev/stderr
mail_location = maildir:${dir}/mail/%u
mail_uid = ${mail.uid}
mail_gid = ${mail.gid}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}
userdb {
  driver = static
  args = uid=${mail.uid} gid=${mail.gid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

async function waitForPort(port: number, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!(await accepts(port))) {
    if (gone) throw new Error('the server exited');
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopServer(child: ChildProcess, exited: Promise<number | null>, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
