//! The agency workspace at `/workspace`: the pages where officers run a consultation from the
//! first draft to submission, and administrators manage agencies, staff, jobs and the audit
//! trail. It stands on the site's foundation (layout, languages, sessions, CSRF, sign-in);
//! every page names its access rule in [`pages`] (see [`super::access`]), and what belongs to
//! another agency is answered as not found by the services the pages call.

use poem::{EndpointExt, Request, Response};

use super::{Access, PageRoute, see_other};
use domain::service::sessions::SignedIn;

mod admin;
mod assessment;
mod consultation;
pub mod consultations;
mod dashboard;
pub mod dates;
mod drafts;
pub mod invitations;
mod laws;
mod reschedule;
mod responses;

/// The workspace's pages, by path without the language prefix.
pub(super) fn pages() -> Vec<PageRoute> {
    use Access::{Admin, Staff};
    vec![
        PageRoute::with(Staff, "/workspace", Some(|| dashboard::show.boxed()), None),
        PageRoute::with(
            Staff,
            "/workspace/drafts/new",
            Some(|| drafts::new_form.boxed()),
            Some(|| drafts::create.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id",
            Some(|| drafts::show.boxed()),
            None,
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/edit",
            Some(|| drafts::edit_form.boxed()),
            Some(|| drafts::edit.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/versions/new",
            Some(|| drafts::version_form.boxed()),
            Some(|| drafts::version_post.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/versions/upload",
            None,
            Some(|| drafts::upload.boxed()),
        )
        .uploading(drafts::MAX_UPLOAD_BYTES),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/assessment",
            Some(|| assessment::show.boxed()),
            Some(|| assessment::save.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/assessment/publish",
            None,
            Some(|| assessment::publish.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/submit",
            None,
            Some(|| drafts::submit.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/drafts/:id/consultations/new",
            Some(|| consultations::new_form.boxed()),
            Some(|| consultations::create.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id",
            Some(|| consultation::show.boxed()),
            None,
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/comments/:comment_id/moderation",
            None,
            Some(|| consultation::moderate.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/reviewed",
            None,
            Some(|| consultation::reviewed.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/summary",
            Some(|| consultation::preview.boxed()),
            None,
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/summary/compile",
            None,
            Some(|| consultation::compile.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/summary/publish",
            None,
            Some(|| consultation::publish.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/responses",
            Some(|| responses::show.boxed()),
            Some(|| responses::record.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/consultations/:id/dates",
            Some(|| reschedule::show.boxed()),
            Some(|| reschedule::save.boxed()),
        ),
        PageRoute::with(
            Staff,
            "/workspace/laws",
            Some(|| laws::list.boxed()),
            Some(|| laws::register.boxed()),
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/accounts",
            Some(|| admin::staff.boxed()),
            Some(|| admin::invite.boxed()),
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/accounts/:id",
            Some(|| admin::staff_member.boxed()),
            Some(|| admin::change_account.boxed()),
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/agencies",
            Some(|| admin::agency_list.boxed()),
            Some(|| admin::create_agency.boxed()),
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/agencies/:id",
            Some(|| admin::agency_form.boxed()),
            Some(|| admin::rename_agency.boxed()),
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/jobs",
            Some(|| admin::job_queue.boxed()),
            None,
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/jobs/:id/retry",
            None,
            Some(|| admin::retry_job.boxed()),
        ),
        PageRoute::with(
            Admin,
            "/workspace/admin/audit",
            Some(|| admin::audit.boxed()),
            Some(|| admin::verify.boxed()),
        ),
    ]
}

/// The signed-in staff member of a workspace page (the access rule let only staff in).
pub(crate) fn me(req: &Request) -> Result<SignedIn, Response> {
    super::visitor::signed_in(req).ok_or_else(|| {
        let chrome = super::Chrome::new(req, "sign-in-title");
        see_other(&chrome.sign_in_href_to("/workspace"))
    })
}

/// The signed-in staff member, as a handler's argument (without one: sent to sign in).
pub(crate) struct Me(pub SignedIn);

impl<'a> poem::FromRequest<'a> for Me {
    async fn from_request(req: &'a Request, _body: &mut poem::RequestBody) -> poem::Result<Self> {
        me(req).map(Me).map_err(poem::Error::from_response)
    }
}

/// The workspace's sections, for its navigation: (path, message key).
pub const SECTIONS: &[(&str, &str)] = &[
    ("/workspace", "ws-nav-dashboard"),
    ("/workspace/drafts/new", "ws-nav-new-draft"),
    ("/workspace/laws", "ws-nav-laws"),
];

/// The administrators' sections.
pub const ADMIN_SECTIONS: &[(&str, &str)] = &[
    ("/workspace/admin/accounts", "ws-nav-accounts"),
    ("/workspace/admin/agencies", "ws-nav-agencies"),
    ("/workspace/admin/jobs", "ws-nav-jobs"),
    ("/workspace/admin/audit", "ws-nav-audit"),
];
