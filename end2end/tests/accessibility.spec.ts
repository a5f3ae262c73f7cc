import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

import { waitUntilLive } from './helpers';

const pages = [
  ['home', '/'],
  ['post', '/posts/markup-image-alignment'],
  ['protected post', '/posts/template-password-protected'],
  ['tag', '/tag/content-2'],
  ['combined filters', '/posts?author=themedemos&tag=content-2'],
  ['search', '/search?q=alignment'],
  ['not found', '/posts/no-such-post'],
];

for (const [name, path] of pages) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`the ${name} page has no accessibility violations (${colorScheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await page.goto(path);
      await waitUntilLive(page);
      const results = await new AxeBuilder({ page }).analyze();
      const violations = results.violations.map((violation) => ({
        id: violation.id,
        help: violation.help,
        nodes: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
      }));
      expect(violations).toEqual([]);
    });
  }
}

test('a narrow screen shows the content first and nothing wider than the screen', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/tag/content-2');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const content = await page.locator('#content').boundingBox();
  const sidebar = await page.locator('.sidebar').boundingBox();
  expect(content && sidebar && sidebar.y > content.y).toBe(true);
});
