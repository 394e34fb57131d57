use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;
use crate::provisions::{parse_body, warnings};

/// Made by `tests/fixtures/make_draft_docx.py` with python-docx.
const FIXTURE: &[u8] = include_bytes!("../../../tests/fixtures/draft.docx");

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options)
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

fn document(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
}

fn docx(body: &str) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", document(body).as_bytes()),
    ])
}

fn convert(bytes: &[u8]) -> String {
    to_markdown(bytes, &DocxLimits::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

const FIXTURE_MARKDOWN: &str = "\
# ร่างพระราชบัญญัติการจัดการน้ำชุมชน พ.ศ. ....

โดยที่เป็นการสมควรมีกฎหมายว่าด้วยการจัดการน้ำชุมชน จึงทรงพระกรุณาโปรดเกล้าฯ ให้ตราพระราชบัญญัติขึ้นไว้ ดังต่อไปนี้

## หมวด ๑ บทบัญญัติทั่วไป

**มาตรา ๑** พระราชบัญญัตินี้เรียกว่า “พระราชบัญญัติการจัดการน้ำชุมชน พ.ศ. ....”

**มาตรา ๒** พระราชบัญญัตินี้ให้ใช้บังคับ*เมื่อพ้นกำหนดหนึ่งร้อยแปดสิบวัน*นับแต่วันประกาศในราชกิจจานุเบกษาเป็นต้นไป

## หมวด ๒ คณะกรรมการน้ำชุมชน

**มาตรา ๓** ให้มีคณะกรรมการน้ำชุมชนประจำตำบล ประกอบด้วย

(๑) นายกองค์การบริหารส่วนตำบล เป็นประธานกรรมการ

(๒) ผู้แทนผู้ใช้น้ำซึ่งเลือกกันเอง จำนวนไม่เกินห้าคน เป็นกรรมการ

ให้ปลัดองค์การบริหารส่วนตำบลเป็นกรรมการและเลขานุการ

**มาตรา ๔** อัตราค่าธรรมเนียมการใช้น้ำให้เป็นไปตามตารางต่อไปนี้

| **ประเภทผู้ใช้น้ำ** | **อัตรา (บาทต่อลูกบาศก์เมตร)** |
| --- | --- |
| ครัวเรือน | ๒ |
| เกษตรกรรม \\| ปศุสัตว์ | ๑ |

**มาตรา ๕** คณะกรรมการมีหน้าที่

- จัดทำแผนการใช้น้ำประจำปี
- ไกล่เกลี่ยข้อพิพาทเรื่องน้ำ

## บทเฉพาะกาล

**มาตรา ๖** ให้กลุ่มผู้ใช้น้ำที่มีอยู่ในวันที่พระราชบัญญัตินี้ใช้บังคับ ดำเนินการต่อไปจนกว่าจะมีคณะกรรมการตามพระราชบัญญัตินี้

ผู้รับสนองพระราชโองการ

นายกรัฐมนตรี
";

#[test]
fn the_fixture_converts_to_the_expected_markdown() {
    assert_eq!(convert(FIXTURE), FIXTURE_MARKDOWN);
}

#[test]
fn the_fixture_parses_into_chapters_and_provisions() {
    let md = convert(FIXTURE);
    let parsed = parse_body(&md);
    let summary: Vec<(&str, &str, Option<&str>)> = parsed
        .provisions
        .iter()
        .map(|p| (p.id.as_str(), p.label.as_str(), p.chapter.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("s1", "มาตรา ๑", Some("หมวด ๑ บทบัญญัติทั่วไป")),
            ("s2", "มาตรา ๒", Some("หมวด ๑ บทบัญญัติทั่วไป")),
            ("s3", "มาตรา ๓", Some("หมวด ๒ คณะกรรมการน้ำชุมชน")),
            ("s4", "มาตรา ๔", Some("หมวด ๒ คณะกรรมการน้ำชุมชน")),
            ("s5", "มาตรา ๕", Some("หมวด ๒ คณะกรรมการน้ำชุมชน")),
            ("s6", "มาตรา ๖", Some("บทเฉพาะกาล")),
        ]
    );
    let chapters: Vec<&str> = parsed.chapters.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(chapters, ["ch1", "ch2", "ch-transitional"]);

    let s3 = &parsed.provisions[2];
    assert!(
        s3.text.contains("(๑) นายกองค์การบริหารส่วนตำบล"),
        "{}",
        s3.text
    );
    assert!(s3.text.contains("(๒) ผู้แทนผู้ใช้น้ำ"), "{}", s3.text);
    assert!(s3.text.ends_with("เป็นกรรมการและเลขานุการ"), "{}", s3.text);

    let s4 = &parsed.provisions[3];
    assert!(s4.html.contains("<table>"), "{}", s4.html);
    assert!(
        s4.html.contains("<td>เกษตรกรรม | ปศุสัตว์</td>"),
        "{}",
        s4.html
    );
    assert!(
        s4.html.contains("<strong>ประเภทผู้ใช้น้ำ</strong>"),
        "{}",
        s4.html
    );

    let s5 = &parsed.provisions[4];
    assert!(
        s5.html.contains("<li>ไกล่เกลี่ยข้อพิพาทเรื่องน้ำ</li>"),
        "{}",
        s5.html
    );
    assert!(
        parsed.provisions[1]
            .html
            .contains("<em>เมื่อพ้นกำหนดหนึ่งร้อยแปดสิบวัน</em>")
    );
    assert!(!parsed.provisions[5].text.contains("ผู้รับสนอง"));
    assert_eq!(warnings(&md), []);
}

#[test]
fn input_that_is_not_a_zip_is_refused() {
    let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 an old .doc";
    for bytes in [
        &b""[..],
        b"plain text, not a zip",
        ole,
        &FIXTURE[..FIXTURE.len() / 2],
    ] {
        let err = to_markdown(bytes, &DocxLimits::default());
        assert_eq!(err, Err(DocxError::NotZip));
    }
    assert_eq!(DocxError::NotZip.code(), "docx_not_zip");
}

#[test]
fn input_over_the_size_limit_is_refused_before_it_is_opened() {
    let limits = DocxLimits {
        max_input_bytes: 1_000,
        ..DocxLimits::default()
    };
    let err = to_markdown(FIXTURE, &limits).unwrap_err();
    assert_eq!(
        err,
        DocxError::TooLarge {
            size: FIXTURE.len(),
            limit: 1_000
        }
    );
    assert_eq!(err.code(), "docx_too_large");
    let big = vec![0u8; 10 * 1024 * 1024 + 1];
    let err = to_markdown(&big, &DocxLimits::default()).unwrap_err();
    assert_eq!(err.code(), "docx_too_large");
}

#[test]
fn a_zip_bomb_is_refused() {
    // 200 MB of zeros deflate to about 200 KB.
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options)
        .and_then(|()| Ok(zip.write_all(CONTENT_TYPES.as_bytes())?))
        .unwrap_or_else(|e| panic!("{e}"));
    zip.start_file("word/document.xml", options)
        .unwrap_or_else(|e| panic!("{e}"));
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..200 {
        zip.write_all(&zeros).unwrap_or_else(|e| panic!("{e}"));
    }
    let bomb = zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let err = to_markdown(&bomb, &DocxLimits::default()).unwrap_err();
    assert_eq!(err, DocxError::ZipBomb);
    assert_eq!(err.code(), "docx_zip_bomb");
}

/// Rewrites the uncompressed size of the first entry in its local and central headers.
fn lie_about_first_size(zip: &mut [u8], size: u32) {
    let central = zip
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .unwrap_or_else(|| panic!("no central directory"));
    zip[22..26].copy_from_slice(&size.to_le_bytes());
    zip[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
}

#[test]
fn declared_sizes_are_not_trusted() {
    // A document that really inflates to 5 MB of zeros but declares 1 000 bytes passes the
    // declared-size checks; reading it must still stop.
    let zeros = vec![b' '; 5 * 1024 * 1024];
    let mut bomb = zip_of(&[("word/document.xml", &zeros)]);
    lie_about_first_size(&mut bomb, 1_000);
    let err = to_markdown(&bomb, &DocxLimits::default()).unwrap_err();
    assert_eq!(err, DocxError::ZipBomb);

    // Incompressible data over the total limit, with honest and with lying sizes.
    let mut state = 0x2545_f491_u32;
    let noise: Vec<u8> = (0..3 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect();
    let limits = DocxLimits {
        max_uncompressed_bytes: 2 * 1024 * 1024,
        ..DocxLimits::default()
    };
    let mut big = zip_of(&[("word/document.xml", &noise)]);
    assert_eq!(to_markdown(&big, &limits), Err(DocxError::ZipBomb));
    lie_about_first_size(&mut big, 1_000_000);
    assert_eq!(to_markdown(&big, &limits), Err(DocxError::ZipBomb));
}

#[test]
fn a_damaged_entry_is_malformed_not_a_bomb() {
    // Stored, so one changed byte keeps the length and only breaks the checksum.
    let body = document("<w:p><w:r><w:t>มาตรา ๑ ก</w:t></w:r></w:p>");
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    zip.start_file("word/document.xml", options)
        .unwrap_or_else(|e| panic!("{e}"));
    zip.write_all(body.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut bytes = zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
    let at = bytes
        .windows(3)
        .position(|w| w == b"<w:")
        .unwrap_or_else(|| panic!("no XML"));
    bytes[at + 1] = b'x';
    let err = to_markdown(&bytes, &DocxLimits::default()).unwrap_err();
    assert_eq!(
        err,
        DocxError::Malformed {
            detail: "Invalid checksum".into()
        }
    );
}

#[test]
fn macro_enabled_documents_are_refused() {
    let body = document("<w:p><w:r><w:t>มาตรา ๑ ก</w:t></w:r></w:p>");
    let with_vba = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", body.as_bytes()),
        ("word/vbaProject.bin", b"\xD0\xCF\x11\xE0 macros"),
    ]);
    let err = to_markdown(&with_vba, &DocxLimits::default()).unwrap_err();
    assert_eq!(err, DocxError::MacroEnabled);
    assert_eq!(err.code(), "docx_macro_enabled");

    let docm_types = CONTENT_TYPES.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    );
    let docm = zip_of(&[
        ("[Content_Types].xml", docm_types.as_bytes()),
        ("word/document.xml", body.as_bytes()),
    ]);
    assert_eq!(
        to_markdown(&docm, &DocxLimits::default()),
        Err(DocxError::MacroEnabled)
    );
}

#[test]
fn a_zip_without_a_word_document_is_refused() {
    let zip = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("xl/workbook.xml", b"<workbook/>"),
    ]);
    let err = to_markdown(&zip, &DocxLimits::default()).unwrap_err();
    assert_eq!(err, DocxError::NotWord);
    assert_eq!(err.code(), "docx_not_word");
}

