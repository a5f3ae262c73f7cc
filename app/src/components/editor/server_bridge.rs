//! The editor's side on the server, where no editor exists: every call does nothing, so that the
//! writing page renders the same markup there as in the browser.

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
