//! The catalogue of the exports in DCAT (DCAT-AP 3), as JSON-LD: what a CKAN portal such as the
//! national open data catalogue (ckanext-dcat) harvests. One `dcat:Dataset` per export (the
//! whole site, and each consultation that has one); one `dcat:Distribution` per file, with its
//! download address, media type, size, SHA-256 checksum and licence.

use serde_json::{Value, json};

use super::Manifest;

/// The catalogue of `exports` (latest generation of each), whose files are served under
/// `{public_url}/api/v1/exports/...`.
pub fn catalogue(public_url: &str, exports: &[Manifest]) -> Value {
    let publisher = json!({
        "@type": "foaf:Agent",
        "foaf:name": "Rabfang",
        "foaf:homepage": {"@id": format!("{public_url}/")},
    });
    let datasets: Vec<Value> = exports
        .iter()
        .map(|m| dataset(public_url, m, &publisher))
        .collect();
    json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "spdx": "http://spdx.org/rdf/terms#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "vcard": "http://www.w3.org/2006/vcard/ns#"
        },
        "@id": format!("{public_url}/api/v1/exports/catalog"),
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": "รับฟัง: ข้อมูลเปิดของการรับฟังความคิดเห็นต่อร่างกฎหมาย", "@language": "th"},
            {"@value": "Rabfang: open data of public consultations on draft laws", "@language": "en"}
        ],
        "dct:description": [
            {"@value": "ร่างกฎหมาย การรับฟังความคิดเห็น ความคิดเห็นที่เผยแพร่ การตอบของหน่วยงาน สถิติ สรุปผลการรับฟัง การวิเคราะห์ผลกระทบ และกฎหมายที่ใช้บังคับ ในรูปแบบ CSV, JSON Lines และ Parquet", "@language": "th"},
            {"@value": "Draft laws, consultations, published comments, agencies' responses, statistics, hearing summaries, impact assessments and laws in force, as CSV, JSON Lines and Parquet.", "@language": "en"}
        ],
        "dct:publisher": publisher,
        "foaf:homepage": {"@id": format!("{public_url}/open-data")},
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/THA"},
            {"@id": "http://publications.europa.eu/resource/authority/language/ENG"}
        ],
        "dcat:dataset": datasets,
    })
}

fn dataset(public_url: &str, m: &Manifest, publisher: &Value) -> Value {
    let base = format!("{public_url}/api/v1/exports/{}/{}", m.dataset, m.generation);
    let licence =
        json!({"@id": m.licence.url, "@type": "dct:LicenseDocument", "dct:title": m.licence.name});
    let distributions: Vec<Value> = m
        .files
        .iter()
        .map(|f| {
            json!({
                "@id": format!("{base}/{}", f.name),
                "@type": "dcat:Distribution",
                "dct:title": format!("{} ({})", f.table, f.format),
                "dcat:accessURL": {"@id": format!("{public_url}/open-data/datasets")},
                "dcat:downloadURL": {"@id": format!("{base}/{}", f.name)},
                "dcat:mediaType": {"@id": format!("https://www.iana.org/assignments/media-types/{}", bare_media_type(&f.media_type))},
                "dct:format": f.format.to_uppercase(),
                "dcat:byteSize": {"@value": f.bytes.to_string(), "@type": "xsd:nonNegativeInteger"},
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"},
                    "spdx:checksumValue": {"@value": f.sha256, "@type": "xsd:hexBinary"}
                },
                "dct:license": licence,
                "dct:modified": {"@value": m.generated_at, "@type": "xsd:dateTime"},
                "dcat:conformsTo": {"@id": format!("{public_url}/open-data/datasets#{}", f.table)},
            })
        })
        .collect();
    json!({
        "@id": format!("{public_url}/api/v1/exports/{}", m.dataset),
        "@type": "dcat:Dataset",
        "dct:identifier": m.dataset,
        "dct:title": [
            {"@value": m.title_th, "@language": "th"},
            {"@value": m.title_en, "@language": "en"}
        ],
        "dct:description": [
            {"@value": format!("{} ไฟล์: {}", m.title_th, tables_list(m)), "@language": "th"},
            {"@value": format!("{}. Tables: {}.", m.title_en, tables_list(m)), "@language": "en"}
        ],
        "dct:publisher": publisher,
        "dct:modified": {"@value": m.generated_at, "@type": "xsd:dateTime"},
        "dcat:keyword": [
            {"@value": "กฎหมาย", "@language": "th"},
            {"@value": "การรับฟังความคิดเห็น", "@language": "th"},
            {"@value": "public consultation", "@language": "en"},
            {"@value": "draft law", "@language": "en"}
        ],
        "dcat:landingPage": {"@id": format!("{public_url}/open-data/datasets")},
        "dct:conformsTo": {"@id": format!("{base}/manifest.json")},
        "dcat:distribution": distributions,
    })
}

fn tables_list(m: &Manifest) -> String {
    m.tables
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text/csv` of `text/csv; charset=utf-8`.
fn bare_media_type(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or(media_type).trim()
}
