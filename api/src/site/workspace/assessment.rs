//! The regulatory impact assessment as a form that works without JavaScript. The form's field
//! names are the assessment's own paths (`problem`, `alternatives[2].description`), so the
//! validation errors of [`ImpactAssessment::validate`] land at the field they are about. Each
//! list shows its rows plus one blank row; a row left blank is ignored, and "more rows" shows
//! the form again with what was typed and another blank row, saving nothing. The assessment is
//! saved (checked whole), previewed as the report it will publish, and published for good.

use std::collections::BTreeMap;

use askama::Template;
use domain::{
    DomainError,
    error::FieldError,
    ids::DraftId,
    ria::ImpactAssessment,
    service::{
        assessments,
        drafts::{self, DraftView},
    },
};
use poem::{Request, Response, handler, http::StatusCode, web::Data};
use serde_json::{Map, Value};

use super::{Me, me};
use crate::{
    AppState,
    site::{Chrome, PageId, error_page, forms::Errors, render, see_other, visitor},
};

/// How a value is typed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Line,
    Text,
    /// A whole number (baht, people, years).
    Number,
    /// A whole number that may be left empty.
    OptionalNumber,
    /// A line that may be left empty (`null`).
    OptionalLine,
    Choice(&'static [&'static str]),
    Checkbox,
}

/// One field: its name within its object and how it is typed.
pub struct Field {
    pub name: &'static str,
    pub input: Input,
}

const fn field(name: &'static str, input: Input) -> Field {
    Field { name, input }
}

