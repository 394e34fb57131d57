//! The administrators' pages: staff (invite by e-mail, change a role, deactivate), agencies,
//! the job queue (retry a failed job) and the audit trail with the result of verifying it.

use askama::Template;
use domain::{
    DomainError,
    entity::{account, agency, audit_event, integrity_check, invitation, job},
    ids::AccountId,
    jobs,
    service::{
        accounts::{self, AccountChange},
        agencies::{self, NewAgency},
        integrity,
        invitations::{self, NewInvitation},
        page::PageRequest,
    },
    types::{JobState, Role},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Query},
};

use super::{Me, me};
use crate::{
    AppState,
    site::{Chrome, PageId, error_page, forms::Errors, given, render, see_other, visitor},
};

fn agency_names(all: &[agency::Model]) -> std::collections::HashMap<i64, String> {
    all.iter().map(|a| (a.id, a.name_th.clone())).collect()
}

#[derive(Template)]
#[template(path = "workspace/admin/accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<account::Model>,
    pending: Vec<invitation::Model>,
    agencies: Vec<agency::Model>,
    names: std::collections::HashMap<i64, String>,
    search: String,
    /// The invitation form as typed: e-mail, role, agency.
    typed: (String, String, String),
    invited: bool,
    now: i64,
    errors: Errors,
}

