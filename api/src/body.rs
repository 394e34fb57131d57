//! JSON request bodies, parsed with serde so that every problem names its field.
//!
//! poem-openapi's own `Json<T>` reports parse errors as one string. [`JsonBody`] keeps the
//! schema of `T` in the OpenAPI document but parses with serde (with `deny_unknown_fields` on
//! every request object) and `serde_path_to_error`, so a wrong type, a missing field or an
//! unknown field (mass assignment of `id`, `status`, `agency_id`...) is answered with the
//! field's path and a stable code.

use domain::{ErrorCode, error::FieldError};
use poem::{Request, RequestBody};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry},
    types::Type,
};
use serde::de::DeserializeOwned;

use crate::error::{Problem, ProblemError};

/// Largest request body the API reads.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<'a, T: Type + DeserializeOwned + Send> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: "application/json",
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<()>,
    ) -> poem::Result<Self> {
        let is_json = request
            .content_type()
            .and_then(|ct| ct.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(ProblemError(Problem::new(
                ErrorCode::UnsupportedMediaType,
                "send the body as application/json",
            ))
            .into());
        }
        let too_large = || -> poem::Error {
            ProblemError(Problem::new(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than {MAX_REQUEST_BYTES} bytes"),
            ))
            .into()
        };
        // Read at most the limit, whatever Content-Length claims.
        let bytes = body
            .take()?
            .into_bytes_limit(MAX_REQUEST_BYTES)
            .await
            .map_err(|e| match e {
                poem::error::ReadBodyError::PayloadTooLarge => too_large(),
                other => other.into(),
            })?;
        // serde reads a struct from a JSON array too (`[null, null]` as the first fields); every
        // body is an object, so an array is the wrong type, as the schema says.
        let is_object = matches!(T::schema_ref(), MetaSchemaRef::Reference(_));
        if is_object && bytes.trim_ascii_start().starts_with(b"[") {
            return Err(ProblemError(
                Problem::new(
                    ErrorCode::ValidationFailed,
                    "the request is not valid; see `errors`",
                )
                .with_errors(vec![FieldError::new(
                    "body",
                    "invalid_type",
                    "invalid type: sequence, expected an object",
                )]),
            )
            .into());
        }
        parse(&bytes)
            .map(JsonBody)
            .map_err(|p| ProblemError(p).into())
    }
}

/// Parses a JSON body into `T`, describing any failure as a problem.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        match inner.classify() {
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => Problem::new(
                ErrorCode::MalformedJson,
                format!("the body is not valid JSON: {message}"),
            ),
            serde_json::error::Category::Data => {
                if backticked(&message, "unknown field `").is_some() {
                    // For an unknown field, the path already ends with its name.
                    let mut errors = vec![FieldError::new(path, "unknown_field", message)];
                    errors.extend(more_unknown_fields::<T>(bytes, &errors[0].field));
                    let names: Vec<String> =
                        errors.iter().map(|e| format!("`{}`", e.field)).collect();
                    let detail = match names.as_slice() {
                        [one] => format!("{one} is not a field of this request"),
                        many => format!("{} are not fields of this request", many.join(", ")),
                    };
                    Problem::new(ErrorCode::UnknownField, detail).with_errors(errors)
                } else if let Some(name) = backticked(&message, "missing field `") {
                    Problem::new(
                        ErrorCode::ValidationFailed,
                        "the request is not valid; see `errors`",
                    )
                    .with_errors(vec![FieldError::new(
                        join_path(&path, &name),
                        "required",
                        format!("`{name}` is required"),
                    )])
                } else {
                    let field = if path == "." {
                        "body".to_string()
                    } else {
                        path
                    };
                    let code = if message.starts_with("invalid type") {
                        "invalid_type"
                    } else {
                        "invalid_value"
                    };
                    Problem::new(
                        ErrorCode::ValidationFailed,
                        "the request is not valid; see `errors`",
                    )
                    .with_errors(vec![FieldError::new(
                        field,
                        code,
                        strip_position(&message),
                    )])
                }
            }
        }
    })
}

/// Most unknown fields named in one answer.
const MAX_UNKNOWN_FIELDS: usize = 50;

