import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DOMParser } from 'linkedom'
import { cleanPastedHtml } from '../src/paste.js'

// Browsers put a clipboard fragment into <html><body>; linkedom makes the fragment's first element
// the document instead, so fragments are given to it as whole documents.
const parser = {
  parseFromString: (html, type) =>
    new DOMParser().parseFromString(
      /<html[\s>]/i.test(html) ? html : `<html><body>${html}</body></html>`,
      type,
    ),
}
const clean = html => cleanPastedHtml(html, parser).replace(/>\s+</g, '><').trim()

// What Word for Windows puts on the clipboard for a paragraph, a bulleted list with a nested
// item, another paragraph and a numbered list with a lettered sub-item.
const WORD = `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=ProgId content=Word.Document>
<meta name=Generator content="Microsoft Word 15">
<link rel=File-List href="file:///C:/Users/ann/AppData/Local/Temp/msohtmlclip1/01/clip_filelist.xml">
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]-->
<style>
<!--
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}
@list l0:level1 {mso-level-number-format:bullet; mso-level-text:\\F0B7;}
@list l1:level1 {mso-level-tab-stop:none;}
-->
</style>
</head>
<body lang=EN-GB style='tab-interval:36.0pt;word-wrap:break-word'>
<!--StartFragment-->
<p class=MsoNormal>Packing for the <b>coast</b> walk, <i>in order</i>:<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol;mso-bidi-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Boots<o:p></o:p></p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:72.0pt;mso-add-space:auto;text-indent:-18.0pt;mso-list:l0 level2 lfo1'><![if !supportLists]><span style='font-family:"Courier New";mso-fareast-font-family:"Courier New"'><span style='mso-list:Ignore'>o<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span></span><![endif]>Spare laces<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol;mso-bidi-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Rain jacket<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Then:<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-bidi-font-family:Calibri'><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Check the tides<o:p></o:p></p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:72.0pt;mso-add-space:auto;text-indent:-18.0pt;mso-list:l1 level2 lfo2'><![if !supportLists]><span style='mso-bidi-font-family:Calibri'><span style='mso-list:Ignore'>a.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Low water after noon<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-bidi-font-family:Calibri'><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Leave a note<o:p></o:p></p>
<p class=MsoNormal><img width=320 height=200 src="file:///C:/Users/ann/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" alt="Map of the route"></p>
<!--EndFragment-->
</body>
</html>`

test('Word list paragraphs become nested lists', () => {
  assert.equal(
    clean(WORD),
    '<p>Packing for the <b>coast</b> walk, <i>in order</i>:</p>' +
      '<ul><li>Boots<ul><li>Spare laces</li></ul></li><li>Rain jacket</li></ul>' +
      '<p></p>' +
      '<p>Then:</p>' +
      '<ol><li>Check the tides<ol><li>Low water after noon</li></ol></li><li>Leave a note</li></ol>' +
      '<p></p>',
  )
})

test('Word markup leaves no trace', () => {
  const html = clean(WORD)
  for (const leftover of [
    'mso-',
    'Mso',
    'style',
    'class=',
    '<o:p',
    '<meta',
    '<link',
    '<xml',
    'file:',
    '<!--',
    '·',
  ]) {
    assert.ok(!html.includes(leftover), `${leftover} is left in ${html}`)
  }
})

// Google Docs wraps the whole selection in a <b> that is not bold and says everything with styles.
const GOOGLE_DOCS = `<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-4c1f2a7e-7fff-3b2d-91c3-5d0c8e2f6a11"><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">The ferry leaves at </span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:700;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">nine</span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">, </span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:italic;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">weather permitting</span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">. See </span><a href="https://example.com/timetable" style="text-decoration:none;"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#1155cc;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:underline;-webkit-text-decoration-skip:none;text-decoration-skip-ink:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">the timetable</span></a><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">.</span></p><br><ul style="margin-top:0;margin-bottom:0;padding-inline-start:48px;"><li dir="ltr" style="list-style-type:disc;font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;" aria-level="1"><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;" role="presentation"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:700;font-style:italic;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">Tickets</span></p></li></ul></b>`

test('Google Docs styled runs become strong and em', () => {
  const html = clean(GOOGLE_DOCS)
  assert.ok(
    html.startsWith(
      '<p dir="ltr">The ferry leaves at <strong>nine</strong>, <em>weather permitting</em>. See ',
    ),
    html,
  )
  assert.ok(html.includes('<a href="https://example.com/timetable">the timetable</a>.</p>'), html)
  assert.ok(
    html.includes(
      '<li dir="ltr" aria-level="1"><p dir="ltr" role="presentation"><em><strong>Tickets</strong></em></p></li>',
    ),
    html,
  )
})

test('Google Docs wrapper, styles and spans are gone', () => {
  const html = clean(GOOGLE_DOCS)
  for (const leftover of [
    'docs-internal-guid',
    '<b ',
    '<span',
    'style=',
    'class=',
    '<meta',
    '<u>',
  ]) {
    assert.ok(!html.includes(leftover), `${leftover} is left in ${html}`)
  }
})

// LibreOffice Writer copies a whole document: doctype, head with meta, title and styles, and
// formatting in <font> elements.
const LIBREOFFICE = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">
<html>
<head>
	<meta http-equiv="content-type" content="text/html; charset=utf-8"/>
	<title></title>
	<meta name="generator" content="LibreOffice 7.6.4.1 (Linux)"/>
	<style type="text/css">
		@page { size: 21cm 29.7cm; margin: 2cm }
		p { line-height: 115%; margin-bottom: 0.25cm; background: transparent }
		h2.western { font-family: "Liberation Sans", sans-serif; font-size: 16pt }
	</style>
</head>
<body lang="en-GB" link="#000080" vlink="#800000" dir="ltr">
<h2 class="western"><font face="Liberation Sans, sans-serif">Day two</font></h2>
<p style="line-height: 100%; margin-bottom: 0cm"><font face="Liberation Serif, serif"><font size="3" style="font-size: 12pt">We reached the <b>lighthouse</b> by <i>noon</i>.</font></font></p>
<p style="line-height: 100%; margin-bottom: 0cm"><font color="#c9211e"><font face="Liberation Serif, serif"><font size="3" style="font-size: 12pt"><span style="text-decoration: underline">Closed</span> on Mondays.</font></font></font></p>
</body>
</html>`

test('LibreOffice fonts, head and classes are dropped', () => {
  assert.equal(
    clean(LIBREOFFICE),
    '<h2>Day two</h2>' +
      '<p>We reached the <b>lighthouse</b> by <i>noon</i>.</p>' +
      '<p><u>Closed</u> on Mondays.</p>',
  )
})

test('plain HTML passes through', () => {
  const html =
    '<h3>Notes</h3><p>A <a href="/posts/tides">link</a> and <code>code</code>.</p><blockquote><p>Quoted</p></blockquote>'
  assert.equal(clean(html), html)
})
