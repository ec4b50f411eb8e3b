import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const firefox = process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr';

export default defineConfig({
  test: {
    // Integration tests open real sockets; give slow CI machines room without
    // letting a hang go unnoticed.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
          exclude: ['test/browser/**', 'examples/**/*.browser.test.ts'],
          environment: 'node',
        },
      },
      {
        // Real IndexedDB in Debian's Chromium and Firefox ESR (Playwright's own
        // browser builds cannot be downloaded here; Firefox is driven over
        // WebDriver BiDi, which needs Playwright 1.64.x, see playwright.config.ts).
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts', 'examples/**/*.browser.test.ts'],
          // A reference server in Node for browser tests; its URL is provided as `sseUrl`.
          globalSetup: ['test/browser/global-setup.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: chromium,
                args: [
                  '--no-sandbox',
                  '--disable-gpu',
                  '--disable-background-networking',
                  '--disable-component-update',
                  '--no-first-run',
                  '--disable-sync',
                ],
              },
            }),
            instances: [
              { browser: 'chromium' },
              {
                browser: 'firefox',
                provider: playwright({ launchOptions: { channel: 'moz-firefox', executablePath: firefox } }),
              },
            ],
          },
        },
      },
    ],
  },
});
