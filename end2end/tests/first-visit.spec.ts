import { expect, test } from '@playwright/test';

import { collectErrors, expectSameDocument, markDocument, waitUntilLive } from './helpers';

const SEED_TITLES_NEWEST_FIRST = [
  'Using Sassen’s theory to explain the phenomenon of cluster',
  'Fu Hanqing’s Essay Question (The final one)',
  'Useful Resource: Ningbo Creative Industry Association',
  'Some Surveys from Ningbo Creative Cluster',
];

test('the home page shows the nine seed posts, newest first', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle('Creative and Waste Industries in Ningbo');
  const titles = page.locator('.post-teaser .post-title a');
  await expect(titles).toHaveCount(9);
  const texts = await titles.allTextContents();
  expect(texts.slice(0, 4)).toEqual(SEED_TITLES_NEWEST_FIRST);
  await expect(page.locator('.post-meta').first()).toContainText(
    'Posted: April 19th, 2009 | Filed under: creative industries, theory | No Comments »',
  );
});

test('the month archive lists the month in the page', async ({ page }) => {
  await page.goto('/posts/the-trip-of-e-waste-recycling');
  await waitUntilLive(page);
  await markDocument(page);
  await page.locator('.sidebar').getByRole('link', { name: 'April 2009' }).click();
  await expect(page).toHaveURL(/\/archive\/2009\/04$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Posts of April 2009');
  await expect(page.locator('.listing-count')).toHaveText('9 posts');
  await expect(page.locator('.post-teaser')).toHaveCount(9);
  await page.goBack();
  await expect(page).toHaveURL(/\/posts\/the-trip-of-e-waste-recycling$/);
  await expect(page.locator('h1.post-title')).toHaveText('The Trip of E-waste recycling');
  await expectSameDocument(page);
});

test('a post opens in the page, without loading a new document', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);
  let documentLoads = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) documentLoads += 1;
  });
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'document') requests.push(request.url());
  });

  await page.locator('#content').getByRole('link', { name: SEED_TITLES_NEWEST_FIRST[1] }).click();
  await expect(page).toHaveURL(/\/posts\/fu-hanqings-essay-question-the-final-one$/);
  await expect(page.locator('h1.post-title')).toHaveText(SEED_TITLES_NEWEST_FIRST[1]);
  await expect(page.locator('.post-body')).toContainText('migrant workers');
  await expect(page).toHaveTitle(`${SEED_TITLES_NEWEST_FIRST[1]} – Creative and Waste Industries in Ningbo`);

  await expectSameDocument(page);
  expect(requests).toEqual([]);
  expect(documentLoads).toBeLessThanOrEqual(1);
  await expect(page.getByRole('status').filter({ hasText: SEED_TITLES_NEWEST_FIRST[1] })).toHaveCount(1);

  await page.goBack();
  await expect(page.locator('.post-teaser')).toHaveCount(9);
  await expectSameDocument(page);
  expect(errors).toEqual([]);
});

test('Back and Forward show each page as the reader left it, without asking the server again', async ({ page }) => {
  await page.goto('/posts/the-trip-of-e-waste-recycling');
  await waitUntilLive(page);
  await markDocument(page);
  const draft = 'Half a thought on where the circuit boards go next';
  await page.locator('#comment-body').fill(draft);
  await page.locator('.sidebar').getByRole('link', { name: 'April 2009' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Posts of April 2009');
  const asked: string[] = [];
  page.on('request', (request) => {
    if (['document', 'fetch'].includes(request.resourceType())) asked.push(request.url());
  });

  await page.goBack();
  await expect(page.locator('h1.post-title')).toHaveText('The Trip of E-waste recycling');
  await expect(page.locator('#comment-body')).toHaveValue(draft);
  await expect(page.getByRole('status').filter({ hasText: 'The Trip of E-waste recycling' })).toHaveCount(1);
  await page.goForward();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Posts of April 2009');
  await expect(page.locator('.post-teaser')).toHaveCount(9);
  expect(asked).toEqual([]);
  await expectSameDocument(page);
});

test('back returns to where the reader had scrolled, and a new page opens at its top', async ({ page }) => {
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);
  const last = page.locator('#content .post-teaser .post-title a').last();
  await last.scrollIntoViewIfNeeded();
  const scrolled = await page.evaluate(() => scrollY);
  expect(scrolled).toBeGreaterThan(0);

  await last.click();
  await expect(page.locator('h1.post-title')).toBeVisible();
  expect(await page.evaluate(() => scrollY)).toBe(0);
  await expect(page.locator('#content')).toBeFocused();

  await page.goBack();
  await expect(page.locator('.post-teaser')).toHaveCount(9);
  await expect.poll(() => page.evaluate(() => scrollY)).toBe(scrolled);
  await expectSameDocument(page);
});

test('a page that takes longer than 10 s to arrive is loaded by the browser instead', async ({ page }) => {
  await page.goto('/');
  await waitUntilLive(page);
  await markDocument(page);
  // The script's request for the page never gets an answer; the browser's own load does.
  await page.route('**/posts/fu-hanqings-essay-question-the-final-one', async (route) => {
    if (route.request().resourceType() !== 'fetch') await route.continue();
  });

  await page.locator('#content').getByRole('link', { name: SEED_TITLES_NEWEST_FIRST[1] }).click();
  await expect(page.locator('.loading-bar')).toHaveClass(/active/);
  await expect(page.locator('h1.post-title')).toHaveText(SEED_TITLES_NEWEST_FIRST[1], { timeout: 20_000 });
  await expect(page).toHaveURL(/\/posts\/fu-hanqings-essay-question-the-final-one$/);
  expect(await page.evaluate(() => (window as unknown as { fieldnotesMark?: boolean }).fieldnotesMark)).toBeUndefined();
});

test('an unknown post shows the 404 page', async ({ page }) => {
  const response = await page.goto('/posts/no-such-post');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expect(page.getByRole('link', { name: 'Go to the newest posts' })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the same pages render and their links work', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('.post-teaser')).toHaveCount(9);
    await page.locator('#content').getByRole('link', { name: SEED_TITLES_NEWEST_FIRST[2] }).click();
    await expect(page).toHaveURL(/\/posts\/useful-resource-ningbo-creative-industry-association$/);
    await expect(page.locator('h1.post-title')).toHaveText(SEED_TITLES_NEWEST_FIRST[2]);
    await expect(page.locator('.post-body')).toContainText('Zhenhai District');
    await page.getByRole('link', { name: 'Creative and Waste Industries in Ningbo' }).click();
    await expect(page.locator('.post-teaser')).toHaveCount(9);

    const response = await page.goto('/posts/no-such-post');
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  });
});
