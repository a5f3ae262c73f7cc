import { expect, test, type Page } from '@playwright/test';

const SEED_TITLES_NEWEST_FIRST = [
  'Using Sassen’s theory to explain the phenomenon of cluster',
  'Fu Hanqing’s Essay Question (The final one)',
  'Useful Resource: Ningbo Creative Industry Association',
  'Some Surveys from Ningbo Creative Cluster',
];

async function waitForHydration(page: Page) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
}

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

test('a post opens in the page, without loading a new document', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto('/');
  await waitForHydration(page);
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  let documentLoads = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) documentLoads += 1;
  });
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'document') requests.push(request.url());
  });

  await page.getByRole('link', { name: SEED_TITLES_NEWEST_FIRST[1] }).click();
  await expect(page).toHaveURL(/\/posts\/fu-hanqings-essay-question-the-final-one$/);
  await expect(page.locator('h1.post-title')).toHaveText(SEED_TITLES_NEWEST_FIRST[1]);
  await expect(page.locator('.post-body')).toContainText('migrant workers');
  await expect(page).toHaveTitle(`${SEED_TITLES_NEWEST_FIRST[1]} – Creative and Waste Industries in Ningbo`);

  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(requests).toEqual([]);
  expect(documentLoads).toBeLessThanOrEqual(1);

  await page.goBack();
  await expect(page.locator('.post-teaser')).toHaveCount(9);
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  expect(errors).toEqual([]);
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
    await page.getByRole('link', { name: SEED_TITLES_NEWEST_FIRST[2] }).click();
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
