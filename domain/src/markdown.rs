pub const MAX_BODY_BYTES: usize = 512 * 1024;
pub fn render_html(markdown: &str) -> String {
    markdown.to_string()
}
