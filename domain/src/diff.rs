#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Unchanged,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WordOp {
    Equal,
    Insert,
    Delete,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WordChange {
    pub op: WordOp,
    pub text: String,
}
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProvisionDiff {
    pub id: String,
    pub label: String,
    pub change: ChangeKind,
    pub words: Vec<WordChange>,
}
pub fn diff_provisions(
    _old: &[crate::provisions::Provision],
    _new: &[crate::provisions::Provision],
) -> Vec<ProvisionDiff> {
    vec![]
}
