//! The editor's side in the browser: Tiptap, loaded by a dynamic `import()` and driven through
//! wasm-bindgen.

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
