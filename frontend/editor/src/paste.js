// Turns the HTML that word processors (Word, Google Docs, LibreOffice) put on the clipboard into
// plain structural HTML that the editor's schema understands.

const JUNK_TAGS = new Set(['style', 'meta', 'link', 'xml', 'script', 'title', 'o:p'])
const WORD_LIST_ITEM = /mso-list:\s*l(\d+)\s+level(\d+)/i
const WORD_LIST_MARKER = /mso-list:\s*ignore/i
const NUMBERED_MARKER = /^[0-9a-z]+[.)]$/i

export function cleanPastedHtml(html, parser) {
  const doc = parser.parseFromString(html, 'text/html')
  const body = doc.body

  removeComments(body)
  for (const el of body.querySelectorAll('*')) {
    if (JUNK_TAGS.has(el.tagName.toLowerCase()) || isLocalImage(el)) el.remove()
  }

  convertWordLists(doc)
  for (const span of body.querySelectorAll('span')) {
    if (WORD_LIST_MARKER.test(span.getAttribute('style') ?? '')) span.remove()
  }

  for (const wrapper of body.querySelectorAll('b[id^="docs-internal-guid"]')) unwrap(wrapper)
  for (const span of body.querySelectorAll('span')) applySpanStyle(doc, span)
  for (const el of body.querySelectorAll('span, font')) unwrap(el)

  for (const list of body.querySelectorAll('ul > ul, ul > ol, ol > ul, ol > ol')) {
    const item = list.previousElementSibling
    if (item?.tagName.toLowerCase() === 'li') item.append(list)
  }

  for (const el of body.querySelectorAll('[style], [class]')) {
    el.removeAttribute('style')
    el.removeAttribute('class')
  }
  return body.innerHTML
}

function removeComments(node) {
  for (const child of [...node.childNodes]) {
    if (child.nodeType === 8) child.remove()
    else removeComments(child)
  }
}

// Word keeps pictures as files on the copying machine, which the browser cannot read.
function isLocalImage(el) {
  return el.tagName.toLowerCase() === 'img' && /^file:/i.test(el.getAttribute('src') ?? '')
}

function unwrap(el) {
  el.replaceWith(...el.childNodes)
}

function parseStyle(el) {
  const style = new Map()
  for (const declaration of (el.getAttribute('style') ?? '').split(';')) {
    const colon = declaration.indexOf(':')
    if (colon > 0) {
      const property = declaration.slice(0, colon).trim().toLowerCase()
      style.set(property, declaration.slice(colon + 1).trim().toLowerCase())
    }
  }
  return style
}

// Word writes each list item as a paragraph carrying its list and level in `mso-list`, with the
// bullet or number as text inside a `mso-list:Ignore` span.
function convertWordLists(doc) {
  const groups = []
  let previous = null
  for (const p of doc.body.querySelectorAll('p')) {
    if (!WORD_LIST_ITEM.test(p.getAttribute('style') ?? '')) continue
    if (previous && previous.nextElementSibling === p) groups.at(-1).push(p)
    else groups.push([p])
    previous = p
  }
  for (const group of groups) buildList(doc, group)
}

function buildList(doc, paragraphs) {
  const open = []
  for (const p of paragraphs) {
    const level = Number(WORD_LIST_ITEM.exec(p.getAttribute('style'))[2])
    const marker = [...p.querySelectorAll('span')].find(span =>
      WORD_LIST_MARKER.test(span.getAttribute('style') ?? ''),
    )
    const ordered = NUMBERED_MARKER.test(marker?.textContent.trim() ?? '')
    marker?.remove()

    const fits = list => list.level < level || (list.level === level && list.ordered === ordered)
    while (open.length && !fits(open.at(-1))) open.pop()
    if (!open.length || open.at(-1).level < level) {
      const list = doc.createElement(ordered ? 'ol' : 'ul')
      if (open.length) open.at(-1).list.lastElementChild.append(list)
      else p.before(list)
      open.push({ list, level, ordered })
    }

    const item = doc.createElement('li')
    item.append(...p.childNodes)
    open.at(-1).list.append(item)
    p.remove()
  }
}

function applySpanStyle(doc, span) {
  const style = parseStyle(span)
  const weight = style.get('font-weight') ?? ''
  const decoration = style.get('text-decoration') ?? style.get('text-decoration-line') ?? ''
  const tags = []
  if (weight === 'bold' || weight === 'bolder' || Number(weight) >= 600) tags.push('strong')
  if (style.get('font-style') === 'italic') tags.push('em')
  // Links are underlined by the page; Google Docs repeats it on every linked run.
  if (decoration.includes('underline') && !span.closest('a')) tags.push('u')
  if (decoration.includes('line-through')) tags.push('s')
  for (const tag of tags) {
    const el = doc.createElement(tag)
    el.append(...span.childNodes)
    span.append(el)
  }
}
