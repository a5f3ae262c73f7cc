// The rich-text editor of the writing page. The page itself is Rust compiled to WebAssembly; it
// loads this module on demand and drives the editor through the small controller returned by
// `createEditor`, so that toolbar, dialogs and saving stay on the Rust side.

import { Editor, Extension, isNodeSelection } from '@tiptap/core'
import { Placeholder } from '@tiptap/extensions'
import { TextSelection } from '@tiptap/pm/state'
import { contentExtensions, isAllowedHref } from './content.js'
import { cleanPastedHtml } from './paste.js'
import { videoEmbedUrl, videoTitle } from './video.js'

export { videoEmbedUrl }

function imageFiles(files) {
  return [...(files ?? [])].filter(file => file.type.startsWith('image/'))
}

// Word and Excel put a picture of the copied text on the clipboard next to its HTML; when the
// HTML has text, the text is what was meant. A copied picture alone comes as a file.
function pastedImages(clipboard) {
  const html = clipboard.getData('text/html')
  if (html && new DOMParser().parseFromString(html, 'text/html').body.textContent.trim()) return []
  return imageFiles(clipboard.files)
}

// Pictures and videos are blocks of their own: a new one goes after a selected one instead of
// replacing it, and writing goes on in the paragraph that follows.
function insertBlock(chain, editor, content) {
  const { selection } = editor.state
  const inserting = isNodeSelection(selection)
    ? chain.insertContentAt(selection.to, content)
    : chain.insertContent(content)
  return inserting.command(({ tr, dispatch }) => {
    if (dispatch && isNodeSelection(tr.selection)) {
      const after = tr.selection.to
      if (!tr.doc.resolve(after).nodeAfter?.isTextblock)
        tr.insert(after, editor.schema.nodes.paragraph.create())
      tr.setSelection(TextSelection.create(tr.doc, after + 1))
    }
    return true
  })
}

// How each toolbar command is built on a command chain; a builder returns null when its argument
// cannot be used.
const COMMANDS = {
  paragraph: chain => chain.setParagraph(),
  heading: (chain, level) => chain.setHeading({ level: Number(level) }),
  bold: chain => chain.toggleBold(),
  italic: chain => chain.toggleItalic(),
  underline: chain => chain.toggleUnderline(),
  strike: chain => chain.toggleStrike(),
  code: chain => chain.toggleCode(),
  bulletList: chain => chain.toggleBulletList(),
  orderedList: chain => chain.toggleOrderedList(),
  blockquote: chain => chain.toggleBlockquote(),
  codeBlock: chain => chain.toggleCodeBlock(),
  horizontalRule: chain => chain.setHorizontalRule(),
  undo: chain => chain.undo(),
  redo: chain => chain.redo(),
  link: (chain, href, editor) => {
    const target = String(href ?? '').trim()
    if (!target) return chain.extendMarkRange('link').unsetLink()
    if (!isAllowedHref(target)) return null
    if (editor.state.selection.empty && !editor.isActive('link')) {
      // Nothing to put the link on: the address itself becomes the linked text, and what is
      // typed after it is not part of the link.
      return chain
        .insertContent({
          type: 'text',
          text: target,
          marks: [{ type: 'link', attrs: { href: target } }],
        })
        .unsetMark('link')
    }
    return chain.extendMarkRange('link').setLink({ href: target })
  },
  unlink: chain => chain.extendMarkRange('link').unsetLink(),
  image: (chain, image, editor) =>
    image?.src
      ? insertBlock(chain, editor, {
          type: 'image',
          attrs: { src: image.src, alt: image.alt || null },
        })
      : null,
  video: (chain, url, editor) => {
    const src = videoEmbedUrl(url)
    return src
      ? insertBlock(chain, editor, { type: 'video', attrs: { src, title: videoTitle(src) } })
      : null
  },
}

/**
 * Mounts the editor in the empty element `host`.
 *
 * options: { html, label, placeholder, onChange(html), onSelection(), onFiles(files),
 * onLinkShortcut() }, every one optional.
 */
export function createEditor(host, options = {}) {
  const { onChange, onSelection, onFiles, onLinkShortcut } = options
  const extensions = contentExtensions()
  if (options.placeholder) {
    extensions.push(Placeholder.configure({ placeholder: options.placeholder }))
  }
  if (onLinkShortcut) {
    extensions.push(
      Extension.create({
        name: 'linkShortcut',
        addKeyboardShortcuts: () => ({
          'Mod-k': () => {
            onLinkShortcut()
            return true
          },
        }),
      }),
    )
  }

  const editor = new Editor({
    element: host,
    // The page's policy allows no inline styles: ProseMirror's own rules are in the site's
    // stylesheet instead.
    injectCSS: false,
    extensions,
    content: options.html ?? '',
    editorProps: {
      attributes: {
        class: 'editor-content',
        role: 'textbox',
        'aria-multiline': 'true',
        ...(options.label ? { 'aria-label': options.label } : {}),
      },
      transformPastedHTML: html => cleanPastedHtml(html, new DOMParser()),
      handlePaste: (_view, event) => {
        const images = onFiles && event.clipboardData ? pastedImages(event.clipboardData) : []
        if (!images.length) return false
        onFiles(images)
        return true
      },
      handleDrop: (view, event, _slice, moved) => {
        const images = onFiles && !moved ? imageFiles(event.dataTransfer?.files) : []
        if (!images.length) return false
        // The pictures go where they were dropped once they are uploaded.
        const dropped = view.posAtCoords({ left: event.clientX, top: event.clientY })
        if (dropped) editor.commands.setTextSelection(dropped.pos)
        onFiles(images)
        return true
      },
    },
    onUpdate: () => onChange?.(editor.getHTML()),
    onSelectionUpdate: () => onSelection?.(),
    onTransaction: () => onSelection?.(),
  })

  const apply = (chain, command, arg) => {
    const built = COMMANDS[command]?.(chain, arg, editor)
    return built ? built.run() : false
  }

  return {
    /** Applies a toolbar command; true when it changed something. */
    run: (command, arg) => apply(editor.chain().focus(), command, arg),
    /** Whether `run(command, arg)` would apply now, e.g. for enabling undo and redo. */
    canRun: (command, arg) => apply(editor.can().chain(), command, arg),
    isActive: (name, attrs) => editor.isActive(name, attrs),
    linkHref: () => editor.getAttributes('link').href ?? '',
    /** Replaces the document without reporting it as a change. */
    setHtml: html => {
      editor.commands.setContent(html ?? '', { emitUpdate: false })
    },
    focus: () => {
      editor.commands.focus()
    },
    destroy: () => editor.destroy(),
    uploadImage,
  }
}

/**
 * Stores a picture in the media library; resolves to the stored item ({ id, url, … }).
 * Rejects with the server's explanation when it refuses.
 */
async function uploadImage(file) {
  const response = await fetch(`/api/v1/media?filename=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    body: file,
    headers: { 'Content-Type': file.type || 'application/octet-stream' },
    credentials: 'same-origin',
  })
  if (!response.ok) throw new Error(await problemMessage(response))
  return response.json()
}

// Errors from the API are application/problem+json documents (RFC 9457).
async function problemMessage(response) {
  const fallback = `The upload failed (HTTP ${response.status}).`
  if (!(response.headers.get('Content-Type') ?? '').includes('json')) return fallback
  try {
    const problem = await response.json()
    return problem.detail || problem.title || fallback
  } catch {
    return fallback
  }
}
