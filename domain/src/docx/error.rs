use thiserror::Error;

/// Why an upload was not converted. The messages are for the person who uploaded the file; the
/// site shows its own Thai and English text keyed by [`DocxError::code`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocxError {
    #[error("The file is {size} bytes; Word files up to {limit} bytes can be imported.")]
    TooLarge { size: usize, limit: usize },
    #[error(
        "The file is not a Word document (.docx). If it is an older .doc file or a \
         password-protected document, open it in Word and save it as an unprotected .docx."
    )]
    NotZip,
    #[error(
        "The file would expand to far more data than a Word document holds, so it was not \
         opened."
    )]
    ZipBomb,
    #[error(
        "The file contains macros (.docm). Save it in Word as a plain Word document (.docx) \
         and upload that."
    )]
    MacroEnabled,
    #[error("The file is a zip archive but not a Word document: it has no word/document.xml.")]
    NotWord,
    #[error("The Word document could not be read ({detail}). Save it again in Word and retry.")]
    Malformed { detail: String },
}

impl DocxError {
    /// Stable snake_case name; never renamed once released.
    pub fn code(&self) -> &'static str {
        match self {
            DocxError::TooLarge { .. } => "docx_too_large",
            DocxError::NotZip => "docx_not_zip",
            DocxError::ZipBomb => "docx_zip_bomb",
            DocxError::MacroEnabled => "docx_macro_enabled",
            DocxError::NotWord => "docx_not_word",
            DocxError::Malformed { .. } => "docx_malformed",
        }
    }

    /// The refusal as a validation error on the form field that carried the file, so a page
    /// shows it beside the field like any other (its code is [`DocxError::code`]).
    pub fn into_field_error(self, field: &str) -> crate::DomainError {
        crate::DomainError::invalid(field, self.code(), self.to_string())
    }

    pub(super) fn malformed(detail: impl std::fmt::Display) -> Self {
        DocxError::Malformed {
            detail: detail.to_string(),
        }
    }
}
