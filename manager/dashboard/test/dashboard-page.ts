// The dashboard in a real browser, for the integration and end-to-end tests: Debian's
// chromium, headless, driven with puppeteer-core. A missing chromium fails the test with what
// to do (never a skip). Page errors and console errors (a CSP refusal among them) are kept,
// and every navigation counted, so a test can tell the page updated without a reload.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../../../../', import.meta.url).pathname;

/** Where test artefacts go: <repo>/test-artifacts/ (gitignored), created if needed. */
export async function artifactPath(name: string): Promise<string> {
  const path = join(ROOT, 'test-artifacts', name);
  await mkdir(dirname(path), { recursive: true });
  return path;
}

export interface OpenOptions {
  /** The browser to start (default /usr/bin/chromium; e.g. a wrapper entering a namespace). */
  readonly executablePath?: string;
  readonly width?: number;
  readonly height?: number;
}

export class DashboardPage {
  readonly browser: Browser;
  readonly page: Page;
  /** Uncaught page errors and console errors, in order. */
  readonly errors: string[] = [];
  /** Main-frame navigations after the first load. */
  reloads = 0;
  /** The CSP header the page was served with. */
  csp = '';

  private constructor(browser: Browser, page: Page) {
    this.browser = browser;
    this.page = page;
  }

  static async open(url: string, o: OpenOptions = {}): Promise<DashboardPage> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the dashboard's browser test needs Debian's chromium; run scripts/setup.sh`,
      );
    }
    const browser = await puppeteer.launch({
      executablePath: o.executablePath ?? CHROMIUM,
      headless: true,
      // The pipe instead of a DevTools port: works when the browser runs in another network namespace.
      pipe: true,
      args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run', '--disable-dev-shm-usage'],
      defaultViewport: { width: o.width ?? 1280, height: o.height ?? 900 },
    });
    try {
      const page = await browser.newPage();
      const d = new DashboardPage(browser, page);
      page.on('pageerror', (e: unknown) => d.errors.push(`page error: ${String(e)}`));
      page.on('console', (m) => {
        if (m.type() === 'error') d.errors.push(`console: ${m.text()}`);
      });
      let loaded = false;
      page.on('framenavigated', (f) => {
        if (f !== page.mainFrame()) return;
        if (loaded) d.reloads++;
        loaded = true;
      });
      const res = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      if (res === null || !res.ok())
        throw new Error(`the dashboard at ${url} answered ${res?.status() ?? 'nothing'}`);
      d.csp = res.headers()['content-security-policy'] ?? '';
      return d;
    } catch (e: unknown) {
      await browser.close();
      throw e;
    }
  }

  /** Waits until the page expression `expr` is true, or fails naming `what` and what the page shows. */
  async waitFor(expr: string, what: string, timeoutMs = 30_000): Promise<void> {
    try {
      await this.page.waitForFunction(expr, { timeout: timeoutMs, polling: 100 });
    } catch (e: unknown) {
      const text = await this.page.evaluate('document.body.innerText').catch(() => '');
      throw new Error(
        `timed out waiting for ${what}: ${e instanceof Error ? e.message : String(e)}\npage shows:\n${String(text)}`,
      );
    }
  }

  /** How many elements match `selector`. */
  async count(selector: string): Promise<number> {
    const n = await this.page.evaluate(`document.querySelectorAll(${JSON.stringify(selector)}).length`);
    return typeof n === 'number' ? n : Number.NaN;
  }

  /** The text of every element matching `selector`. */
  async texts(selector: string): Promise<string[]> {
    const t = await this.page.evaluate(
      `Array.from(document.querySelectorAll(${JSON.stringify(selector)}), (e) => e.textContent || '')`,
    );
    return Array.isArray(t) ? t.map(String) : [];
  }

  /** The selector of a service's task cells in a given state, in the node × service grid. */
  static taskCells(serviceId: string, state: string): string {
    return `#grid .task[data-service="${serviceId}"][data-state="${state}"]`;
  }

  async screenshot(name: string): Promise<string> {
    const path = await artifactPath(name);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
