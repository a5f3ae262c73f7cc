import { expect, test } from '@playwright/test';

import { collectPolicyViolations, waitUntilLive } from './helpers';

// Every kind of page a reader sees, each loaded fresh and then live: none may break the pages'
// Content Security Policy, whose absence counts as a breach too.
const pages = [
  ['home', '/'],
  ['post', '/posts/markup-image-alignment'],
  ['tag', '/tag/content-2'],
  ['category', '/category/parent'],
  ['author', '/author/themedemos'],
  ['month', '/archive/2012/01'],
  ['combined filters', '/posts?author=themedemos&tag=content-2'],
  ['search', '/search?q=alignment'],
  ['page', '/pages/about'],
  ['password-protected post', '/posts/template-password-protected'],
  ['used or unknown sign-in link', '/welcome/no-such-link'],
  ['not found', '/posts/no-such-post'],
  ['sign-in', '/login'],
];

for (const [name, path] of pages) {
  test(`the ${name} page keeps to its content security policy`, async ({ page }) => {
    const violations = await collectPolicyViolations(page);
    await page.goto(path);
    await waitUntilLive(page);
    await expect(page.locator('main h1').first()).toBeVisible();
    expect(violations).toEqual([]);
  });
}

test('moving between pages inside the application keeps to the policy', async ({ page }) => {
  const violations = await collectPolicyViolations(page);
  await page.goto('/');
  await waitUntilLive(page);
  await page.locator('.tag-cloud a[href="/tag/content-2"]').click();
  await expect(page).toHaveURL(/\/tag\/content-2$/);
  await page.locator('.post-teaser .post-title a').first().click();
  await expect(page.locator('.post-body')).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search the blog' }).fill('alignment');
  await page.getByRole('searchbox', { name: 'Search the blog' }).press('Enter');
  await expect(page).toHaveURL(/\/search\?q=alignment/);
  expect(violations).toEqual([]);
});
