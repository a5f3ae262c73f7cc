//! The rich text editor of the writing page: a toolbar over a Tiptap (ProseMirror) editor. The
//! editor's JavaScript is loaded only here, by a dynamic `import()` once the page is live, so
//! the reading pages never fetch it. Until it has loaded (or when it cannot), the body is a
//! plain HTML text area; a switch shows the HTML source at any time.

use leptos::prelude::*;

/// The editor's commands as the toolbar offers them: command, argument, label, shortcut.
const FORMAT_BUTTONS: [(&str, Option<u8>, &str, &str); 14] = [
    ("paragraph", None, "Paragraph", "¶"),
    ("heading", Some(2), "Heading 2", "H2"),
    ("heading", Some(3), "Heading 3", "H3"),
    ("bold", None, "Bold (Ctrl+B)", "B"),
    ("italic", None, "Italic (Ctrl+I)", "I"),
    ("underline", None, "Underline (Ctrl+U)", "U"),
    ("strike", None, "Strikethrough (Ctrl+Shift+S)", "S"),
    ("code", None, "Code (Ctrl+E)", "</>"),
    ("bulletList", None, "Bulleted list (Ctrl+Shift+8)", "•"),
    ("orderedList", None, "Numbered list (Ctrl+Shift+7)", "1."),
    ("blockquote", None, "Quote (Ctrl+Shift+B)", "❝"),
    ("codeBlock", None, "Code block (Ctrl+Alt+C)", "{ }"),
    ("horizontalRule", None, "Horizontal rule", "—"),
    ("undo", None, "Undo (Ctrl+Z)", "↶"),
];

/// Which extra panel of the toolbar is open.
#[derive(Debug, Clone, PartialEq)]
enum Panel {
    None,
    Link,
    Video,
    /// An uploaded image waiting for its description.
    ImageAlt(String),
}

