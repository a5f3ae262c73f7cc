import assert from 'node:assert/strict'
import { test } from 'node:test'
import { videoEmbedUrl } from '../src/editor.js'

const ID = 'dQw4w9WgXcQ'

test('YouTube page addresses become player addresses', () => {
  const player = `https://www.youtube.com/embed/${ID}`
  for (const url of [
    `https://www.youtube.com/watch?v=${ID}`,
    `https://www.youtube.com/watch?v=${ID}&t=42s&list=PL0123`,
    `https://youtube.com/watch?feature=share&v=${ID}`,
    `https://m.youtube.com/watch?v=${ID}`,
    `http://www.youtube.com/watch?v=${ID}`,
    `www.youtube.com/watch?v=${ID}`,
    `https://youtu.be/${ID}`,
    `https://youtu.be/${ID}?si=AbCdEf123`,
    `youtu.be/${ID}`,
    `https://www.youtube.com/shorts/${ID}`,
    `https://www.youtube.com/embed/${ID}`,
    `  https://www.youtube.com/watch?v=${ID}\n`,
  ]) {
    assert.equal(videoEmbedUrl(url), player, url)
  }
})

test('youtube-nocookie addresses keep the privacy-enhanced player', () => {
  const player = `https://www.youtube-nocookie.com/embed/${ID}`
  assert.equal(videoEmbedUrl(player), player)
  assert.equal(videoEmbedUrl(`https://youtube-nocookie.com/embed/${ID}?rel=0`), player)
})

test('Vimeo page addresses become player addresses', () => {
  assert.equal(
    videoEmbedUrl('https://vimeo.com/76979871'),
    'https://player.vimeo.com/video/76979871',
  )
  assert.equal(
    videoEmbedUrl('https://www.vimeo.com/76979871/'),
    'https://player.vimeo.com/video/76979871',
  )
  assert.equal(
    videoEmbedUrl('https://vimeo.com/channels/staffpicks/76979871'),
    'https://player.vimeo.com/video/76979871',
  )
  assert.equal(
    videoEmbedUrl('https://vimeo.com/76979871/8272103f6e'),
    'https://player.vimeo.com/video/76979871?h=8272103f6e',
  )
  assert.equal(
    videoEmbedUrl('https://player.vimeo.com/video/76979871?h=8272103f6e&autoplay=1'),
    'https://player.vimeo.com/video/76979871?h=8272103f6e',
  )
})

test('other addresses are refused', () => {
  for (const url of [
    '',
    null,
    undefined,
    'not a url',
    `javascript:alert(1)//https://www.youtube.com/watch?v=${ID}`,
    `JaVaScRiPt:alert(document.cookie)//youtu.be/${ID}`,
    `data:text/html,<script>alert(1)</script>//youtu.be/${ID}`,
    `ftp://www.youtube.com/watch?v=${ID}`,
    `https://www.youtube.com.evil.example/watch?v=${ID}`,
    `https://youtube.com.evil.example/embed/${ID}`,
    `https://evil-youtube.com/watch?v=${ID}`,
    `https://notyoutube.com/watch?v=${ID}`,
    `https://youtu.be.evil.example/${ID}`,
    `https://www.youtube.com@evil.example/watch?v=${ID}`,
    `https://evil.example/?u=https://www.youtube.com/watch?v=${ID}`,
    `https://evil.example/https://youtu.be/${ID}`,
    'https://vimeo.com.evil.example/76979871',
    'https://player.vimeo.com.evil.example/video/76979871',
    'https://example.com/video.mp4',
    'https://www.youtube.com/',
    'https://www.youtube.com/watch?v=short',
    `https://www.youtube.com/watch?v=${ID}"><script>`,
    `https://www.youtube.com/embed/${ID}/../../evil`,
    'https://www.youtube.com/@channel',
    'https://vimeo.com/about',
  ]) {
    assert.equal(videoEmbedUrl(url), null, String(url))
  }
})

test('a malformed Vimeo hash is left out', () => {
  assert.equal(
    videoEmbedUrl('https://player.vimeo.com/video/76979871?h="><script>'),
    'https://player.vimeo.com/video/76979871',
  )
})
