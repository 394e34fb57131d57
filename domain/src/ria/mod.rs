//! Regulatory impact assessment (RIA): the analysis a drafting agency must publish with a draft
//! law.
//!
//! Section 13 of the Act on Legislative Drafting and Evaluation of Law B.E. 2562 and the Cabinet
//! guidelines under it require, before a draft is submitted, an analysis of the problem and its
//! cause, why the state must act, the objectives, the alternatives (doing nothing and non-legal
//! measures included) with their pros and cons, who is affected and how, the economic, social
//! and environmental impacts, the costs and burdens on the public and the state, every licensing
//! system, committee, discretionary power and criminal penalty the draft creates (each with an
//! explicit justification), the agency's readiness, the consultation's results and a plan for
//! evaluating the law (at least every five years).
//!
//! [`ImpactAssessment`] is that document as data. The module is pure: no I/O, no clock, no
//! database.
//!
//! * [`ImpactAssessment::validate`] reports every problem at once as [`FieldError`]s with paths
//!   such as `alternatives[2].description` and stable codes: `required`, `too_long`, `too_many`
//!   (a list over [`MAX_ITEMS`]), `out_of_range` (review interval, or money over [`MAX_THB`]), `invalid_value` (more than one chosen
//!   alternative), `missing_alternative` and `justification_required`.
//! * [`ImpactAssessment::totals`] sums costs and monetised benefits per [`Bearer`]. Sums are
//!   `u128`, so no input can overflow them; money is whole baht, never floating point. (For
//!   assessments that passed validation every sum is below 2^53; `serde_json::Value` cannot hold
//!   numbers above `u64::MAX`, which only unvalidated input can reach.)
//! * [`ImpactAssessment::render`] produces the published report as Markdown (Thai headings with
//!   English in parentheses, cost and benefit tables with thousands separators) and as HTML
//!   sanitised by [`crate::markdown::render_html`].
//!
//! # User text in the generated Markdown
//!
//! Every user-supplied string is escaped before it is placed in the Markdown, so it always
//! renders as the literal text the user typed: no emphasis, links, raw HTML, headings, lists,
//! code blocks or table cells can be created from it. Inline markup characters
//! (`` \ ` * _ ~ [ ] < & | ``) are backslash-escaped everywhere; block markers (`#`, `>`, `-`,
//! `+`, `=`, `1.`/`1)`) are escaped at the start of each line; leading and trailing whitespace
//! of each line is dropped (no indented code blocks, no two-space hard breaks). In tables and
//! list items line breaks collapse to spaces; in paragraphs single line breaks become hard
//! breaks and blank lines separate paragraphs. The sanitiser is a second, independent line of
//! defence: even if escaping missed something, no script, event handler or `javascript:` URL
//! can reach the HTML.
//!
//! `render` does not validate: it renders whatever it is given (blank texts become `—`), so
//! callers should publish only assessments whose `validate` returned no errors.
//!
//! The model is in `model.rs`, the checks in `validation.rs`, the report in `render.rs`; the
//! example assessment the tests use (`example.rs`) is compiled only for tests.

mod model;
mod render;
mod validation;

#[cfg(any(test, feature = "test-support"))]
mod example;
#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "test-support"))]
pub use example::example;
pub use model::*;
