import { expect, test, type Page } from '@playwright/test';

import { collectErrors, DOT_PNG, signIn, waitUntilLive } from './helpers';

async function openEditor(page: Page, path: string) {
  await page.goto(path);
  await waitUntilLive(page);
  await page.locator('.rich-editor.ready').waitFor();
  return page.getByRole('textbox', { name: 'Text of the post', exact: true });
}

async function tool(page: Page, name: string) {
  await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name, exact: true }).click();
}

async function save(page: Page, button: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect(page.locator('.save-state')).toHaveText(/^Saved at /);
}

test.describe.configure({ mode: 'serial' });

let postPath = '';

test('an author writes a post with the toolbar, saves a draft and publishes it', async ({ page }) => {
  const errors = collectErrors(page);
  await signIn(page, 'ada@example.org');
  const editor = await openEditor(page, '/write');
  await page.getByLabel('Title').fill('Notes from the recycling market');

  await editor.click();
  await page.keyboard.type('Hello ');
  await tool(page, 'Bold (Ctrl+B)');
  await page.keyboard.type('brave');
  await tool(page, 'Bold (Ctrl+B)');
  await page.keyboard.type(' world.');
  await page.keyboard.press('Enter');
  await tool(page, 'Bulleted list (Ctrl+Shift+8)');
  await page.keyboard.type('copper');
  await page.keyboard.press('Enter');
  await page.keyboard.type('plastics');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('See ');
  await tool(page, 'Link');
  await page.getByLabel('Link address').fill('https://example.org/market');
  await page.getByRole('button', { name: 'Apply link' }).click();

  await page.locator('.toolbar input[type=file]').setInputFiles({
    name: 'red dot.png',
    mimeType: 'image/png',
    buffer: DOT_PNG,
  });
  await page.getByLabel('Describe the image for readers who cannot see it').fill('A red dot');
  await page.getByRole('button', { name: 'Insert image' }).click();

  await expect(editor.locator('strong')).toHaveText('brave');
  await expect(editor.locator('ul li')).toHaveText(['copper', 'plastics']);
  await expect(editor.locator('a[href="https://example.org/market"]')).toHaveCount(1);
  await expect(editor.locator('img[alt="A red dot"]')).toHaveCount(1);

  await page.getByLabel('Tags').fill('markets');
  await page.getByLabel('Tags').press('Enter');
  await expect(page.locator('.tag-chips')).toContainText('markets');

  await save(page, 'Save draft');
  await expect(page).toHaveURL(/\/write\/\d+$/);
  postPath = new URL(page.url()).pathname;
  await expect(page.locator('.slug-hint')).toHaveText('/posts/notes-from-the-recycling-market');

  await page.getByLabel('Status').selectOption('published');
  await save(page, 'Publish');

  await page.goto('/');
  await expect(page.locator('.post-teaser .post-title a').first()).toHaveText('Notes from the recycling market');
  await page.goto('/tag/markets');
  await expect(page.locator('.post-teaser .post-title a')).toHaveText(['Notes from the recycling market']);
  await page.goto('/posts/notes-from-the-recycling-market');
  const body = page.locator('.post-body');
  await expect(body.locator('strong')).toHaveText('brave');
  await expect(body.locator('ul li')).toHaveText(['copper', 'plastics']);
  await expect(body.locator('a[href="https://example.org/market"]')).toHaveCount(1);
  const image = body.locator('img[alt="A red dot"]');
  await expect(image).toHaveAttribute('src', /^\/media\/[0-9a-f]{32}\/red-dot\.png$/);
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  expect(errors).toEqual([]);
});