#[test]
fn doctypes_and_unknown_entities_are_refused_not_expanded() {
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"#;
    let zip = zip_of(&[("word/document.xml", xxe.as_bytes())]);
    let err = to_markdown(&zip, &DocxLimits::default()).unwrap_err();
    assert_eq!(err.code(), "docx_malformed", "{err:?}");

    let entity = docx("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>");
    let err = to_markdown(&entity, &DocxLimits::default()).unwrap_err();
    assert_eq!(err.code(), "docx_malformed", "{err:?}");
}

#[test]
fn chapters_and_parts_typed_as_plain_paragraphs_become_headings() {
    let md = convert(&docx(
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>หมวด ๓</w:t></w:r></w:p>\
         <w:p><w:r><w:t>การกำกับดูแล</w:t></w:r></w:p>\
         <w:p><w:r><w:t>ส่วนที่ ๑ บททั่วไป</w:t></w:r></w:p>\
         <w:p><w:r><w:t>มาตรา ๑๐ ให้</w:t></w:r></w:p>",
    ));
    assert_eq!(
        md,
        "## หมวด ๓\n\n### การกำกับดูแล\n\n### ส่วนที่ ๑ บททั่วไป\n\nมาตรา ๑๐ ให้\n"
    );
    let parsed = parse_body(&md);
    assert_eq!(parsed.chapters[0].title, "หมวด ๓ การกำกับดูแล");
}

