#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provision {
    pub id: String,
    pub label: String,
    pub chapter: Option<String>,
    pub heading: Option<String>,
    pub text: String,
    pub html: String,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Chapter {
    pub id: String,
    pub label: String,
    pub title: String,
}
pub struct ParsedBody {
    pub html: String,
    pub chapters: Vec<Chapter>,
    pub provisions: Vec<Provision>,
}
pub fn parse_body(markdown: &str) -> ParsedBody {
    ParsedBody {
        html: crate::markdown::render_html(markdown),
        chapters: vec![],
        provisions: vec![],
    }
}
