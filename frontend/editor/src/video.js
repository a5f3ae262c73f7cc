// Videos in a post: a page address from YouTube or Vimeo becomes the address of that site's
// embedded player, and the player is kept in the document as a block of its own.

import { Node, mergeAttributes } from '@tiptap/core'

// The players a post may show; the site keeps only frames whose address starts with one of these.
const YOUTUBE_PLAYER = 'https://www.youtube.com/embed/'
const YOUTUBE_NOCOOKIE_PLAYER = 'https://www.youtube-nocookie.com/embed/'
const VIMEO_PLAYER = 'https://player.vimeo.com/video/'
const PLAYER_SOURCES = [YOUTUBE_PLAYER, YOUTUBE_NOCOOKIE_PLAYER, VIMEO_PLAYER]

const YOUTUBE_HOSTS = new Set(['youtube.com', 'www.youtube.com', 'm.youtube.com'])
const YOUTUBE_NOCOOKIE_HOSTS = new Set(['youtube-nocookie.com', 'www.youtube-nocookie.com'])
const VIMEO_HOSTS = new Set(['vimeo.com', 'www.vimeo.com'])
const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/
const YOUTUBE_PATH = /^\/(?:embed|shorts|live)\/([^/]+)\/?$/
// vimeo.com/ID, vimeo.com/ID/HASH (unlisted videos), vimeo.com/channels/NAME/ID
const VIMEO_PAGE_PATH = /^\/(?:channels\/[\w-]+\/)?(\d+)(?:\/([0-9a-f]+))?\/?$/
const VIMEO_PLAYER_PATH = /^\/video\/(\d+)\/?$/

/**
 * The address of the embedded player for a YouTube or Vimeo video, given the address of the
 * video's page (or of its player), or null for anything else.
 */
export function videoEmbedUrl(input) {
  const text = String(input ?? '').trim()
  let url
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`)
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  const host = url.hostname.toLowerCase()

  if (YOUTUBE_HOSTS.has(host) || YOUTUBE_NOCOOKIE_HOSTS.has(host)) {
    const id =
      url.pathname === '/watch' ? url.searchParams.get('v') : YOUTUBE_PATH.exec(url.pathname)?.[1]
    if (!id || !YOUTUBE_ID.test(id)) return null
    const player = YOUTUBE_NOCOOKIE_HOSTS.has(host) ? YOUTUBE_NOCOOKIE_PLAYER : YOUTUBE_PLAYER
    return player + id
  }
  if (host === 'youtu.be') {
    const id = url.pathname.slice(1).replace(/\/$/, '')
    return YOUTUBE_ID.test(id) ? YOUTUBE_PLAYER + id : null
  }
  if (VIMEO_HOSTS.has(host)) {
    const match = VIMEO_PAGE_PATH.exec(url.pathname)
    if (!match) return null
    return VIMEO_PLAYER + match[1] + (match[2] ? `?h=${match[2]}` : '')
  }
  if (host === 'player.vimeo.com') {
    const id = VIMEO_PLAYER_PATH.exec(url.pathname)?.[1]
    if (!id) return null
    const hash = url.searchParams.get('h')
    return VIMEO_PLAYER + id + (hash && /^[0-9a-f]+$/.test(hash) ? `?h=${hash}` : '')
  }
  return null
}

/** A name for the player, read out by screen readers. */
export function videoTitle(embedUrl) {
  return embedUrl.startsWith(VIMEO_PLAYER) ? 'Vimeo video' : 'YouTube video'
}

export const Video = Node.create({
  name: 'video',
  group: 'block',
  atom: true,
  draggable: true,

  addAttributes() {
    return {
      src: { default: null },
      title: { default: null },
    }
  },

  parseHTML() {
    return [
      {
        tag: 'iframe[src]',
        getAttrs: dom => {
          const src = dom.getAttribute('src')
          return PLAYER_SOURCES.some(source => src.startsWith(source)) ? null : false
        },
      },
    ]
  },

  renderHTML({ HTMLAttributes }) {
    return [
      'iframe',
      mergeAttributes(
        { width: '640', height: '360', allowfullscreen: '', frameborder: '0' },
        HTMLAttributes,
      ),
    ]
  },
})