#[test]
fn line_breaks_before_a_label_split_the_paragraph() {
    let md = convert(&docx(
        "<w:p><w:r><w:t>มาตรา ๑ ก</w:t><w:br/><w:t>ต่อ</w:t><w:br/>\
         <w:t>มาตรา ๒ ข</w:t></w:r></w:p>",
    ));
    assert_eq!(md, "มาตรา ๑ ก\\\nต่อ\n\nมาตรา ๒ ข\n");
    let ids: Vec<String> = parse_body(&md)
        .provisions
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, ["s1", "s2"]);
}

#[test]
fn tracked_deletions_field_codes_and_text_boxes_are_left_out() {
    let md = convert(&docx(
        "<w:p><w:r><w:t xml:space=\"preserve\">มาตรา ๑ </w:t></w:r>\
         <w:del><w:r><w:delText>ลบแล้ว</w:delText></w:r></w:del>\
         <w:ins><w:r><w:t>เพิ่ม</w:t></w:r></w:ins>\
         <w:r><w:instrText>PAGE</w:instrText></w:r>\
         <w:r><w:drawing><w:txbxContent><w:p><w:r><w:t>กล่อง</w:t></w:r></w:p></w:txbxContent></w:drawing></w:r>\
         <w:r><w:tab/><w:t>&amp; &lt;ต่อ&gt;</w:t></w:r></w:p>",
    ));
    assert_eq!(md, "มาตรา ๑ เพิ่ม \\& \\<ต่อ\\>\n");
}

