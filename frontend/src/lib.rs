//! The browser side of Fieldnotes: hydrates a server-rendered writing page into the live
//! application.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
