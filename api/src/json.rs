//! The JSON answers of the API, written straight from the API's types with serde.
//!
//! poem-openapi's own `Json` payload first builds each answer as a `serde_json::Value` tree (an
//! allocated map with an owned key per field, for every object of every item) and then writes
//! that tree out: 28 % of the change feed's CPU in a profile. [`Json`] keeps the same OpenAPI
//! description (the schema still comes from poem-openapi's `Type`) but writes through the type's
//! `serde::Serialize`, which the API types derive beside `Object`.
//!
//! The two must write the same document. Timestamps are written as poem-openapi writes them
//! ([`rfc3339`], not chrono's serde format), enums and renamed fields carry the same names, and
//! in debug builds (every test run) each answer is also made the old way and compared, so a type
//! whose serde attributes drift from its `oai` attributes fails the test that reads it.

use chrono::{DateTime, Utc};
use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{
    ApiResponse,
    payload::Payload,
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::{ToJSON, Type},
};
use serde::{Serialize, Serializer};

/// A JSON answer (200 unless a response enum says otherwise).
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

const CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl<T: Type> Payload for Json<T> {
    const CONTENT_TYPE: &'static str = CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <poem_openapi::payload::Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + ToJSON> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => {
                #[cfg(debug_assertions)]
                same_as_poem_openapi(&self.0);
                Response::builder().content_type(CONTENT_TYPE).body(body)
            }
            Err(e) => {
                tracing::error!(error = %e, "an answer could not be written as JSON");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// Debug builds: the document written must equal the one poem-openapi would have written.
#[cfg(debug_assertions)]
fn same_as_poem_openapi<T: Serialize + ToJSON>(value: &T) {
    // Compared as trees (`to_value`), not by reading the bytes back: serde_json's default
    // float parsing may be one unit off in the last place.
    let written = serde_json::to_value(value).ok();
    let expected = value.to_json().unwrap_or(serde_json::Value::Null);
    debug_assert_eq!(
        written.as_ref(),
        Some(&expected),
        "the serde form of {} differs from its poem-openapi form",
        std::any::type_name::<T>()
    );
}

impl<T: Serialize + ToJSON + Type> ApiResponse for Json<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: CONTENT_TYPE,
                    schema: T::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// A timestamp as poem-openapi writes one (`2026-11-21T09:30:00.123+00:00`): for
/// `#[serde(serialize_with = "crate::json::rfc3339")]`.
pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339())
}

/// [`rfc3339`] for a timestamp that may be missing (`null`).
pub fn rfc3339_opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

/// A relevance score as poem-openapi writes an `f32` (widened to `f64`: `6.223634243011475`,
/// not serde's shortest `6.2236342`), so that both forms read back as the same number.
pub fn f32_wide<S: Serializer>(score: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(f64::from(*score))
}
