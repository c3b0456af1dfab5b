// First-run set-up shared by `npm start` and `npm test`: dependencies, and Chromium for browser tests.
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

// Debian packages the tests need: Chromium for browser tests and PDF rendering, pdftotext to read the PDFs back.
const TEST_PACKAGES = [
  { name: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  { name: 'poppler-utils', present: () => spawnSync('pdftotext', ['-v'], { stdio: 'ignore' }).error === undefined },
];

function ensureTestPackages() {
  const missing = TEST_PACKAGES.filter((pkg) => !pkg.present()).map((pkg) => pkg.name);
  if (missing.length === 0) return;
  const canApt = process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
  if (!canApt) fail(`The tests need ${missing.join(' and ')}: install them (Debian: apt-get install ${missing.join(' ')}) or run as root so set-up can.`);
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
if (process.argv.includes('--browser')) ensureTestPackages();
