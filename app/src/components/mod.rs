//! Building blocks shared by pages: the shell around every signed-in page and form fields.

pub mod form;
pub mod import;
pub mod shell;
