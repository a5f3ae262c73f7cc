import { expect, test } from '@playwright/test';

import { collectPolicyViolations, DOT_PNG, signIn, waitUntilLive } from './helpers';

// The pages of the people who write, the editor with every kind of content its toolbar makes,
// and the published post with its video: none may break the pages' Content Security Policy.
test('writing, from signing in to the published video, keeps to the policy', async ({ page }) => {
  const violations = await collectPolicyViolations(page);
  await signIn(page, 'cy@example.org');

  await page.goto('/write');
  await waitUntilLive(page);
  await page.locator('.rich-editor.ready').waitFor();
  const editor = page.getByRole('textbox', { name: 'Text of the post', exact: true });
  await page.getByLabel('Title').fill('A film from the market');
  await editor.click();
  await page.keyboard.type('Sorting ');
  await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Bold (Ctrl+B)', exact: true }).click();
  await page.keyboard.type('copper');
  await page.keyboard.press('Enter');
  await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Video', exact: true }).click();
  await page.getByLabel('YouTube or Vimeo address').fill('https://www.youtube.com/watch?v=ex8fMxXJDJw');
  await page.getByRole('button', { name: 'Insert video' }).click();
  await expect(editor.locator('iframe[src="https://www.youtube.com/embed/ex8fMxXJDJw"]')).toHaveCount(1);
  await page.locator('.toolbar input[type=file]').setInputFiles({
    name: 'dot.png',
    mimeType: 'image/png',
    buffer: DOT_PNG,
  });
  await page.getByLabel('Describe the image for readers who cannot see it').fill('A dot');
  await page.getByRole('button', { name: 'Insert image' }).click();
  await expect(editor.locator('img[alt="A dot"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'HTML', exact: true }).click();
  await page.getByRole('button', { name: 'HTML', exact: true }).click();
  await page.getByRole('button', { name: 'Save draft', exact: true }).click();
  await expect(page.locator('.save-state')).toHaveText(/^Saved at /);
  await expect(page).toHaveURL(/\/write\/\d+$/);
  const postPath = new URL(page.url()).pathname;
  const previewPath = postPath.replace('/write/', '/preview/');
  await page.getByLabel('Status').selectOption('published');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.locator('.save-state')).toHaveText(/^Saved at /);

  for (const path of [postPath, `${postPath}/revisions`, previewPath, '/dashboard', '/dashboard/comments', '/account']) {
    await page.goto(path);
    await waitUntilLive(page);
    await expect(page.locator('main h1, main .rich-editor').first()).toBeVisible();
  }

  await page.goto('/posts/a-film-from-the-market');
  await waitUntilLive(page);
  await expect(page.locator('.post-body iframe[src="https://www.youtube.com/embed/ex8fMxXJDJw"]')).toHaveCount(1);
  await expect(page.locator('.post-body img[alt="A dot"]')).toHaveCount(1);
  expect(violations).toEqual([]);
});

// The administrators' pages and the editor for pages.
test('running the blog keeps to the policy', async ({ page }) => {
  const violations = await collectPolicyViolations(page);
  await signIn(page, 'root@example.org');
  for (const path of ['/dashboard/settings', '/dashboard/people', '/dashboard?kind=page', '/write?kind=page']) {
    await page.goto(path);
    await waitUntilLive(page);
    await expect(page.locator('main h1, main .rich-editor').first()).toBeVisible();
  }
  await page.locator('.rich-editor.ready').waitFor();
  expect(violations).toEqual([]);
});
