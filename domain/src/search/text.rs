//! Text preparation shared by both search backends; the normal form and the words themselves
//! are in `crate::text`.

use super::SearchDoc;

/// Brings the searchable texts of a document to canonical form before it is indexed, so that
/// documents written before texts were normalised at input are found like the others (and
/// the embedded index's snippets are cut from the same text its words come from).
pub fn canonical_doc(doc: &mut SearchDoc) {
    for text in [&mut doc.title, &mut doc.body] {
        if let std::borrow::Cow::Owned(canonical) = crate::text::canonical(text) {
            *text = canonical;
        }
    }
}