#[test]
fn numbered_and_nested_word_lists_become_markdown_lists() {
    let numbering = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="thaiNumbers"/></w:lvl><w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;
    let item = |level: u8, text: &str| {
        format!(
            "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"{level}\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>\
             <w:r><w:t>{text}</w:t></w:r></w:p>"
        )
    };
    let body = format!(
        "<w:p><w:r><w:t>มาตรา ๒ ดังนี้</w:t></w:r></w:p>{}{}{}",
        item(0, "หนึ่ง"),
        item(1, "ย่อย"),
        item(0, "สอง")
    );
    let zip = zip_of(&[
        ("word/document.xml", document(&body).as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
    ]);
    let md = convert(&zip);
    assert_eq!(md, "มาตรา ๒ ดังนี้\n\n1. หนึ่ง\n   - ย่อย\n1. สอง\n");
    let parsed = parse_body(&md);
    assert!(
        parsed.provisions[0].html.contains("<li>ย่อย</li>"),
        "{}",
        parsed.provisions[0].html
    );
}

#[test]
fn localised_heading_styles_are_found_by_name() {
    let styles = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="a1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="a2"><w:name w:val="หัวเรื่องหมวด"/><w:basedOn w:val="a1"/></w:style></w:styles>"#;
    let body = "<w:p><w:pPr><w:pStyle w:val=\"a2\"/></w:pPr><w:r><w:t>บทบัญญัติทั่วไป</w:t></w:r></w:p>";
    let zip = zip_of(&[
        ("word/document.xml", document(body).as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
    ]);
    assert_eq!(convert(&zip), "## บทบัญญัติทั่วไป\n");
}

#[test]
fn list_formatting_on_a_provision_does_not_hide_its_label() {
    let styles = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet2"><w:name w:val="List Bullet 2"/></w:style></w:styles>"#;
    let p = |style: &str, text: &str| {
        format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr><w:r><w:rPr><w:bCs/></w:rPr>\
             <w:t>{text}</w:t></w:r></w:p>"
        )
    };
    let body = [
        p("ListBullet", "มาตรา ๑ ผู้ใด"),
        p("ListBullet", "หนึ่ง"),
        p("ListBullet2", "ย่อย"),
    ]
    .concat();
    let zip = zip_of(&[
        ("word/document.xml", document(&body).as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
    ]);
    // w:bCs is how Word marks Thai (complex script) text bold.
    assert_eq!(convert(&zip), "**มาตรา ๑ ผู้ใด**\n\n- **หนึ่ง**\n  - **ย่อย**\n");
}

#[test]
fn refusals_become_field_errors_with_their_code() {
    let err = DocxError::MacroEnabled.into_field_error("file");
    assert_eq!(err.code(), crate::ErrorCode::ValidationFailed);
    let crate::DomainError::Validation(fields) = err else {
        panic!("{err:?}");
    };
    assert_eq!(fields[0].field, "file");
    assert_eq!(fields[0].code, "docx_macro_enabled");
}

#[test]
fn word_markup_around_runs_keeps_the_text() {
    let md = convert(&docx(
        "<w:sdt><w:sdtPr><w:alias w:val=\"x\"/></w:sdtPr><w:sdtContent>\
         <w:p><w:bookmarkStart w:id=\"0\" w:name=\"s1\"/>\
         <w:r><w:rPr><w:rFonts w:ascii=\"TH SarabunPSK\"/><w:b/><w:bCs/><w:lang w:bidi=\"th-TH\"/></w:rPr><w:t>มาตรา</w:t></w:r>\
         <w:proofErr w:type=\"spellStart\"/>\
         <w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\"> ๑</w:t></w:r>\
         <w:bookmarkEnd w:id=\"0\"/>\
         <w:r><w:rPr><w:b w:val=\"0\"/></w:rPr><w:tab/><w:t>ให้ใช้</w:t></w:r>\
         <w:hyperlink r:id=\"rId9\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:r><w:t>ลิงก์</w:t></w:r></w:hyperlink>\
         <w:fldSimple w:instr=\" PAGE \"><w:r><w:t>๓</w:t></w:r></w:fldSimple>\
         <w:smartTag><w:r><w:t>ท้าย</w:t></w:r></w:smartTag></w:p>\
         </w:sdtContent></w:sdt>",
    ));
    assert_eq!(md, "**มาตรา ๑** ให้ใช้ลิงก์๓ท้าย\n");
}

#[test]
fn word_tables_keep_spans_and_flatten_nested_tables() {
    let cell = |inner: &str| format!("<w:tc>{inner}</w:tc>");
    let p = |t: &str| format!("<w:p><w:r><w:t>{t}</w:t></w:r></w:p>");
    let nested = format!(
        "<w:tbl><w:tr>{}{}</w:tr></w:tbl>",
        cell(&p("ใน๑")),
        cell(&p("ใน๒"))
    );
    let body = format!(
        "{}<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val=\"2\"/></w:tcPr>{}</w:tc>{}</w:tr>\
         <w:tr>{}{}{}</w:tr></w:tbl>{}",
        p("มาตรา ๑ ตาราง"),
        p("หัวรวม"),
        cell(&p("หัว")),
        cell(&format!("{}{}", p("บรรทัดหนึ่ง"), p("บรรทัดสอง"))),
        cell(&nested),
        cell(""),
        p("ท้ายตาราง"),
    );
    let md = convert(&docx(&body));
    assert_eq!(
        md,
        "มาตรา ๑ ตาราง\n\n\
         | หัวรวม |  | หัว |\n| --- | --- | --- |\n| บรรทัดหนึ่ง<br>บรรทัดสอง | ใน๑<br>ใน๒ |  |\n\n\
         ท้ายตาราง\n"
    );
    let parsed = parse_body(&md);
    assert!(
        parsed.provisions[0].html.contains("<br>"),
        "{}",
        parsed.provisions[0].html
    );
    assert!(parsed.provisions[0].text.ends_with("ท้ายตาราง"));
}

#[test]
fn the_markdown_is_in_canonical_text() {
    // Sara am typed as nikhahit + sara aa, and a decomposed Latin é.
    let md = convert(&docx(
        "<w:p><w:r><w:t>มาตรา ๑ ค\u{0E4D}\u{0E32}ว่า cafe\u{0301}</w:t></w:r></w:p>",
    ));
    assert_eq!(md, "มาตรา ๑ คำว่า café\n");
}
