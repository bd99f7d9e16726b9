// Launches Debian's Chromium through playwright-core (a test tool's own browser download does not work here)
// and saves full-page screenshots of each step under im-web/target/screenshots/.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = process.env.MAGPIE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SKIP_NOTICE = 'BROWSER TESTS SKIPPED: install Debian\'s chromium (apt-get install chromium)';

export const SCREENSHOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../target/screenshots');

/** The reason to skip the browser tests, or undefined when Chromium is there. */
export function skipReason() {
  if (existsSync(CHROMIUM)) return undefined;
  const line = '='.repeat(SKIP_NOTICE.length + 8);
  // on stderr: the test runner would escape and indent it on stdout
  process.stderr.write(`\n${line}\n!!! ${SKIP_NOTICE} !!!\n!!! (no browser at ${CHROMIUM})\n${line}\n\n`);
  return SKIP_NOTICE;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Numbered full-page screenshots: 01-alice-signed-up.png, ...; prints each path. */
export class Screenshots {
  constructor(dir = SCREENSHOT_DIR) {
    this.dir = dir;
    this.count = 0;
    rmSync(dir, { recursive: true, force: true }); // an earlier run's pictures would read as this run's
    mkdirSync(dir, { recursive: true });
  }

  async take(page, name) {
    this.count += 1;
    const path = join(this.dir, `${String(this.count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    return path;
  }
}
