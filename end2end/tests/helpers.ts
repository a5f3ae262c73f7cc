import { expect, type Page } from '@playwright/test';

/** The password of the accounts the writing tests sign in with. */
export const PASSWORD = 'correct horse battery';

/** Waits until the page is live: from then on, links navigate inside the application. */
export async function waitForHydration(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
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