/// The editor. `html` is the body, kept up to date as the writer types.
#[component]
pub fn RichEditor(html: RwSignal<String>, #[prop(into)] label: String) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    let file_input = NodeRef::<leptos::html::Input>::new();
    let ready = RwSignal::new(false);
    let unknown_formatting = has_unknown_formatting(&html.get_untracked());
    let source_view = RwSignal::new(unknown_formatting);
    let selection = RwSignal::new(0u32);
    let panel = RwSignal::new(Panel::None);
    let link_href = RwSignal::new(String::new());
    let video_url = RwSignal::new(String::new());
    let image_alt = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(false);
    let editor = bridge::Editor::new();

    let source_label = format!("{label} (HTML)");
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(host) = host.get() {
            editor.mount(
                host,
                html,
                &label,
                bridge::Events {
                    ready,
                    selection,
                    panel_link: Callback::new(move |()| {
                        link_href.set(editor.link_href());
                        panel.set(Panel::Link);
                    }),
                    upload: Callback::new(move |file| {
                        upload(editor, file, uploading, message, panel);
                    }),
                },
            );
        }
    });

    let active = move |name: &'static str, level: Option<u8>| {
        selection.track();
        editor.is_active(name, level)
    };
    let can_run = move |command: &'static str| {
        selection.track();
        editor.can_run(command)
    };
    let run = move |command: &'static str, level: Option<u8>| {
        editor.run(command, level.map(f64::from));
        editor.focus();
    };
    let toggle_source = move |_| {
        if source_view.get_untracked() {
            editor.set_html(&html.get_untracked());
            source_view.set(false);
        } else {
            source_view.set(true);
        }
    };
    let choose_file = move |_| {
        if let Some(input) = file_input.get() {
            input.click();
        }
    };
    let file_chosen = move |_| {
        if let Some(file) = file_input
            .get()
            .and_then(|input| bridge::first_file(&input))
        {
            upload(editor, file, uploading, message, panel);
        }
    };
    let apply_link = move |_| {
        editor.run_text("link", &link_href.get_untracked());
        panel.set(Panel::None);
        editor.focus();
    };
    let remove_link = move |_| {
        editor.run("unlink", None);
        panel.set(Panel::None);
        editor.focus();
    };
    let insert_video = move |()| {
        if editor.run_text("video", &video_url.get_untracked()) {
            video_url.set(String::new());
            panel.set(Panel::None);
            message.set(None);
        } else {
            message.set(Some(
                "Paste the address of a YouTube or Vimeo video.".to_string(),
            ));
        }
    };
    let insert_image = move |src: String| {
        editor.insert_image(&src, image_alt.get_untracked().trim());
        image_alt.set(String::new());
        panel.set(Panel::None);
        editor.focus();
    };

    let format_buttons = FORMAT_BUTTONS
        .into_iter()
        .map(|(command, level, label, text)| {
            view! {
                <button
                    type="button"
                    class="tool"
                    title=label
                    aria-label=label
                    aria-pressed=move || active(command, level).to_string()
                    disabled=move || command == "undo" && !can_run("undo")
                    on:mousedown=keep_focus
                    on:click=move |_| run(command, level)
                >
                    {text}
                </button>
            }
        })
        .collect_view();

    view! {
        <div class="rich-editor" class:ready=ready class:source=source_view>
            <div class="toolbar" role="toolbar" aria-label="Formatting">
                {format_buttons}
                <button type="button" class="tool" title="Redo (Ctrl+Shift+Z)" aria-label="Redo"
                    disabled=move || !can_run("redo") on:mousedown=keep_focus on:click=move |_| run("redo", None)>"↷"</button>
                <button type="button" class="tool" title="Link (Ctrl+K)" aria-label="Link"
                    aria-pressed=move || active("link", None).to_string()
                    on:click=move |_| {
                        link_href.set(editor.link_href());
                        panel.set(Panel::Link);
                    }>"Link"</button>
                <button type="button" class="tool" title="Image" aria-label="Image"
                    disabled=uploading on:click=choose_file>"Image"</button>
                <button type="button" class="tool" title="Video (YouTube or Vimeo)" aria-label="Video"
                    on:click=move |_| panel.set(Panel::Video)>"Video"</button>
                <button type="button" class="tool source-switch" aria-pressed=move || source_view.get().to_string()
                    on:click=toggle_source>"HTML"</button>
                <input type="file" class="visually-hidden" tabindex="-1" aria-hidden="true"
                    accept="image/jpeg,image/png,image/gif,image/webp"
                    node_ref=file_input on:change=file_chosen />
            </div>
            {move || match panel.get() {
                Panel::None => ().into_any(),
                Panel::Link => view! {
                    <div class="tool-panel">
                        <label for="link-address">"Link address"</label>
                        <input id="link-address" type="url" placeholder="https://"
                            prop:value=link_href on:input=move |ev| link_href.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); apply_link(()); } />
                        <button type="button" on:click=move |_| apply_link(())>"Apply link"</button>
                        <button type="button" on:click=remove_link>"Remove link"</button>
                        <button type="button" on:click=move |_| panel.set(Panel::None)>"Cancel"</button>
                    </div>
                }.into_any(),
                Panel::Video => view! {
                    <div class="tool-panel">
                        <label for="video-address">"YouTube or Vimeo address"</label>
                        <input id="video-address" type="url" placeholder="https://www.youtube.com/watch?v=…"
                            prop:value=video_url on:input=move |ev| video_url.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); insert_video(()); } />
                        <button type="button" on:click=move |_| insert_video(())>"Insert video"</button>
                        <button type="button" on:click=move |_| panel.set(Panel::None)>"Cancel"</button>
                    </div>
                }.into_any(),
                Panel::ImageAlt(src) => {
                    let insert_src = src.clone();
                    view! {
                        <div class="tool-panel">
                            <img class="upload-preview" src=src alt="" />
                            <label for="image-alt">"Describe the image for readers who cannot see it"</label>
                            <input id="image-alt" type="text" prop:value=image_alt
                                on:input=move |ev| image_alt.set(event_target_value(&ev))
                                on:keydown={
                                    let src = insert_src.clone();
                                    move |ev| if ev.key() == "Enter" { ev.prevent_default(); insert_image(src.clone()); }
                                } />
                            <button type="button" on:click=move |_| insert_image(insert_src.clone())>"Insert image"</button>
                        </div>
                    }.into_any()
                }
            }}
            {move || message.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {move || uploading.get().then(|| view! { <p class="field-hint" role="status">"Uploading the image…"</p> })}
            {move || (unknown_formatting && source_view.get()).then(|| view! {
                <p class="field-hint" role="note">
                    "This post has formatting the rich editor does not know (tables, captions, classes or the like), \
                     so it is shown as HTML and nothing is lost. Switching to the rich view may drop that formatting."
                </p>
            })}
            <div class="editor-host" node_ref=host></div>
            <textarea
                class="html-source"
                aria-label=source_label
                prop:value=html
                on:input=move |ev| html.set(event_target_value(&ev))
            >{html.get_untracked()}</textarea>
            {move || (!ready.get()).then(|| view! { <p class="field-hint">"Loading the editor… (you can write HTML meanwhile)"</p> })}
        </div>
    }
    .into_any()
}

/// Markup the editor's document has no place for, which it would drop on the first change.
const UNKNOWN_TO_THE_EDITOR: [&str; 27] = [
    "<table", "<figure", "<video", "<audio", "<sub", "<sup", "<dl", "<h1", "<h5", "<h6", "<div",
    "<span", "<font", "<center", "<small", "<big", "<abbr", "<cite", "<q ", "<q>", "<del", "<ins",
    "<mark", "<kbd", " class=", " id=", " srcset=",
];

/// Whether a body holds markup the rich editor would drop.
fn has_unknown_formatting(html: &str) -> bool {
    let html = html.to_ascii_lowercase();
    UNKNOWN_TO_THE_EDITOR
        .iter()
        .any(|markup| html.contains(markup))
}

/// Keeps the text's focus and selection when a toolbar button is pressed, so that the command
/// applies to them and typing goes on where it was.
fn keep_focus(event: leptos::ev::MouseEvent) {
    event.prevent_default();
}

fn upload(
    editor: bridge::Editor,
    file: bridge::File,
    uploading: RwSignal<bool>,
    message: RwSignal<Option<String>>,
    panel: RwSignal<Panel>,
) {
    uploading.set(true);
    message.set(None);
    leptos::task::spawn_local(async move {
        match editor.upload(file).await {
            Ok(url) => panel.set(Panel::ImageAlt(url)),
            Err(error) => message.set(Some(error)),
        }
        uploading.set(false);
    });
}

/// The JavaScript side, reached through wasm-bindgen in the browser; on the server every call
/// does nothing, since the editor exists only in the browser.
#[cfg(feature = "hydrate")]
#[path = "browser_bridge.rs"]
mod bridge;
#[cfg(not(feature = "hydrate"))]
#[path = "server_bridge.rs"]
mod bridge;
