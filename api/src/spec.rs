//! The OpenAPI document, as served at `/openapi.json` and committed in `openapi/openapi.json`:
//! poem-openapi's, with one rewrite that client generators need.
//!
//! poem-openapi describes a field whose type is a named schema (an enum, an object) but which
//! has its own description, default or `nullable` as `allOf: [{$ref}, {description, ...}]`.
//! The second member has no type, and generators read it as a second, empty type:
//! `openapi-python-client` drops the whole operation ("Invalid property in union") or names an
//! inline model after the field, clashing with the referenced one. OpenAPI 3.0's own form is
//! `allOf: [{$ref}]` with the description, default and `nullable` beside it, which every
//! generator reads as "that schema, described". The meaning is unchanged.

use serde::{
    Deserialize, Deserializer, Serialize, Serializer,
    de::{MapAccess, SeqAccess, Visitor},
    ser::{SerializeMap, SerializeSeq},
};

/// Keys that only describe a schema; an `allOf` member made only of them is folded into the
/// schema that holds the `allOf`.
const DESCRIBING: &[&str] = &[
    "description",
    "nullable",
    "default",
    "readOnly",
    "writeOnly",
    "example",
    "title",
];

/// The document with every described reference in OpenAPI 3.0's own form, pretty-printed as
/// poem-openapi prints it, keys in the order it wrote them.
pub fn tidy(document: &str) -> String {
    let mut value: Json = match serde_json::from_str(document) {
        Ok(v) => v,
        // poem-openapi's output is JSON; if it ever is not, serve it as it is.
        Err(_) => return document.to_string(),
    };
    value.fold_described_refs();
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| document.to_string())
}

/// A JSON value whose objects keep their keys in the order they came (`serde_json::Value`
/// sorts them, which would reorder the document's paths and every schema's fields).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Scalar(serde_json::Value),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn fold_described_refs(&mut self) {
        match self {
            Json::Object(entries) => {
                fold_one(entries);
                entries
                    .iter_mut()
                    .for_each(|(_, v)| v.fold_described_refs());
            }
            Json::Array(items) => items.iter_mut().for_each(Json::fold_described_refs),
            Json::Scalar(_) => {}
        }
    }
}

/// `{allOf: [{$ref}, {description}]}` → `{allOf: [{$ref}], description}`.
fn fold_one(entries: &mut Vec<(String, Json)>) {
    let Some(at) = entries.iter().position(|(k, _)| k == "allOf") else {
        return;
    };
    let Json::Array(members) = &entries[at].1 else {
        return;
    };
    let [reference, Json::Object(described)] = members.as_slice() else {
        return;
    };
    let describing_only = described
        .iter()
        .all(|(k, _)| DESCRIBING.contains(&k.as_str()));
    if reference.get("$ref").is_none() || !describing_only {
        return;
    }
    let (reference, described) = (reference.clone(), described.clone());
    entries[at].1 = Json::Array(vec![reference]);
    for (k, v) in described {
        if !entries.iter().any(|(key, _)| *key == k) {
            entries.push((k, v));
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Scalar(v) => v.serialize(s),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Scalar(v.into()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Scalar(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Scalar(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Scalar(v.into()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Scalar(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Scalar(v.into()))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Scalar(serde_json::Value::Null))
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Scalar(serde_json::Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            entries.push((k, v));
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn a_described_reference_keeps_its_description_beside_a_single_reference() {
        let doc = json!({"properties": {
            "publication": {"allOf": [
                {"$ref": "#/components/schemas/Publication"},
                {"description": "How the comment is published.", "nullable": true}
            ]},
            "both": {"allOf": [{"$ref": "#/a"}, {"$ref": "#/b"}]},
            "typed": {"allOf": [{"$ref": "#/a"}, {"type": "object", "description": "x"}]}
        }});
        let tidied: Value = serde_json::from_str(&tidy(&doc.to_string())).unwrap();
        assert_eq!(
            tidied["properties"]["publication"],
            json!({
                "allOf": [{"$ref": "#/components/schemas/Publication"}],
                "description": "How the comment is published.",
                "nullable": true
            })
        );
        // Two types, or a member with a type of its own: left as they are.
        assert_eq!(tidied["properties"]["both"], doc["properties"]["both"]);
        assert_eq!(tidied["properties"]["typed"], doc["properties"]["typed"]);
    }

    #[test]
    fn keys_keep_their_order() {
        let doc = r#"{"paths":{"/b":1,"/a":2},"openapi":"3.0.0","n":[1.5,null,true]}"#;
        let tidied = tidy(doc);
        let compact: Value = serde_json::from_str(&tidied).unwrap();
        assert_eq!(compact, serde_json::from_str::<Value>(doc).unwrap());
        assert!(tidied.find("/b").unwrap() < tidied.find("/a").unwrap());
        assert!(tidied.find("paths").unwrap() < tidied.find("openapi").unwrap());
    }
}
