import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests drive the real renderer, served by `mindflow serve`, in Debian's Chromium.
 * The global setup builds the renderer when needed, makes a throw-away project with the
 * built-in sample capture, starts the web host on a free port and hands its URL to the tests
 * (MINDFLOW_E2E_URL). Set MINDFLOW_E2E_URL yourself to test against a host you started.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/artifacts',
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.MINDFLOW_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
