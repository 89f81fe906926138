/**
 * @buntime/test-kit/browser: a real headless browser for UI tests: Debian's chromium driven
 * by playwright-core (`apt-get install -y chromium`; playwright's own browser downloads are not
 * used).
 */
import { type Browser, chromium } from "playwright-core";

/** Where Debian installs chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Launches headless chromium with the flags a sandboxed, offline machine needs (no sandbox as
 * root, no GPU, no background connections to Google's hosts).
 *
 * @example
 * const browser = await launchTestBrowser();
 * const page = await browser.newPage();
 */
export function launchTestBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}
