// First-run set-up shared by `npm start` and `npm test`: dependencies, Chromium for PDFs and browser tests, pdftotext,
// and Dovecot for the IMAP tests.
// Plain Node on purpose: it runs before node_modules exists.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';

const say = (line) => console.log(`[setup] ${line}`);

function installDependencies() {
  const marker = 'node_modules/.package-lock.json';
  const stale = !fs.existsSync(marker) || fs.statSync('package-lock.json').mtimeMs > fs.statSync(marker).mtimeMs;
  if (!stale) return;
  say('installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } });
  if (result.status !== 0) fail('npm ci failed: see the messages above.');
}

// Debian packages: Chromium renders the PDF documents (and drives the browser tests), pdftotext reads PDFs back in tests.
const CHROMIUM = { name: 'chromium', present: () => fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') };
const PDFTOTEXT = { name: 'poppler-utils', present: () => spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined };
// A real IMAP server: the mailbox poller's tests start their own instance with a throw-away configuration.
const DOVECOT = { name: 'dovecot-imapd', present: () => fs.existsSync(process.env.DOVECOT_PATH ?? '/usr/sbin/dovecot') };

// The tests cannot run without them; the app starts anyway and only its PDF rendering fails, so it is told, not stopped.
function ensurePackages(packages, purpose, required) {
  const missing = packages.filter((pkg) => !pkg.present()).map((pkg) => pkg.name);
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
  if (!canApt) {
    const message = `${purpose} need ${missing.join(' and ')}: install ${missing.length > 1 ? 'them' : 'it'} (Debian: apt-get install ${missing.join(' ')}) or run as root so set-up can.`;
    if (required) fail(message);
    say(message);
    return;
  }
  say(`installing ${missing.join(', ')} from Debian packages…`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function fail(message) {
  console.error(`[setup] ${message}`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node.js 20.19 or newer is needed (this is ${process.versions.node}).`);
installDependencies();
if (process.argv.includes('--browser')) ensurePackages([CHROMIUM, PDFTOTEXT, DOVECOT], 'The tests', true);
else ensurePackages([CHROMIUM], 'PDF documents (jsreport)', false);