impl AccountsPage {
    fn agency_of(&self, id: &Option<i64>) -> String {
        id.and_then(|id| self.names.get(&id).cloned())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountsQuery {
    q: Option<String>,
    invited: Option<String>,
}

async fn accounts_page(
    req: &Request,
    state: &AppState,
    search: String,
    typed: (String, String, String),
    invited: bool,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        Ok::<_, DomainError>((
            accounts::list_for_admin(conn, Some(&search)).await?,
            invitations::pending(conn).await?,
            crate::site::agencies::all(conn).await?,
        ))
    };
    match loaded.await {
        Ok((accounts, pending, agencies)) => {
            let page = AccountsPage {
                chrome: Chrome::new(req, "ws-accounts-title"),
                names: agency_names(&agencies),
                accounts,
                pending,
                agencies,
                search,
                typed,
                invited,
                now: domain::time::now_ms(),
                errors,
            };
            render(req, status, page)
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn staff(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<AccountsQuery>,
) -> Response {
    let search = given(&q.q).unwrap_or_default();
    accounts_page(
        req,
        &state,
        search,
        Default::default(),
        q.invited.is_some(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

/// Invites someone by e-mail to be an officer of an agency, or an administrator.
#[handler]
pub async fn invite(req: &Request, state: Data<&AppState>, Me(me): Me) -> Response {
    let form = visitor::form(req);
    let typed = (
        form.raw("email").to_string(),
        form.raw("role").to_string(),
        form.raw("agency").to_string(),
    );
    let chrome = Chrome::new(req, "ws-accounts-title");
    let role = match typed.1.trim() {
        "admin" => Role::Admin,
        _ => Role::Officer,
    };
    let input = NewInvitation {
        email: typed.0.clone(),
        role,
        agency: given(&Some(typed.2.clone())),
    };
    match invitations::invite(&state.ctx.db, &me.actor, input).await {
        Ok(_) => see_other(&format!(
            "{}?invited=1",
            chrome.href("/workspace/admin/accounts")
        )),
        Err(err) => match crate::site::forms::Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => {
                accounts_page(
                    req,
                    &state,
                    String::new(),
                    typed,
                    false,
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => error_page(req, err),
        },
    }
}

#[derive(Template)]
#[template(path = "workspace/admin/account.html")]
struct AccountPage {
    chrome: Chrome,
    account: account::Model,
    agencies: Vec<agency::Model>,
    is_me: bool,
    errors: Errors,
}

async fn account_page(
    req: &Request,
    state: &AppState,
    id: i64,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let me = match me(req) {
        Ok(me) => me,
        Err(resp) => return resp,
    };
    let conn = &state.ctx.db.conn;
    let loaded = async {
        Ok::<_, DomainError>((
            accounts::get(conn, AccountId(id)).await?,
            crate::site::agencies::all(conn).await?,
        ))
    };
    match loaded.await {
        Ok((account, agencies)) => {
            let mut chrome = Chrome::new(req, "ws-account-title");
            chrome.title = format!("{} · {}", chrome.title, account.display_name);
            let page = AccountPage {
                is_me: account.id == me.actor.account_id.get(),
                chrome,
                account,
                agencies,
                errors,
            };
            render(req, status, page)
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn staff_member(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    account_page(req, &state, id, Errors::default(), StatusCode::OK).await
}

/// Changes a role (`change=role`), deactivates (`change=deactivate`) or reactivates.
#[handler]
pub async fn change_account(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let chrome = Chrome::new(req, "ws-account-title");
    let change = match form.get("change") {
        Some("deactivate") => AccountChange::Deactivate,
        Some("reactivate") => AccountChange::Reactivate,
        _ => match form.get("role").and_then(Role::parse) {
            Some(role) => AccountChange::Role {
                role,
                agency: form.get("agency").map(String::from),
            },
            None => {
                let mut errors = Errors::default();
                errors.push(
                    "role",
                    crate::site::forms::code_message(&chrome.t, "required"),
                );
                return account_page(req, &state, id, errors, StatusCode::BAD_REQUEST).await;
            }
        },
    };
    match accounts::change(&state.ctx.db, &me.actor, AccountId(id), change).await {
        Ok(_) => see_other(&chrome.href(&format!("/workspace/admin/accounts/{id}"))),
        Err(DomainError::InvalidState(_)) => {
            let mut errors = Errors::default();
            errors.push("role", chrome.t.get("ws-not-yourself"));
            account_page(req, &state, id, errors, StatusCode::CONFLICT).await
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => account_page(req, &state, id, errors, StatusCode::BAD_REQUEST).await,
            None => error_page(req, err),
        },
    }
}

#[derive(Template)]
#[template(path = "workspace/admin/agencies.html")]
struct AgenciesPage {
    chrome: Chrome,
    agencies: Vec<agency::Model>,
    /// The form as typed: slug, Thai name, English name.
    typed: (String, String, String),
    errors: Errors,
}

async fn agencies_page(
    req: &Request,
    state: &AppState,
    typed: (String, String, String),
    errors: Errors,
    status: StatusCode,
) -> Response {
    match crate::site::agencies::all(&state.ctx.db.conn).await {
        Ok(agencies) => {
            let page = AgenciesPage {
                chrome: Chrome::new(req, "ws-agencies-title"),
                agencies,
                typed,
                errors,
            };
            render(req, status, page)
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn agency_list(req: &Request, state: Data<&AppState>) -> Response {
    agencies_page(
        req,
        &state,
        Default::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

#[handler]
pub async fn create_agency(req: &Request, state: Data<&AppState>, Me(me): Me) -> Response {
    let form = visitor::form(req);
    let typed = (
        form.raw("slug").to_string(),
        form.raw("name_th").to_string(),
        form.raw("name_en").to_string(),
    );
    let chrome = Chrome::new(req, "ws-agencies-title");
    let input = NewAgency {
        slug: typed.0.clone(),
        name_th: typed.1.clone(),
        name_en: given(&Some(typed.2.clone())),
        parent_ministry_th: None,
        parent_ministry_en: None,
    };
    match agencies::create_agency(&state.ctx.db, Some(&me.actor), input).await {
        Ok(_) => see_other(&chrome.href("/workspace/admin/agencies")),
        Err(DomainError::Conflict(_)) => {
            let mut errors = Errors::default();
            errors.push("slug", chrome.t.get("ws-slug-taken"));
            agencies_page(req, &state, typed, errors, StatusCode::CONFLICT).await
        }
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => {
                agencies_page(req, &state, typed, errors, StatusCode::BAD_REQUEST).await
            }
            None => error_page(req, err),
        },
    }
}

#[derive(Template)]
#[template(path = "workspace/admin/jobs.html")]
struct JobsPage {
    chrome: Chrome,
    jobs: Vec<job::Model>,
    state: String,
    states: &'static [JobState],
    next: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct JobsQuery {
    state: Option<String>,
    cursor: Option<String>,
}

#[handler]
pub async fn job_queue(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<JobsQuery>,
    Me(me): Me,
) -> Response {
    let job_state = given(&q.state).and_then(|s| JobState::parse(&s));
    let Ok(page) = PageRequest::parse(Some(100), given(&q.cursor).as_deref()) else {
        return crate::site::not_found(req);
    };
    match jobs::list_jobs(&state.ctx.db.conn, Some(&me.actor), job_state, page).await {
        Ok(found) => {
            let chrome = Chrome::new(req, "ws-jobs-title");
            let next = found.next_cursor.map(|c| {
                crate::site::link(
                    &chrome,
                    "/workspace/admin/jobs",
                    &[
                        ("state", job_state.map(JobState::as_str)),
                        ("cursor", Some(&c)),
                    ],
                )
            });
            let page = JobsPage {
                chrome,
                jobs: found.items,
                state: job_state.map(|s| s.to_string()).unwrap_or_default(),
                states: JobState::ALL,
                next,
            };
            render(req, StatusCode::OK, page)
        }
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn retry_job(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let chrome = Chrome::new(req, "ws-jobs-title");
    match jobs::retry_job(&state.ctx.db, Some(&me.actor), id).await {
        Ok(_) | Err(DomainError::InvalidState(_)) => see_other(&format!(
            "{}?state=pending",
            chrome.href("/workspace/admin/jobs")
        )),
        Err(e) => error_page(req, e),
    }
}

#[derive(Template)]
#[template(path = "workspace/admin/audit.html")]
struct AuditPage {
    chrome: Chrome,
    events: Vec<audit_event::Model>,
    last_check: Option<integrity_check::Model>,
    requested: bool,
    next: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
    requested: Option<String>,
}

const AUDIT_PAGE: u64 = 100;

#[handler]
pub async fn audit(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<AuditQuery>,
    Me(me): Me,
) -> Response {
    let conn = &state.ctx.db.conn;
    let loaded = async {
        Ok::<_, DomainError>((
            domain::audit::recent(conn, q.before, AUDIT_PAGE).await?,
            integrity::last_check(conn, Some(&me.actor)).await?,
        ))
    };
    match loaded.await {
        Ok((events, last_check)) => {
            let chrome = Chrome::new(req, "ws-audit-title");
            let next = (events.len() as u64 == AUDIT_PAGE)
                .then(|| {
                    events.last().map(|e| {
                        format!("{}?before={}", chrome.href("/workspace/admin/audit"), e.id)
                    })
                })
                .flatten();
            let page = AuditPage {
                chrome,
                events,
                last_check,
                requested: q.requested.is_some(),
                next,
            };
            render(req, StatusCode::OK, page)
        }
        Err(e) => error_page(req, e),
    }
}

/// Asks the worker to verify the audit trail now.
#[handler]
pub async fn verify(req: &Request, state: Data<&AppState>, Me(me): Me) -> Response {
    let chrome = Chrome::new(req, "ws-audit-title");
    match integrity::request_verification(&state.ctx.db, Some(&me.actor)).await {
        Ok(()) => see_other(&format!(
            "{}?requested=1",
            chrome.href("/workspace/admin/audit")
        )),
        Err(e) => error_page(req, e),
    }
}

#[derive(Template)]
#[template(path = "workspace/admin/agency.html")]
struct AgencyPage {
    chrome: Chrome,
    agency: agency::Model,
    /// The form as typed: Thai name, English name, ministry in Thai, ministry in English.
    typed: [String; 4],
    errors: Errors,
}

async fn agency_page(
    req: &Request,
    state: &AppState,
    id: i64,
    typed: Option<[String; 4]>,
    errors: Errors,
    status: StatusCode,
) -> Response {
    match agencies::find_by_id(&state.ctx.db.conn, id).await {
        Ok(Some(agency)) => {
            let typed = typed.unwrap_or_else(|| {
                [
                    agency.name_th.clone(),
                    agency.name_en.clone().unwrap_or_default(),
                    agency.parent_ministry_th.clone().unwrap_or_default(),
                    agency.parent_ministry_en.clone().unwrap_or_default(),
                ]
            });
            let mut chrome = Chrome::new(req, "ws-agency-title");
            chrome.title = format!("{} · {}", chrome.title, agency.name_th);
            let page = AgencyPage {
                chrome,
                agency,
                typed,
                errors,
            };
            render(req, status, page)
        }
        Ok(None) => crate::site::not_found(req),
        Err(e) => error_page(req, e),
    }
}

#[handler]
pub async fn agency_form(req: &Request, state: Data<&AppState>, PageId(id): PageId) -> Response {
    agency_page(req, &state, id, None, Errors::default(), StatusCode::OK).await
}

/// Renames an agency.
#[handler]
pub async fn rename_agency(
    req: &Request,
    state: Data<&AppState>,
    PageId(id): PageId,
    Me(me): Me,
) -> Response {
    let form = visitor::form(req);
    let typed = [
        "name_th",
        "name_en",
        "parent_ministry_th",
        "parent_ministry_en",
    ]
    .map(|f| form.raw(f).to_string());
    let chrome = Chrome::new(req, "ws-agency-title");
    let input = agencies::AgencyNames {
        name_th: typed[0].clone(),
        name_en: given(&Some(typed[1].clone())),
        parent_ministry_th: given(&Some(typed[2].clone())),
        parent_ministry_en: given(&Some(typed[3].clone())),
    };
    match agencies::rename_agency(&state.ctx.db, &me.actor, id, input).await {
        Ok(_) => see_other(&chrome.href("/workspace/admin/agencies")),
        Err(err) => match Errors::from_domain(&chrome.t, &err, |_| None) {
            Some(errors) => {
                agency_page(
                    req,
                    &state,
                    id,
                    Some(typed),
                    errors,
                    StatusCode::BAD_REQUEST,
                )
                .await
            }
            None => error_page(req, err),
        },
    }
}
