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
