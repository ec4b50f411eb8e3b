import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium (`apt-get install -y chromium`) and
 * Firefox ESR (`apt-get install -y firefox-esr`, driven over WebDriver BiDi);
 * this machine cannot download Playwright's own browser builds. Playwright
 * stays at 1.64.x: 1.65 sends `emulation.setMediaFeaturesOverride`, which
 * Firefox ESR lacks, so every Firefox context fails. WebKit runs the main
 * scenarios through its own driver (test/webkit/). Each test starts its own
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
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
        },
      },
    },
    {
      name: 'firefox',
      use: {
        browserName: 'firefox',
        channel: 'moz-firefox',
        launchOptions: { executablePath: process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr' },
      },
    },
  ],
});
