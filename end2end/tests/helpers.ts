import { expect, type Page } from '@playwright/test';

/** The password of the accounts the writing tests sign in with. */
export const PASSWORD = 'correct horse battery';

/** A 1×1 PNG. */
export const DOT_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** Signs in with the writing tests' password, landing on the dashboard. */
export async function signIn(page: Page, email: string) {
  await page.goto('/login');
  await waitUntilLive(page);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('navigation', { name: 'Your account' })).toContainText('Sign out');
}

/** Waits until the page is live: from then on, links navigate inside the application. */
export async function waitUntilLive(page: Page) {
  await page.locator('html[data-live]').waitFor({ state: 'attached' });
}

/**
 * Marks the loaded document, so that `expectSameDocument` can tell a navigation inside the
 * application from a full page load (which would start a new document without the mark).
 */
export async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { fieldnotesMark: boolean }).fieldnotesMark = true));
}

export async function expectSameDocument(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { fieldnotesMark?: boolean }).fieldnotesMark)).toBe(true);
}

/** Collects script errors and console errors (other than the 404 status of a 404 page). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('status of 404')) errors.push(message.text());
  });
  return errors;
}

/**
 * Collects every breach of the pages' Content Security Policy (as the browser reports it, by a
 * `securitypolicyviolation` event or on the console), and every page of the site that comes
 * without a policy. Call it before the first `goto`.
 */
export async function collectPolicyViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.exposeBinding('fieldnotesPolicyViolation', (_source, violation: string) => {
    violations.push(violation);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { fieldnotesPolicyViolation: (violation: string) => void })
        .fieldnotesPolicyViolation;
      report(`${location.pathname}: ${event.violatedDirective} refused ${event.blockedURI || 'inline code'}`);
    });
  });
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      if (!response.headers()['content-security-policy']) {
        violations.push(`${new URL(response.url()).pathname}: no Content-Security-Policy`);
      }
    }
  });
  return violations;
}