/// A part of the form: single fields, a list of strings, or a list of objects.
pub enum Part {
    Fields(&'static [Field]),
    /// A list of plain lines (`objectives`).
    Lines(&'static str),
    /// A list of objects with these fields.
    Rows(&'static str, &'static [Field]),
    /// An object (`readiness`) with these fields.
    Object(&'static str, &'static [Field]),
}

const BEARERS: &[&str] = &["public", "business", "state"];
const JUSTIFIED: &[Field] = &[
    field("provision_id", Input::OptionalLine),
    field("description", Input::Text),
    field("justification", Input::Text),
];

/// The form, in the order of the report: (heading message key, parts).
pub const SECTIONS: &[(&str, &[Part])] = &[
    (
        "ria-section-problem",
        &[
            Part::Fields(&[
                field("problem", Input::Text),
                field("cause", Input::Text),
                field("why_state_must_act", Input::Text),
            ]),
            Part::Lines("objectives"),
        ],
    ),
    (
        "ria-section-alternatives",
        &[Part::Rows(
            "alternatives",
            &[
                field("kind", Input::Choice(&["do_nothing", "non_legal", "legal"])),
                field("description", Input::Text),
                field("advantages", Input::Text),
                field("disadvantages", Input::Text),
                field("chosen", Input::Checkbox),
            ],
        )],
    ),
    (
        "ria-section-affected",
        &[
            Part::Rows(
                "affected_groups",
                &[
                    field("group", Input::Line),
                    field(
                        "kind",
                        Input::Choice(&["public", "business", "sme", "government", "other"]),
                    ),
                    field("estimated_size", Input::OptionalNumber),
                    field("how_affected", Input::Text),
                ],
            ),
            Part::Fields(&[
                field("economic_impact", Input::Text),
                field("social_impact", Input::Text),
                field("environmental_impact", Input::Text),
            ]),
        ],
    ),
    (
        "ria-section-costs",
        &[
            Part::Rows(
                "costs",
                &[
                    field("bearer", Input::Choice(BEARERS)),
                    field("description", Input::Line),
                    field("one_off_thb", Input::Number),
                    field("annual_thb", Input::Number),
                ],
            ),
            Part::Rows(
                "benefits",
                &[
                    field("beneficiary", Input::Choice(BEARERS)),
                    field("description", Input::Line),
                    field("annual_thb", Input::OptionalNumber),
                ],
            ),
        ],
    ),
    (
        "ria-section-powers",
        &[
            Part::Rows("licences", JUSTIFIED),
            Part::Rows("committees", JUSTIFIED),
            Part::Rows("discretion", JUSTIFIED),
            Part::Rows("criminal_penalties", JUSTIFIED),
        ],
    ),
    (
        "ria-section-readiness",
        &[
            Part::Object(
                "readiness",
                &[
                    field("staff", Input::Text),
                    field("budget_thb", Input::Number),
                    field("systems", Input::Text),
                ],
            ),
            Part::Fields(&[field("consultation_results", Input::Text)]),
        ],
    ),
    (
        "ria-section-evaluation",
        &[
            Part::Object(
                "evaluation_plan",
                &[field("review_after_years", Input::Number)],
            ),
            Part::Rows(
                "evaluation_plan.indicators",
                &[
                    field("name", Input::Line),
                    field("baseline", Input::Line),
                    field("target", Input::Line),
                    field("data_source", Input::Line),
                ],
            ),
        ],
    ),
];

/// The form's values by path, as typed (or as stored).
#[derive(Default, Clone)]
pub struct Values(pub BTreeMap<String, String>);

impl Values {
    pub fn get(&self, path: &str) -> &str {
        self.0.get(path).map(String::as_str).unwrap_or("")
    }

    fn of_assessment(a: &ImpactAssessment) -> Values {
        let mut out = BTreeMap::new();
        flatten("", &serde_json::to_value(a).unwrap_or_default(), &mut out);
        Values(out)
    }

    fn of_form(form: &visitor::FormData) -> Values {
        Values(
            form.0
                .iter()
                .filter(|(k, _)| k != "csrf" && k != "action")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// How many rows list `path` has (the highest index typed, plus one).
    pub fn rows(&self, path: &str) -> usize {
        let prefix = format!("{path}[");
        self.0
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter_map(|rest| rest.split(']').next()?.parse::<usize>().ok())
            .map(|i| i + 1)
            .max()
            .unwrap_or(0)
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Bool(true) => {
            out.insert(prefix.to_string(), "on".into());
        }
        Value::Number(n) => {
            out.insert(prefix.to_string(), n.to_string());
        }
        Value::Bool(false) | Value::Null => {}
    }
}

/// The value of one typed field, or the problem with it.
fn typed(input: Input, text: &str) -> Result<Value, &'static str> {
    let text = text.trim();
    Ok(match input {
        Input::Line | Input::Text | Input::Choice(_) => Value::String(text.to_string()),
        Input::OptionalLine if text.is_empty() => Value::Null,
        Input::OptionalLine => Value::String(text.to_string()),
        Input::Checkbox => Value::Bool(!text.is_empty()),
        Input::OptionalNumber if text.is_empty() => Value::Null,
        Input::Number | Input::OptionalNumber => {
            let digits: String = text.chars().filter(|c| *c != ',' && *c != ' ').collect();
            let digits = domain::text::thai::digits_to_ascii(&digits);
            Value::from(digits.parse::<u64>().map_err(|_| "not_a_number")?)
        }
    })
}

fn object(
    prefix: &str,
    fields: &[Field],
    values: &Values,
    problems: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let mut map = Map::new();
    for f in fields {
        let path = if prefix.is_empty() {
            f.name.to_string()
        } else {
            format!("{prefix}.{}", f.name)
        };
        match typed(f.input, values.get(&path)) {
            Ok(v) => {
                map.insert(f.name.to_string(), v);
            }
            Err(code) => {
                problems.push(FieldError {
                    field: path,
                    code,
                    message: "enter a whole number".into(),
                });
                map.insert(f.name.to_string(), Value::from(0));
            }
        }
    }
    map
}

/// Puts `value` at `path` (`a.b`) in `root`.
fn put(root: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        Some((head, rest)) => {
            let inner = root
                .entry(head)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(map) = inner {
                put(map, rest, value);
            }
        }
        None => {
            root.insert(path.to_string(), value);
        }
    }
}

/// The assessment the form describes, or every problem with it (rows left blank are ignored,
/// and the rows that remain keep the numbers they were typed with, so errors match fields).
fn parse(values: &Values) -> Result<ImpactAssessment, Vec<FieldError>> {
    let mut problems = Vec::new();
    let mut root = Map::new();
    for (_, parts) in SECTIONS {
        for part in *parts {
            match part {
                Part::Fields(fields) => {
                    for (k, v) in object("", fields, values, &mut problems) {
                        root.insert(k, v);
                    }
                }
                Part::Object(name, fields) => {
                    for (k, v) in object(name, fields, values, &mut problems) {
                        put(&mut root, &format!("{name}.{k}"), v);
                    }
                }
                Part::Lines(name) => {
                    let items: Vec<Value> = (0..values.rows(name))
                        .map(|i| values.get(&format!("{name}[{i}]")).trim().to_string())
                        .filter(|s| !s.is_empty())
                        .map(Value::String)
                        .collect();
                    put(&mut root, name, Value::Array(items));
                }
                Part::Rows(name, fields) => {
                    let mut items = Vec::new();
                    for i in 0..values.rows(name) {
                        let row = format!("{name}[{i}]");
                        let blank = fields
                            .iter()
                            .all(|f| values.get(&format!("{row}.{}", f.name)).trim().is_empty());
                        if blank {
                            continue;
                        }
                        // A row keeps its typed index only if no blank row came before it.
                        items.push(Value::Object(object(&row, fields, values, &mut problems)));
                    }
                    put(&mut root, name, Value::Array(items));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let assessment: ImpactAssessment =
        serde_json::from_value(Value::Object(root)).map_err(|e| {
            vec![FieldError {
                field: "problem".into(),
                code: "invalid_value",
                message: e.to_string(),
            }]
        })?;
    let errors = assessment.validate();
    if errors.is_empty() {
        Ok(assessment)
    } else {
        Err(errors)
    }
}

/// Removes blank rows from the typed values and numbers the rest from 0, so that the indexes of
/// the service's errors are the indexes of the rows shown.
fn compact(values: &Values) -> Values {
    let mut out = values.clone();
    for (_, parts) in SECTIONS {
        for part in *parts {
            let (name, names): (&str, Vec<&str>) = match part {
                Part::Lines(name) => (name, vec![""]),
                Part::Rows(name, fields) => (name, fields.iter().map(|f| f.name).collect()),
                _ => continue,
            };
            let key = |i: usize, f: &str| {
                if f.is_empty() {
                    format!("{name}[{i}]")
                } else {
                    format!("{name}[{i}].{f}")
                }
            };
            let rows: Vec<Vec<String>> = (0..values.rows(name))
                .map(|i| {
                    names
                        .iter()
                        .map(|f| values.get(&key(i, f)).to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|row| row.iter().any(|v| !v.trim().is_empty()))
                .collect();
            out.0.retain(|k, _| !k.starts_with(&format!("{name}[")));
            for (i, row) in rows.iter().enumerate() {
                for (f, v) in names.iter().zip(row) {
                    out.0.insert(key(i, f), v.clone());
                }
            }
        }
    }
    out
}

#[derive(Template)]
#[template(path = "workspace/assessment.html")]
struct AssessmentPage {
    chrome: Chrome,
    view: DraftView,
    values: Values,
    /// Extra blank rows per list.
    extra: usize,
    saved_at: Option<i64>,
    published_at: Option<i64>,
    preview: Option<String>,
    saved: bool,
    errors: Errors,
}

impl AssessmentPage {
    fn sections(&self) -> &'static [(&'static str, &'static [Part])] {
        SECTIONS
    }

    /// The rows a list shows: what it holds plus the blank ones.
    fn rows_of(&self, name: &str) -> Vec<usize> {
        (0..self.values.rows(name) + self.extra).collect()
    }

    fn path(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    }

    fn label(&self, path: &str) -> String {
        label(&self.chrome.t, path)
    }
}

/// The name of the field at `path` (`alternatives[1].kind` → "Kind of measure").
fn label(t: &crate::site::i18n::Messages, path: &str) -> String {
    let leaf = path.rsplit('.').next().unwrap_or(path);
    t.get(&format!("ria-{}", leaf.split('[').next().unwrap_or(leaf)))
}

/// The problems of a refused assessment, each named by its field and row.
fn errors_of(t: &crate::site::i18n::Messages, problems: &[FieldError]) -> Errors {
    let mut errors = Errors::default();
    for p in problems {
        let rows: Vec<String> = p
            .field
            .split('[')
            .skip(1)
            .filter_map(|s| s.split(']').next()?.parse::<usize>().ok())
            .map(|i| (i + 1).to_string())
            .collect();
        let list = p.field.split('[').next().unwrap_or("");
        let mut name = label(t, &p.field);
        if !rows.is_empty() && p.field.contains("].") {
            name = format!("{} {} · {name}", label(t, list), rows.join("."));
        } else if !rows.is_empty() {
            name = format!("{name} {}", rows.join("."));
        }
        let key = format!("ria-error-{}", p.code);
        let text = t.get(&key);
        let text = if text == key {
            crate::site::forms::code_message(t, p.code)
        } else {
            text
        };
        errors.push(p.field.clone(), format!("{name}: {text}"));
    }
    errors
}

async fn page(
    req: &Request,
    state: &AppState,
    id: i64,
    typed: Option<(Values, usize)>,
    preview: Option<String>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        let d = drafts::find_managed(conn, &me.actor, DraftId(id)).await?;
        let view = drafts::view_of(conn, d).await?;
        let stored = match assessments::get(conn, Some(&me.actor), DraftId(id)).await {
            Ok(a) => Some(a),
            Err(DomainError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        Ok::<_, DomainError>((view, stored))
    };
    let (view, stored) = match loaded.await {
        Ok(x) => x,
        Err(e) => return error_page(req, e),
    };
    let (values, extra) = match typed {
        Some(t) => t,
        None => {
            let mut values = stored
                .as_ref()
                .map(|a| Values::of_assessment(&a.fields))
                .unwrap_or_default();
            // What the author starts from, so that a save over someone else's is refused.
            let seen = stored
                .as_ref()
                .map_or("none".to_string(), |a| a.row.updated_at.to_string());
            values.0.insert("seen".into(), seen);
            (values, 1)
        }
    };
    let mut chrome = Chrome::new(req, "ws-assessment-title");
    chrome.title = format!("{} · {}", chrome.title, view.draft.title_th);
    let saved = req.uri().query().is_some_and(|q| q.contains("saved"));
    let page = AssessmentPage {
        chrome,
        view,
        values,
        extra,
        saved_at: stored.as_ref().map(|a| a.row.updated_at),
        published_at: stored.as_ref().and_then(|a| a.row.published_at),
        preview,
        saved,
        errors,
    };
    render(req, status, page)
}

#[handler]
pub async fn show(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    page(
        req,
        &state,
        id,
        None,
        None,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Saves (`action=save`), previews (`action=preview`) or shows more rows (`action=more`).
#[handler]
pub async fn save(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let chrome = Chrome::new(req, "ws-assessment-title");
    let values = compact(&Values::of_form(&form));
    let action = form.get("action").unwrap_or("save");
    if action == "more" {
        return page(
            req,
            &state,
            id,
            Some((values, 2)),
            None,
            Errors::default(),
            StatusCode::OK,
        )
        .await;
    }
    let assessment = match parse(&values) {
        Ok(a) => a,
        Err(problems) => {
            let errors = errors_of(&chrome.t, &problems);
            return page(
                req,
                &state,
                id,
                Some((values, 1)),
                None,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    if action == "preview" {
        let title = match drafts::find_managed(&state.ctx.db.conn, &me.actor, DraftId(id)).await {
            Ok(d) => d.title_th,
            Err(e) => return error_page(req, e),
        };
        let (_, html) = assessment.render(&title);
        return page(
            req,
            &state,
            id,
            Some((values, 1)),
            Some(html),
            Errors::default(),
            StatusCode::OK,
        )
        .await;
    }
    let seen = match values.get("seen").trim() {
        "none" => Some(None),
        // A form without what it started from is refused as a conflict, never saved blind.
        n => Some(Some(n.parse().unwrap_or(-1))),
    };
    match assessments::save(&state.ctx.db, &me.actor, DraftId(id), assessment, seen).await {
        Ok(_) => see_other(&format!(
            "{}?saved=1",
            chrome.href(&format!("/workspace/drafts/{id}/assessment"))
        )),
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("problem", chrome.t.get("ws-assessment-final"));
            page(
                req,
                &state,
                id,
                Some((values, 1)),
                None,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(DomainError::Conflict(_)) => {
            let mut errors = Errors::default();
            errors.push("problem", chrome.t.get("ws-assessment-conflict"));
            page(
                req,
                &state,
                id,
                Some((values, 1)),
                None,
                errors,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(DomainError::Validation(problems)) => {
            let errors = errors_of(&chrome.t, &problems);
            page(
                req,
                &state,
                id,
                Some((values, 1)),
                None,
                errors,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(err) => error_page(req, err),
    }
}

/// Publishes the saved assessment, for good.
#[handler]
pub async fn publish(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-assessment-title");
    match assessments::publish(&state.ctx.db, &me.actor, DraftId(id)).await {
        Ok(_) => see_other(&chrome.href(&format!("/workspace/drafts/{id}#submit"))),
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("problem", chrome.t.get("ws-assessment-save-first"));
            page(req, &state, id, None, None, errors, StatusCode::CONFLICT).await
        }
        Err(e) => error_page(req, e),
    }
}
