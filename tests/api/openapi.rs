use reqwest::StatusCode;
use serde_json::Value;
use tests::spawn_app;

fn without_servers(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("servers");
    }
    v
}

#[tokio::test]
async fn the_committed_openapi_document_matches_the_served_one() {
    let app = spawn_app().await;
    let served = app.get("/openapi.json", None).await;
    assert_eq!(served.status, StatusCode::OK);
    let committed: Value = serde_json::from_str(include_str!("../../openapi/openapi.json"))
        .expect("openapi/openapi.json is JSON; regenerate it with `cargo run -p api -- openapi > openapi/openapi.json`");
    assert!(
        without_servers(served.body.clone()) == without_servers(committed),
        "openapi/openapi.json is out of date; regenerate it with `cargo run -p api -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_object_and_field_is_documented() {
    let spec: Value = serde_json::from_str(&api::openapi_json()).unwrap();
    let mut missing = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            if op["summary"].as_str().unwrap_or("").is_empty() {
                missing.push(format!("operation {method} {path}"));
            }
            if op["operationId"].as_str().unwrap_or("").is_empty() {
                missing.push(format!("operationId of {method} {path}"));
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["description"].as_str().unwrap_or("").is_empty() && p["in"] != "path" {
                    missing.push(format!("parameter {} of {method} {path}", p["name"]));
                }
            }
        }
    }
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        if schema["description"].as_str().unwrap_or("").is_empty() {
            missing.push(format!("schema {name}"));
        }
        for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
            let documented = !prop["description"].as_str().unwrap_or("").is_empty()
                || prop.get("$ref").is_some()
                || prop.get("allOf").is_some();
            if !documented {
                missing.push(format!("field {name}.{field}"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

/// The statuses each operation documents besides its successes: exactly those it can answer.
/// Every API operation can answer `401` (a token that is not valid is refused before the
/// operation runs), `500` and `503`; the rest follow from its parameters, body and rules.
/// A new operation fails the test below until it has a row here.
const ERROR_STATUSES: &[(&str, &[u16])] = &[
    ("list_agencies", &[401, 422, 429, 500, 503]),
    (
        "create_agency",
        &[400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("list_drafts", &[401, 422, 429, 500, 503]),
    (
        "create_draft",
        &[400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("get_draft", &[401, 404, 429, 500, 503]),
    (
        "update_draft",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("list_versions", &[401, 404, 422, 429, 500, 503]),
    (
        "create_version",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("get_version", &[401, 404, 429, 500, 503]),
    ("get_version_akn", &[401, 404, 429, 500, 503]),
    ("diff_versions", &[401, 404, 422, 429, 500, 503]),
    ("related_drafts", &[401, 404, 422, 429, 500, 503]),
    (
        "create_consultation",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "reschedule_consultation",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("get_consultation", &[401, 404, 429, 500, 503]),
    ("list_consultations", &[401, 422, 429, 500, 503]),
    (
        "create_comment",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("list_comments", &[401, 404, 422, 429, 500, 503]),
    (
        "moderate_comment",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "record_disposition",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("list_dispositions", &[401, 404, 422, 429, 500, 503]),
    ("consultation_summary", &[401, 404, 429, 500, 503]),
    ("compile_report", &[401, 403, 404, 409, 422, 429, 500, 503]),
    ("publish_report", &[401, 403, 404, 409, 429, 500, 503]),
    ("get_report", &[401, 404, 429, 500, 503]),
    ("get_report_html", &[401, 404, 429, 500, 503]),
    ("get_report_chart", &[401, 404, 429, 500, 503]),
    ("get_impact_assessment", &[401, 404, 429, 500, 503]),
    (
        "save_impact_assessment",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    (
        "publish_impact_assessment",
        &[401, 403, 404, 409, 429, 500, 503],
    ),
    ("submit_draft", &[401, 403, 404, 409, 429, 500, 503]),
    ("search", &[401, 422, 429, 500, 503]),
    (
        "create_subscription",
        &[400, 401, 413, 415, 422, 429, 500, 503],
    ),
    ("confirm_subscription", &[401, 404, 422, 429, 500, 503]),
    ("unsubscribe", &[401, 404, 422, 429, 500, 503]),
    ("unsubscribe_page", &[401, 422, 429]),
    (
        "create_law",
        &[400, 401, 403, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("list_laws", &[401, 422, 429, 500, 503]),
    ("get_law", &[401, 404, 429, 500, 503]),
    (
        "create_evaluation_request",
        &[400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503],
    ),
    ("list_evaluation_requests", &[401, 404, 422, 429, 500, 503]),
    ("list_changes", &[401, 422, 429, 500, 503]),
    ("list_exports", &[401, 422, 429, 500, 503]),
    ("get_export_catalog", &[401, 422, 429, 500, 503]),
    ("get_export_file", &[401, 404, 416, 422, 429, 500, 503]),
    ("list_api_keys", &[401, 429, 500, 503]),
    (
        "create_api_key",
        &[400, 401, 403, 413, 415, 422, 429, 500, 503],
    ),
    ("revoke_api_key", &[401, 403, 404, 429, 500, 503]),
    ("list_jobs", &[401, 403, 422, 429, 500, 503]),
    ("get_integrity", &[401, 403, 429, 500, 503]),
    ("retry_job", &[401, 403, 404, 409, 429, 500, 503]),
    ("verify_integrity", &[401, 403, 429, 500, 503]),
    ("request_export", &[401, 403, 404, 409, 429, 500, 503]),
    ("health", &[]),
    ("ready", &[503]),
];

#[test]
fn each_operation_documents_exactly_the_error_statuses_it_can_answer() {
    let spec: Value = serde_json::from_str(&api::openapi_json()).unwrap();
    let expected: std::collections::BTreeMap<&str, &[u16]> =
        ERROR_STATUSES.iter().copied().collect();
    let mut wrong = Vec::new();
    let mut seen = Vec::new();
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            seen.push(id.to_string());
            let documented: Vec<u16> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .filter_map(|s| s.parse::<u16>().ok())
                .filter(|s| *s >= 400)
                .collect();
            match expected.get(id) {
                None => wrong.push(format!(
                    "{id} ({method} {path}) has no row in ERROR_STATUSES; it documents {documented:?}"
                )),
                Some(want) if documented != *want => wrong.push(format!(
                    "{id} ({method} {path}) documents {documented:?}, expected {want:?}"
                )),
                Some(_) => {}
            }
            // Every error answer is a problem, and those that ask to come back say when.
            for status in documented {
                let response = &op["responses"][status.to_string()];
                if status != 503 || id != "ready" {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{id} {status} is not a problem"
                    );
                }
                if (status == 429 || status == 503) && id != "ready" {
                    assert!(
                        response["headers"]["Retry-After"].is_object(),
                        "{id} {status} does not document Retry-After"
                    );
                }
            }
        }
    }
    for id in expected.keys() {
        if !seen.iter().any(|s| s == id) {
            wrong.push(format!("{id} is in ERROR_STATUSES but not in the document"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// One rule for fields that may have no value: they are always sent, as `null` when empty, and
/// the schema says `nullable`. The only fields that may be left out are those with a default
/// (`Problem.errors`, left out when empty).
#[test]
fn every_optional_field_is_nullable_or_has_a_default() {
    let spec: Value = serde_json::from_str(&api::openapi_json()).unwrap();
    let mut wrong = Vec::new();
    for (name, schema) in spec["components"]["schemas"].as_object().unwrap() {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (field, prop) in schema["properties"].as_object().into_iter().flatten() {
            let optional = !required.contains(&field.as_str());
            if optional && prop["nullable"] != true && prop.get("default").is_none() {
                wrong.push(format!("{name}.{field}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "optional but neither nullable nor defaulted: {wrong:#?}"
    );
}
