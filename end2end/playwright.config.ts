import { defineConfig } from '@playwright/test';

import { PASSWORD } from './tests/helpers';

// Three servers run the debug build of `fieldnotes`, each with a private PostgreSQL cluster of its
// own under target/e2e (the Makefile empties it first): one with the demo blog alone, one with
// the demo blog and WordPress's theme unit test data (tags, authors, nested categories, many
// pages of posts), and one where two authors, an editor and an administrator, made with
// `fieldnotes user add`, write and run the blog.
const binary = '../target/debug/fieldnotes';
const site = '--site-root ../target/site';
const themeData = '../fixtures/wordpress/themeunittestdata.wordpress.xml';
// FIELDNOTES_E2E_PORT lets two checkouts run their end-to-end tests side by side.
const basePort = Number(process.env.FIELDNOTES_E2E_PORT ?? 3100);
const demoPort = basePort;
const blogPort = basePort + 1;
const writingPort = basePort + 3;
const writingData = '--data-dir ../target/e2e/writing';
const addUser = (email: string, name: string, role: string) =>
  `echo '${PASSWORD}' | ${binary} user add ${writingData} --email ${email} --name '${name}' --role ${role} --password-stdin`;

const chromium = {
  browserName: 'chromium' as const,
  headless: true,
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  },
};

const server = (command: string, port: number) => ({
  command,
  url: `http://127.0.0.1:${port}/`,
  reuseExistingServer: false,
  timeout: 180_000,
  stdout: 'ignore' as const,
  stderr: 'pipe' as const,
  gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 15_000 },
});

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  projects: [
    {
      name: 'demo blog',
      testMatch: 'first-visit.spec.ts',
      use: { ...chromium, baseURL: `http://127.0.0.1:${demoPort}` },
    },
    {
      name: 'demo and theme test data',
      testMatch: ['browsing.spec.ts', 'accessibility.spec.ts', 'reading-protections.spec.ts', 'protected.spec.ts'],
      use: { ...chromium, baseURL: `http://127.0.0.1:${blogPort}` },
    },
    {
      name: 'writing',
      testMatch: ['writing.spec.ts', 'writing-protections.spec.ts', 'running.spec.ts'],
      use: { ...chromium, baseURL: `http://127.0.0.1:${writingPort}` },
    },
  ],
  webServer: [
    server(`${binary} serve --addr 127.0.0.1:${demoPort} --data-dir ../target/e2e/demo ${site}`, demoPort),
    server(
      `${binary} import --data-dir ../target/e2e/blog ../fixtures/demo.wxr && ` +
        `${binary} import --data-dir ../target/e2e/blog ${themeData} && ` +
        `exec ${binary} serve --addr 127.0.0.1:${blogPort} --data-dir ../target/e2e/blog ${site}`,
      blogPort,
    ),
    server(
      `${addUser('ada@example.org', 'Ada Writer', 'author')} && ` +
        `${addUser('bo@example.org', 'Bo Writer', 'author')} && ` +
        `${addUser('cy@example.org', 'Cy Editor', 'editor')} && ` +
        `${addUser('root@example.org', 'Root Admin', 'admin')} && ` +
        // People in these tests fill in a comment form faster than anyone writes.
        `${binary} comments ${writingData} --min-writing-seconds 0 && ` +
        `exec ${binary} serve --addr 127.0.0.1:${writingPort} ${writingData} ${site}`,
      writingPort,
    ),
  ],
});
