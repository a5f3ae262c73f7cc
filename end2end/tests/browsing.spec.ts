import { expect, test, type Page } from '@playwright/test';

import { collectErrors, expectSameDocument, markDocument, waitUntilLive } from './helpers';

const heading = (page: Page) => page.getByRole('heading', { level: 1 });

test('filter by a tag, then by an author, and back again', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);

  await page.locator('.tag-cloud a[href="/tag/content-2"]').click();
  await expect(page).toHaveURL(/\/tag\/content-2$/);
  await expect(heading(page)).toHaveText('Posts tagged “content περιεχόμενο”');
  const tagged = await page.locator('.listing-count').textContent();
  await expect(page.locator('.chip')).toHaveCount(1);

  await page.locator('.post-teaser .meta-author', { hasText: 'Theme Buster' }).first().click();
  await expect(page).toHaveURL(/\/posts\?author=themedemos&tag=content-2$/);
  await expect(heading(page)).toHaveText('Posts by Theme Buster, tagged “content περιεχόμενο”');
  await expect(page.locator('.chip')).toHaveCount(2);
  for (const meta of await page.locator('.post-teaser .post-meta').all()) {
    await expect(meta).toContainText('Author: Theme Buster');
    await expect(meta).toContainText('content περιεχόμενο');
  }

  await page.reload();
  await expect(heading(page)).toHaveText('Posts by Theme Buster, tagged “content περιεχόμενο”');
  await waitUntilLive(page);
  await markDocument(page);

  await page.getByRole('link', { name: 'Remove filter Tag: content περιεχόμενο' }).click();
  await expect(page).toHaveURL(/\/author\/themedemos$/);
  await expect(heading(page)).toHaveText('Posts by Theme Buster');

  await page.goBack();
  await expect(page).toHaveURL(/\/posts\?author=themedemos&tag=content-2$/);
  await expect(page.locator('.chip')).toHaveCount(2);
  await page.goBack();
  await expect(page).toHaveURL(/\/tag\/content-2$/);
  await expect(heading(page)).toHaveText('Posts tagged “content περιεχόμενο”');
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await page.goForward();
  await expect(page).toHaveURL(/\/tag\/content-2$/);
  await page.goForward();
  await page.goForward();
  await expect(page).toHaveURL(/\/author\/themedemos$/);
  await expect(heading(page)).toHaveText('Posts by Theme Buster');
  await expectSameDocument(page);
  expect(tagged).toMatch(/^\d+ posts$/);
  expect(errors).toEqual([]);
});

test('page forward and back through the newest posts', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);
  const firstTitle = await page.locator('.post-teaser .post-title').first().textContent();

  await page.getByRole('link', { name: 'Older »' }).click();
  await expect(page).toHaveURL(/\/\?page=2$/);
  await expect(page.locator('.pagination .current')).toHaveText('2');
  const secondTitle = await page.locator('.post-teaser .post-title').first().textContent();
  expect(secondTitle).not.toEqual(firstTitle);

  await page.getByRole('link', { name: 'Page 4' }).click();
  await expect(page).toHaveURL(/\/\?page=4$/);
  await expect(page.locator('.pagination .current')).toHaveText('4');
  await expect(page).toHaveTitle(/^Page 4 – /);

  await page.getByRole('link', { name: '« Newer' }).click();
  await expect(page).toHaveURL(/\/\?page=3$/);

  await page.goBack();
  await expect(page).toHaveURL(/\/\?page=4$/);
  await page.goBack();
  await expect(page).toHaveURL(/\/\?page=2$/);
  await expect(page.locator('.post-teaser .post-title').first()).toHaveText(secondTitle ?? '');
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('.post-teaser .post-title').first()).toHaveText(firstTitle ?? '');
  await expectSameDocument(page);
  expect(errors).toEqual([]);
});

test('the archive narrows to a year and a month', async ({ page }) => {
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);
  await page.locator('.sidebar').getByRole('link', { name: '2009', exact: true }).click();
  await expect(page).toHaveURL(/\/archive\/2009$/);
  await expect(heading(page)).toHaveText('Posts of 2009');

  await page.locator('.post-teaser', { hasText: 'Using Sassen’s theory' }).getByRole('link', { name: 'April 19th, 2009' }).click();
  await expect(page).toHaveURL(/\/archive\/2009\/04$/);
  await expect(heading(page)).toHaveText('Posts of April 2009');
  await expect(page.locator('.post-teaser')).toHaveCount(9);
  await page.goBack();
  await expect(page).toHaveURL(/\/archive\/2009$/);
  await expectSameDocument(page);
});

test('search finds Chinese and English words and marks them', async ({ page }) => {
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);

  const search = page.getByRole('searchbox', { name: 'Search the blog' });
  await search.fill('慈溪');
  await search.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=%E6%85%88%E6%BA%AA$/);
  await expect(page.locator('.search-summary')).toHaveText('1 post found for “慈溪”.');
  await expect(page.locator('.search-hit mark').first()).toHaveText('慈溪');
  await expect(page.locator('.search-hit .post-title')).toContainText('Ningbo Cixi');

  const pageSearch = page.locator('#search-page');
  await pageSearch.fill('alignment');
  await pageSearch.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=alignment$/);
  await expect(page.locator('.search-hit').first()).toContainText('Alignment');

  await page.goBack();
  await expect(page).toHaveURL(/\/search\?q=%E6%85%88%E6%BA%AA$/);
  await expect(page.locator('.search-summary')).toHaveText('1 post found for “慈溪”.');
  await expectSameDocument(page);

  await page.locator('#search-page').fill('');
  await page.locator('#search-page').press('Enter');
  await expect(page.locator('.notice')).toHaveText(/Type a word or two/);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('filters, pages and search work as plain links and forms', async ({ page }) => {
    await page.goto('/');
    await page.locator('.tag-cloud a[href="/tag/content-2"]').click();
    await expect(page).toHaveURL(/\/tag\/content-2$/);
    await page.locator('.post-teaser .meta-author', { hasText: 'Theme Buster' }).first().click();
    await expect(page).toHaveURL(/\/posts\?author=themedemos&tag=content-2$/);
    await expect(heading(page)).toHaveText('Posts by Theme Buster, tagged “content περιεχόμενο”');
    await page.goBack();
    await expect(page).toHaveURL(/\/tag\/content-2$/);

    await page.goto('/');
    await page.getByRole('link', { name: 'Older »' }).click();
    await expect(page).toHaveURL(/\/\?page=2$/);
    await expect(page.locator('.pagination .current')).toHaveText('2');

    const search = page.getByRole('searchbox', { name: 'Search the blog' });
    await search.fill('慈溪');
    await search.press('Enter');
    await expect(page.locator('.search-summary')).toHaveText('1 post found for “慈溪”.');

    const response = await page.goto('/tag/no-such-tag');
    expect(response?.status()).toBe(404);
    await expect(heading(page)).toHaveText('Page not found');
  });
});
