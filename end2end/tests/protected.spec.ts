import { expect, test, type Page } from '@playwright/test';

import { waitUntilLive } from './helpers';

// WordPress's theme unit test data holds a post protected by the password "enter".
const path = '/posts/template-password-protected';
const text = 'This content, comments, pingbacks, and trackbacks should not be visible';
const comment = 'This comment should not be visible until the password is entered.';

async function sendPassword(page: Page, password: string) {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Enter', exact: true }).click();
}

async function expectLocked(page: Page) {
  await expect(page.locator('h1.post-title')).toContainText('Password Protected');
  await expect(page.locator('.post-body')).toHaveCount(0);
  await expect(page.getByText(text)).toHaveCount(0);
  await expect(page.getByText(comment)).toHaveCount(0);
}

async function expectUnlocked(page: Page) {
  await expect(page.locator('.post-body')).toContainText(text);
  await expect(page.locator('.comments')).toContainText(comment);
  await expect(page.getByLabel('Password', { exact: true })).toHaveCount(0);
}

/** A wrong password, which is refused with a message, then the right one. */
async function unlock(page: Page) {
  await expectLocked(page);
  await sendPassword(page, 'entre');
  await expect(page.getByRole('alert')).toContainText('That is not the password of this post.');
  await expectLocked(page);
  await sendPassword(page, 'enter');
  await expectUnlocked(page);
}

test('the password form opens a protected post, and the browser remembers it', async ({ page }) => {
  const scriptErrors: string[] = [];
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  await page.goto(path);
  await waitUntilLive(page);
  await unlock(page);
  await page.reload();
  await expectUnlocked(page);
  expect(scriptErrors).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the password form works as a plain form', async ({ page }) => {
    await page.goto(path);
    await unlock(page);
    await page.goto('/tag/password-2');
    await expect(page.locator('.post-teaser .protected-notice')).toHaveText('This post is protected by a password.');
  });
});
