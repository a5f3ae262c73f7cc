// What a post's body may contain, as the editor's schema: the formatting the toolbar offers,
// links to web pages and mail addresses, pictures and embedded videos. Anything else that is
// loaded or pasted is dropped or turned into the nearest of these.

import Image from '@tiptap/extension-image'
import StarterKit from '@tiptap/starter-kit'
import { Video } from './video.js'

// Links may lead to web pages, mail addresses and paths on this site; other schemes
// (javascript:, data:, file:, …) are refused.
const LINK_SCHEMES = new Set(['http', 'https', 'mailto'])
// Browsers ignore control characters and whitespace in a URL, so `java\tscript:` is `javascript:`.
const IGNORED_IN_URLS = /[\u0000-\u0020\u00a0\u1680\u2000-\u200b\u2028\u2029\u205f\u3000\ufeff]/g

export function isAllowedHref(href) {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(String(href ?? '').replace(IGNORED_IN_URLS, ''))
  return !scheme || LINK_SCHEMES.has(scheme[1].toLowerCase())
}

export function contentExtensions() {
  return [
    StarterKit.configure({
      heading: { levels: [2, 3, 4] },
      link: {
        openOnClick: false,
        autolink: true,
        isAllowedUri: isAllowedHref,
        HTMLAttributes: { rel: 'noopener noreferrer', target: null },
      },
    }),
    Image.configure({ inline: false, allowBase64: false }),
    Video,
  ]
}
