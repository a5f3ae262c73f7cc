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
mod bridge {
    use leptos::prelude::*;
    use wasm_bindgen::prelude::*;

    pub use web_sys::File;

    #[wasm_bindgen(inline_js = "export function loadEditor(host, options) { \
        return import('/editor/editor.js').then((module) => module.createEditor(host, options)); }")]
    extern "C" {
        #[wasm_bindgen(js_name = loadEditor)]
        fn load_editor(host: &web_sys::HtmlElement, options: &JsValue) -> js_sys::Promise;

        type Controller;
        #[wasm_bindgen(method)]
        fn run(this: &Controller, command: &str, argument: &JsValue) -> bool;
        #[wasm_bindgen(method, js_name = canRun)]
        fn can_run(this: &Controller, command: &str) -> bool;
        #[wasm_bindgen(method, js_name = isActive)]
        fn is_active(this: &Controller, name: &str, attributes: &JsValue) -> bool;
        #[wasm_bindgen(method, js_name = linkHref)]
        fn link_href(this: &Controller) -> String;
        #[wasm_bindgen(method, js_name = setHtml)]
        fn set_html(this: &Controller, html: &str);
        #[wasm_bindgen(method)]
        fn focus(this: &Controller);
        #[wasm_bindgen(method)]
        fn destroy(this: &Controller);
        #[wasm_bindgen(method, js_name = uploadImage)]
        fn upload_image(this: &Controller, file: &File) -> js_sys::Promise;
    }

    /// What the editor tells the page.
    pub struct Events {
        pub ready: RwSignal<bool>,
        pub selection: RwSignal<u32>,
        pub panel_link: Callback<()>,
        pub upload: Callback<File>,
    }

    /// The mounted editor and the callbacks it holds, dropped with the page.
    struct Mounted {
        controller: Option<Controller>,
        _callbacks: Vec<Box<dyn std::any::Any>>,
    }

    #[derive(Clone, Copy)]
    pub struct Editor(StoredValue<Option<Mounted>, LocalStorage>);

    fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
        let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
    }

    impl Editor {
        pub fn new() -> Self {
            let editor = Editor(StoredValue::new_local(None));
            on_cleanup(move || {
                editor.with(|controller| controller.destroy());
            });
            editor
        }

        fn with<T>(self, f: impl FnOnce(&Controller) -> T) -> Option<T> {
            self.0
                .try_with_value(|mounted| {
                    mounted
                        .as_ref()
                        .and_then(|mounted| mounted.controller.as_ref())
                        .map(f)
                })
                .flatten()
        }

        pub fn mount(
            self,
            host: web_sys::HtmlDivElement,
            html: RwSignal<String>,
            label: &str,
            events: Events,
        ) {
            if self.0.with_value(Option::is_some) {
                return;
            }
            let on_change = Closure::<dyn FnMut(String)>::new(move |body: String| html.set(body));
            let selection = events.selection;
            let on_selection = Closure::<dyn FnMut()>::new(move || {
                selection.update(|tick| *tick = tick.wrapping_add(1));
            });
            let upload = events.upload;
            let on_files = Closure::<dyn FnMut(js_sys::Array)>::new(move |files: js_sys::Array| {
                if let Some(file) = files.iter().find_map(|file| file.dyn_into::<File>().ok()) {
                    upload.run(file);
                }
            });
            let panel_link = events.panel_link;
            let on_link = Closure::<dyn FnMut()>::new(move || panel_link.run(()));
            let options = js_sys::Object::new();
            set(&options, "html", &JsValue::from_str(&html.get_untracked()));
            set(&options, "label", &JsValue::from_str(label));
            set(
                &options,
                "placeholder",
                &JsValue::from_str("Write your post…"),
            );
            set(&options, "onChange", on_change.as_ref());
            set(&options, "onSelection", on_selection.as_ref());
            set(&options, "onFiles", on_files.as_ref());
            set(&options, "onLinkShortcut", on_link.as_ref());
            self.0.set_value(Some(Mounted {
                controller: None,
                _callbacks: vec![
                    Box::new(on_change),
                    Box::new(on_selection),
                    Box::new(on_files),
                    Box::new(on_link),
                ],
            }));
            let promise = load_editor(&host, &options);
            let ready = events.ready;
            leptos::task::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(controller) => {
                        let controller: Controller = controller.unchecked_into();
                        let Some(body) = html.try_get_untracked() else {
                            controller.destroy();
                            return;
                        };
                        controller.set_html(&body);
                        let mut unplaced = Some(controller);
                        self.0.try_update_value(|mounted| {
                            if let Some(mounted) = mounted {
                                mounted.controller = unplaced.take();
                            }
                        });
                        match unplaced {
                            Some(unused) => unused.destroy(),
                            None => ready.set(true),
                        }
                    }
                    Err(error) => leptos::logging::error!("the editor did not load: {error:?}"),
                }
            });
        }

        pub fn run(self, command: &str, argument: Option<f64>) -> bool {
            let argument = argument.map_or(JsValue::UNDEFINED, JsValue::from_f64);
            self.with(|editor| editor.run(command, &argument))
                .unwrap_or(false)
        }

        pub fn run_text(self, command: &str, argument: &str) -> bool {
            self.with(|editor| editor.run(command, &JsValue::from_str(argument)))
                .unwrap_or(false)
        }

        pub fn insert_image(self, src: &str, alt: &str) {
            let image = js_sys::Object::new();
            set(&image, "src", &JsValue::from_str(src));
            set(&image, "alt", &JsValue::from_str(alt));
            self.with(|editor| editor.run("image", &image));
        }

        pub fn is_active(self, name: &str, level: Option<u8>) -> bool {
            let attributes = match level {
                Some(level) => {
                    let attributes = js_sys::Object::new();
                    set(&attributes, "level", &JsValue::from_f64(f64::from(level)));
                    attributes.into()
                }
                None => JsValue::UNDEFINED,
            };
            self.with(|editor| editor.is_active(name, &attributes))
                .unwrap_or(false)
        }

        pub fn link_href(self) -> String {
            self.with(Controller::link_href).unwrap_or_default()
        }

        pub fn can_run(self, command: &str) -> bool {
            self.with(|editor| editor.can_run(command)).unwrap_or(false)
        }

        pub fn set_html(self, html: &str) {
            self.with(|editor| editor.set_html(html));
        }

        pub fn focus(self) {
            self.with(Controller::focus);
        }

        /// Uploads an image; its address, or why it failed.
        pub async fn upload(self, file: File) -> Result<String, String> {
            let promise = self
                .with(|editor| editor.upload_image(&file))
                .ok_or_else(|| "The editor is still loading.".to_string())?;
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(uploaded) => js_sys::Reflect::get(&uploaded, &JsValue::from_str("url"))
                    .ok()
                    .and_then(|url| url.as_string())
                    .ok_or_else(|| "The server did not say where the image is.".to_string()),
                Err(error) => Err(error
                    .dyn_ref::<js_sys::Error>()
                    .map(|error| String::from(error.message()))
                    .unwrap_or_else(|| "The upload failed.".to_string())),
            }
        }
    }

    pub fn first_file(input: &web_sys::HtmlInputElement) -> Option<File> {
        let file = input.files()?.get(0);
        input.set_value("");
        file
    }
}

#[cfg(not(feature = "hydrate"))]
mod bridge {
    /// A file chosen for upload; none exist outside the browser.
    pub enum File {}

    #[derive(Clone, Copy)]
    pub struct Editor;

    impl Editor {
        pub fn new() -> Self {
            Editor
        }

        pub fn run(self, _command: &str, _argument: Option<f64>) -> bool {
            false
        }

        pub fn run_text(self, _command: &str, _argument: &str) -> bool {
            false
        }

        pub fn insert_image(self, _src: &str, _alt: &str) {}

        pub fn is_active(self, _name: &str, _level: Option<u8>) -> bool {
            false
        }

        pub fn link_href(self) -> String {
            String::new()
        }

        pub fn can_run(self, _command: &str) -> bool {
            false
        }

        pub fn set_html(self, _html: &str) {}

        pub fn focus(self) {}

        pub async fn upload(self, file: File) -> Result<String, String> {
            match file {}
        }
    }

    pub fn first_file<I>(_input: &I) -> Option<File> {
        None
    }
}
