import { expect, test } from '@playwright/test';

import { collectErrors, signIn, waitUntilLive } from './helpers';

test.describe.configure({ mode: 'serial' });

test('an administrator renames the blog on the settings page, and a bad title is refused', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, 'root@example.org');
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  const title = page.getByLabel('Title', { exact: true });
  const before = await title.inputValue();

  await title.fill('   ');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not saved: the title cannot be empty' })).toBeVisible();

  await title.fill('Fieldwork 田野');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.goto('/');
  await expect(page.locator('.site-title')).toHaveText('Fieldwork 田野');

  await page.goto('/dashboard/settings');
  await waitUntilLive(page);
  await page.getByLabel('Title', { exact: true }).fill(before);
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  expect(errors.filter((error) => !error.includes('status of 400'))).toEqual([]);
});

test('an administrator sets the time zone, date format and posts per page, and readers see them', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, 'root@example.org');
  await page.goto('/dashboard/settings');
  await waitUntilLive(page);
  const zone = page.getByLabel(/^Time zone/);
  await zone.fill('Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not saved: “Mars/Olympus_Mons” is not a time zone' })).toBeVisible();

  await zone.fill('Pacific/Kiritimati');
  await page.getByLabel('Date format').selectOption('j F Y');
  await page.getByLabel(/^Posts on a page/).fill('2');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.goto('/');
  await expect(page.locator('.post-teaser')).toHaveCount(2);
  await expect(page.locator('.post-meta time').first()).toHaveText(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);
  await waitUntilLive(page);
  await page.getByRole('link', { name: 'Page 2' }).click();
  await expect(page).toHaveURL(/\?page=2$/);
  await expect(page.locator('.post-teaser')).toHaveCount(2);
  await expect(page.locator('.post-meta time').first()).toHaveText(/^\d{1,2} [A-Z][a-z]+ \d{4}$/);

  await page.goto('/dashboard/settings');
  await waitUntilLive(page);
  await page.getByLabel(/^Time zone/).fill('UTC');
  await page.getByLabel('Date format').selectOption('F jS, Y');
  await page.getByLabel(/^Posts on a page/).fill('10');
  await page.getByRole('button', { name: 'Save the settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  // The browser notes the refused save's 400 on its console; nothing else may go wrong.
  expect(errors.filter((error) => !error.includes('status of 400'))).toEqual([]);
});

test('an administrator adds a person, who chooses a password through a one-time link', async ({ page, browser }) => {
  const errors = collectErrors(page);
  await signIn(page, 'root@example.org');
  await page.getByRole('link', { name: 'People', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'People' })).toBeVisible();
  await waitUntilLive(page);
  await page.getByLabel('E-mail address (they sign in with it)').fill('dee@example.org');
  await page.getByLabel('Name, as readers see it').fill('Dee Newcomer');
  await page.getByLabel('Role', { exact: true }).selectOption('author');
  await page.getByRole('button', { name: 'Add and make a sign-in link' }).click();
  const link = await page.locator('.sign-in-link').textContent();
  expect(link).toContain('/welcome/');
  const row = page.locator('tr', { hasText: 'dee@example.org' });
  await expect(row).toContainText('has not chosen a password yet');

  const newcomerContext = await browser.newContext();
  const newcomer = await newcomerContext.newPage();
  await newcomer.goto(new URL(link ?? '').pathname);
  await expect(newcomer.getByRole('heading', { name: 'Welcome, Dee Newcomer' })).toBeVisible();
  await waitUntilLive(newcomer);
  await newcomer.getByLabel(/^New password/).fill('a password of my own');
  await newcomer.getByLabel('The new password again').fill('a password of my own');
  await newcomer.getByRole('button', { name: 'Choose this password and sign in' }).click();
  await expect(newcomer).toHaveURL(/\/dashboard$/);
  await expect(newcomer.getByRole('heading', { name: 'Your posts' })).toBeVisible();

  await page.reload();
  await waitUntilLive(page);
  await expect(row).toContainText('can sign in');
  await row.getByRole('button', { name: 'Turn off' }).click();
  await expect(row).toContainText('turned off');
  await newcomer.goto('/dashboard');
  await expect(newcomer.getByRole('heading', { name: 'Please sign in' })).toBeVisible();

  await newcomer.goto(new URL(link ?? '').pathname);
  await expect(newcomer.getByRole('alert').filter({ hasText: 'sign-in link' })).toBeVisible();
  await newcomerContext.close();
  expect(errors).toEqual([]);
});

test('an editor writes a page, and readers find it in the sidebar', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, 'cy@example.org');
  await page.getByRole('link', { name: 'Write a new page' }).click();
  await waitUntilLive(page);
  await page.locator('.rich-editor.ready').waitFor();
  await expect(page.getByRole('heading', { name: 'Page' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Categories' })).toHaveCount(0);
  await page.getByLabel('Title').fill('About the group');
  await page.getByRole('textbox', { name: 'Text of the post', exact: true }).click();
  await page.keyboard.type('We study recycling in Ningbo.');
  await page.getByLabel('Order (lower first)').fill('-5');
  await page.getByLabel('Status').selectOption('published');
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(page.locator('.save-state')).toHaveText(/^Saved at /);
  await expect(page.locator('.slug-hint')).toHaveText('/pages/about-the-group');

  await page.goto('/');
  const pages = page.getByRole('navigation', { name: 'Pages' });
  await expect(pages.getByRole('link').first()).toHaveText('About the group');
  await pages.getByRole('link', { name: 'About the group' }).click();
  await expect(page).toHaveURL(/\/pages\/about-the-group$/);
  await expect(page.getByText('We study recycling in Ningbo.')).toBeVisible();

  await page.goto('/dashboard?kind=page');
  await expect(page.getByRole('heading', { name: 'Pages' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'About the group' }).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('an administrator downloads the whole blog as a WordPress file from the dashboard', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, 'root@example.org');
  await page.goto('/dashboard');
  await waitUntilLive(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export the blog (WordPress file)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^fieldnotes-\d{4}-\d{2}-\d{2}\.xml$/);
  const path = await download.path();
  const fs = await import('node:fs/promises');
  const text = await fs.readFile(path, 'utf8');
  expect(text).toContain('<wp:wxr_version>1.2</wp:wxr_version>');
  expect(text.trimEnd().endsWith('</rss>')).toBe(true);
  expect(errors).toEqual([]);
});
