import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium (`apt-get install -y chromium`) and
 * Firefox ESR (`apt-get install -y firefox-esr`, driven over WebDriver BiDi);
 * this machine cannot download Playwright's own browser builds. Playwright
 * stays at 1.64.x: 1.65 sends `emulation.setMediaFeaturesOverride`, which
 * Firefox ESR lacks, so every Firefox context fails. WebKit runs the main
 * scenarios through its own driver (test/package/webkit.test.ts). Each test starts its own
 * reference server on port 0 (see e2e/fixtures.ts).
 */
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  reporter: [['list']],
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--no-first-run',
            '--disable-sync',
          ],
        },
      },
    },
    {
      name: 'firefox',
      // The differential suite checks the native EventSource against the
      // WHATWG text before comparing ours with it, and Firefox ESR 153's own
      // departs from the text in three of its scenarios (an id-only block does
      // not move its last event ID; an event whose id holds NULL is not
      // delivered; after a redirect it reconnects to the original URL). Those
      // are Firefox's, not ours: the suite and its deviation list are
      // Chromium's. Every other spec runs in both.
      testIgnore: /differential(-fuzz)?\.spec\.ts/,
      use: {
        browserName: 'firefox',
        channel: 'moz-firefox',
        launchOptions: { executablePath: process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr' },
      },
    },
  ],
});