test('an author edits the post and restores an earlier revision', async ({ page }) => {
  await signIn(page, 'ada@example.org');
  const editor = await openEditor(page, postPath);
  await editor.locator('p').first().click();
  await page.keyboard.press('End');
  await page.keyboard.type(' Added later.');
  await save(page, 'Update');
  await page.goto('/posts/notes-from-the-recycling-market');
  await expect(page.locator('.post-body')).toContainText('Added later.');

  await page.goto(`${postPath}/revisions`);
  await waitUntilLive(page);
  const revisions = page.locator('.revision-list a');
  await expect(revisions).toHaveCount(3);
  await revisions.last().click();
  await expect(page.locator('.diff-added')).toContainText('Added later.');
  await page.getByRole('button', { name: 'Restore this revision' }).click();
  await expect(page).toHaveURL(new RegExp(`${postPath}$`));

  await page.goto('/posts/notes-from-the-recycling-market');
  await expect(page.locator('.post-body strong')).toHaveText('brave');
  await expect(page.locator('.post-body')).not.toContainText('Added later.');
});

test('an author cannot open another author’s post for editing', async ({ page }) => {
  await signIn(page, 'bo@example.org');
  const response = await page.goto(postPath);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toContainText('Authors can change only their own posts.');
  await expect(page.locator('.rich-editor')).toHaveCount(0);
});

test('a script written into the HTML of a post never runs for its readers', async ({ page }) => {
  await signIn(page, 'bo@example.org');
  await openEditor(page, '/write');
  await page.getByLabel('Title').fill('Markup test');
  await page.getByRole('button', { name: 'HTML', exact: true }).click();
  await page.getByLabel('Text of the post (HTML)').fill(
    [
      '<p>Before.</p>',
      '<script>alert("script")</script>',
      '<img src="x" onerror="alert(\'onerror\')">',
      '<a href="javascript:alert(\'link\')" id="js-link">click me</a>',
      '<svg><script>alert("svg")</script></svg>',
      '<iframe src="javascript:alert(\'frame\')"></iframe>',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert("mxss")></style></mglyph></table></mtext></math>',
      '<p>After.</p>',
    ].join('\n'),
  );
  await page.getByLabel('Status').selectOption('published');
  await save(page, 'Publish');

  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const errors = collectErrors(page);
  await page.goto('/posts/markup-test');
  await waitUntilLive(page);
  await expect(page.locator('.post-body')).toContainText('After.');
  const link = page.locator('.post-body a', { hasText: 'click me' });
  if ((await link.count()) > 0) {
    await link.click();
  }
  await page.waitForTimeout(500);
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  expect(await page.locator('.post-body script, .post-body svg, .post-body [onerror]').count()).toBe(0);
});

test('reading pages load no WebAssembly, and writing pages load the one bundle', async ({ page }) => {
  const requested: string[] = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  await page.goto('/');
  await waitUntilLive(page);
  await page.goto('/posts/notes-from-the-recycling-market');
  await waitUntilLive(page);
  expect(requested.filter((path) => /\.(wasm|js)$/.test(path))).toEqual([]);

  await signIn(page, 'cy@example.org');
  const wasm = requested.filter((path) => path.endsWith('.wasm'));
  expect(wasm.length).toBeGreaterThan(0);
  expect(wasm.filter((path) => !/^\/pkg\/fieldnotes\.[\w-]+\.wasm$/.test(path))).toEqual([]);
  expect(requested.filter((path) => path.startsWith('/editor/'))).toEqual([]);
});