/// serde stops at the first unknown field. To name them all, the body is parsed again as a
/// JSON value, and each unknown field found is removed from it before the next attempt, until
/// the value deserializes or fails for another reason (that one is reported once the unknown
/// fields are fixed). `first` is the field already reported.
fn more_unknown_fields<T: DeserializeOwned>(bytes: &[u8], first: &str) -> Vec<FieldError> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut reported = vec![first.to_string()];
    while reported.len() <= MAX_UNKNOWN_FIELDS {
        let Err(err) = serde_path_to_error::deserialize::<_, T>(value.clone()) else {
            break;
        };
        let field = err.path().to_string();
        let segments: Vec<serde_path_to_error::Segment> = err.path().iter().cloned().collect();
        let message = err.into_inner().to_string();
        if backticked(&message, "unknown field `").is_none() || !remove_at(&mut value, &segments) {
            break;
        }
        if !reported.contains(&field) {
            reported.push(field.clone());
            found.push(FieldError::new(field, "unknown_field", message));
        }
    }
    found
}

/// Removes the member at `path` (whose last segment is the member's key) from `value`.
fn remove_at(value: &mut serde_json::Value, path: &[serde_path_to_error::Segment]) -> bool {
    use serde_path_to_error::Segment;
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut current = value;
    for segment in parents {
        let next = match (segment, current) {
            (Segment::Seq { index }, serde_json::Value::Array(items)) => items.get_mut(*index),
            (Segment::Map { key }, serde_json::Value::Object(members)) => members.get_mut(key),
            _ => None,
        };
        let Some(next) = next else {
            return false;
        };
        current = next;
    }
    match (last, current) {
        (Segment::Map { key }, serde_json::Value::Object(members)) => members.remove(key).is_some(),
        _ => false,
    }
}

fn backticked(message: &str, prefix: &str) -> Option<String> {
    let rest = message.split_once(prefix)?.1;
    Some(rest.split_once('`')?.0.to_string())
}

/// serde_path_to_error reports the path of the object holding a missing or unknown field.
fn join_path(path: &str, name: &str) -> String {
    if path == "." || path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: i32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        title: String,
        items: Vec<Inner>,
    }

    #[test]
    fn each_failure_names_its_field_and_code() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("{", "malformed_json", "", ""),
            (
                "{\"title\": 1, \"items\": []}",
                "validation_failed",
                "title",
                "invalid_type",
            ),
            ("{\"items\": []}", "validation_failed", "title", "required"),
            (
                "{\"title\": \"x\", \"items\": [], \"status\": \"enacted\"}",
                "unknown_field",
                "status",
                "unknown_field",
            ),
            (
                "{\"title\": \"x\", \"items\": [{\"n\": \"a\"}]}",
                "validation_failed",
                "items[0].n",
                "invalid_type",
            ),
            (
                "{\"title\": \"x\", \"items\": [{\"n\": 1, \"id\": 2}]}",
                "unknown_field",
                "items[0].id",
                "unknown_field",
            ),
        ];
        for (body, code, field, field_code) in cases {
            let p = parse::<Outer>(body.as_bytes()).unwrap_err();
            assert_eq!(p.code, *code, "{body}");
            if !str::is_empty(field) {
                assert_eq!(p.errors[0].field, *field, "{body}");
                assert_eq!(p.errors[0].code, *field_code, "{body}");
            }
        }
    }

    #[test]
    fn every_unknown_field_is_named() {
        let body = r#"{"title": "x", "status": "enacted", "items": [{"n": 1, "id": 2}, {"n": 2}], "agency_id": 7}"#;
        let p = parse::<Outer>(body.as_bytes()).unwrap_err();
        assert_eq!(p.code, "unknown_field");
        let mut fields: Vec<(&str, &str)> = p
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                ("agency_id", "unknown_field"),
                ("items[0].id", "unknown_field"),
                ("status", "unknown_field"),
            ]
        );
        for name in ["`status`", "`items[0].id`", "`agency_id`"] {
            assert!(p.detail.contains(name), "{}", p.detail);
        }
    }
}
