import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getSchema } from '@tiptap/core'
import { DOMParser as SchemaParser, DOMSerializer } from '@tiptap/pm/model'
import { DOMParser } from 'linkedom'
import { contentExtensions, isAllowedHref } from '../src/content.js'

// Loads HTML into the editor's schema and writes it out again, as the editor does with a stored
// body; the result is a container element to inspect.
const schema = getSchema(contentExtensions())
function roundTrip(html) {
  const document = new DOMParser().parseFromString(`<html><body>${html}</body></html>`, 'text/html')
  const doc = SchemaParser.fromSchema(schema).parse(document.body)
  const out = document.createElement('div')
  out.append(DOMSerializer.fromSchema(schema).serializeFragment(doc.content, { document }))
  return out
}

test('formatting the toolbar offers survives', () => {
  const html =
    '<h2>Route</h2><h3>Start</h3><h4>Parking</h4>' +
    '<p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s> <code>c</code></p>' +
    '<ul><li><p>one</p></li></ul><ol><li><p>two</p></li></ol>' +
    '<blockquote><p>quote</p></blockquote><pre><code>code</code></pre><hr>'
  assert.equal(roundTrip(html).innerHTML, html)
})

test('headings outside levels 2 to 4 become paragraphs', () => {
  assert.equal(roundTrip('<h1>Title</h1><h5>Small</h5>').innerHTML, '<p>Title</p><p>Small</p>')
})

test('links to web pages, mail addresses and site paths are kept', () => {
  for (const href of [
    'https://example.com/a?b=c',
    'http://example.com',
    'mailto:ann@example.com',
    '/posts/tides',
    '#notes',
  ]) {
    const link = roundTrip(`<p><a href="${href}">x</a></p>`).querySelector('a')
    assert.equal(link?.getAttribute('href'), href)
    assert.equal(link.getAttribute('rel'), 'noopener noreferrer')
    assert.equal(link.hasAttribute('target'), false)
  }
})

test('links with other schemes are dropped, their text kept', () => {
  for (const href of [
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,x',
    'ftp://example.com',
    'tel:+441234',
    'file:///etc/passwd',
  ]) {
    assert.equal(isAllowedHref(href), false, href)
    assert.equal(roundTrip(`<p><a href="${href}">x</a></p>`).innerHTML, '<p>x</p>', href)
  }
})

test('players of YouTube and Vimeo are kept as videos', () => {
  for (const src of [
    'https://www.youtube.com/embed/dQw4w9WgXcQ',
    'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30',
    'https://player.vimeo.com/video/76979871',
  ]) {
    const frame = roundTrip(
      `<iframe src="${src}" title="Walk" sandbox="allow-scripts" loading="lazy"></iframe>`,
    ).querySelector('iframe')
    assert.equal(frame?.getAttribute('src'), src)
    assert.equal(frame.getAttribute('title'), 'Walk')
    assert.equal(frame.getAttribute('width'), '640')
    assert.equal(frame.getAttribute('height'), '360')
    assert.equal(frame.getAttribute('frameborder'), '0')
    assert.equal(frame.hasAttribute('allowfullscreen'), true)
    assert.equal(frame.hasAttribute('sandbox'), false)
  }
})

test('other frames are dropped', () => {
  for (const src of [
    'https://evil.example/embed/',
    'https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ',
    'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    'javascript:alert(1)',
  ]) {
    assert.equal(roundTrip(`<p>a</p><iframe src="${src}"></iframe>`).innerHTML, '<p>a</p>', src)
  }
})

test('pictures are kept, except those inlined as data', () => {
  const img = roundTrip(
    '<img src="/media/7/boots.jpg" alt="Boots" title="Old boots">',
  ).querySelector('img')
  assert.equal(img?.getAttribute('src'), '/media/7/boots.jpg')
  assert.equal(img.getAttribute('alt'), 'Boots')
  assert.equal(img.getAttribute('title'), 'Old boots')
  assert.equal(
    roundTrip('<p>a</p><img src="data:image/png;base64,iVBORw0KGgo=">').innerHTML,
    '<p>a</p>',
  )
})