test('a reader comments, an editor approves it, and a reply nests under it', async ({ browser }) => {
  const post = '/posts/notes-from-the-recycling-market';
  const payload = '<script>alert("comment")</script><img src=x onerror=alert(1)> Is copper sorted by hand?';

  const reader = await (await browser.newContext()).newPage();
  const dialogs: string[] = [];
  reader.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await reader.goto(post);
  await waitUntilLive(reader);
  await reader.getByLabel('Name').fill('Li Wei');
  await reader.getByLabel('E-mail (never shown)').fill('li.wei@example.org');
  await reader.getByLabel('Comment', { exact: true }).fill(payload);
  await reader.getByRole('button', { name: 'Post the comment' }).click();
  await expect(reader).toHaveURL(new RegExp(`${post}#comment-\\d+$`));
  const own = reader.locator('.comment.awaiting');
  await expect(own).toContainText(payload);
  await expect(own).toContainText('Your comment is awaiting moderation.');

  const editor = await (await browser.newContext()).newPage();
  await signIn(editor, 'cy@example.org');
  await editor.goto('/dashboard/comments');
  await waitUntilLive(editor);
  const queued = editor.locator('.queued-comment', { hasText: 'Is copper sorted by hand?' });
  await expect(queued).toContainText('li.wei@example.org');
  await queued.getByRole('button', { name: 'Approve' }).click();
  await expect(editor.locator('.queued-comment', { hasText: 'Is copper sorted by hand?' })).toHaveCount(0);

  const other = await (await browser.newContext()).newPage();
  other.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const errors = collectErrors(other);
  await other.goto(post);
  await waitUntilLive(other);
  const shown = other.locator('.comment', { hasText: 'Is copper sorted by hand?' });
  await expect(shown).toContainText(payload);
  await expect(other.locator('#comments-heading')).toHaveText('1 Comment');

  await shown.getByRole('link', { name: 'Reply to Li Wei' }).click();
  await expect(other.getByRole('heading', { name: 'Reply' })).toBeVisible();
  await other.getByLabel('Name').fill('Ada Reader');
  await other.getByLabel('E-mail (never shown)').fill('ada.reader@example.org');
  await other.getByLabel('Comment', { exact: true }).fill('By hand, mostly.');
  await other.getByRole('button', { name: 'Post the comment' }).click();
  await expect(other.locator('.comment-replies .comment.awaiting')).toContainText('By hand, mostly.');

  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
});

test('signing out everywhere ends the session of every browser', async ({ browser }) => {
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await signIn(laptop, 'bo@example.org');
  await signIn(phone, 'bo@example.org');
  const errors = collectErrors(phone);
  await phone.goto('/account');
  await waitUntilLive(phone);
  await phone.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(phone.getByRole('navigation', { name: 'Your account' })).toContainText('Sign in');
  await expect(phone.getByRole('heading', { name: 'Please sign in' })).toBeVisible();

  await laptop.goto('/account');
  await expect(laptop.getByRole('navigation', { name: 'Your account' })).toContainText('Sign in');
  await expect(laptop.getByRole('heading', { name: 'Please sign in' })).toBeVisible();
  // Signed out, the page's own request for the tokens is answered 401, as it should be.
  expect(errors.filter((error) => !error.includes('status of 401'))).toEqual([]);
});

test('a writer protects a post with a password in the editor, and removes it', async ({ page, browser }) => {
  await signIn(page, 'bo@example.org');
  const editor = await openEditor(page, '/write');
  await page.getByLabel('Title').fill('Minutes of the cooperative');
  await editor.click();
  await page.keyboard.type('Only for the members.');
  await page.getByLabel('Password', { exact: true }).fill('members only');
  await page.getByLabel('Status').selectOption('published');
  await save(page, 'Publish');

  const reader = await (await browser.newContext()).newPage();
  await reader.goto('/posts/minutes-of-the-cooperative');
  await expect(reader.locator('h1.post-title')).toHaveText('Minutes of the cooperative');
  await expect(reader.getByText('Only for the members.')).toHaveCount(0);
  await reader.getByLabel('Password', { exact: true }).fill('members only');
  await reader.getByRole('button', { name: 'Enter', exact: true }).click();
  await expect(reader.locator('.post-body')).toHaveText('Only for the members.');

  await page.reload();
  await waitUntilLive(page);
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('members only');
  await page.getByLabel('Password', { exact: true }).fill('');
  await save(page, 'Update');
  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto('/posts/minutes-of-the-cooperative');
  await expect(stranger.locator('.post-body')).toHaveText('Only for the members.');
});
