//! `send_mail`: composes one message from the database and sends it once (see
//! `service::mailings`); a failure to send retries with backoff.

use serde::{Deserialize, Serialize};

use super::BackgroundJob;
pub use crate::service::mailings::ConsultationEvent;
use crate::{
    Context,
    service::mailings::{self, Composed},
};

/// `send_mail`: one message to one recipient. Deliveries are recorded by message key, so a
/// message already sent is never sent again, however often the job runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "message", rename_all = "snake_case")]
pub enum MailJob {
    /// The receipt of a comment, with its tracking number, to its author.
    CommentReceipt { comment_id: i64 },
    /// The link confirming a subscription. The job makes a new secret and stores its hash, so
    /// the secret exists in clear only in the mail.
    SubscriptionConfirm { subscription_id: i64 },
    /// "A consultation you follow opened" or "closes in 3 days", to one subscription.
    ConsultationNotice {
        consultation_id: i64,
        subscription_id: i64,
        event: ConsultationEvent,
    },
    /// "The hearing summary is published", to the author of a comment who asked to be told.
    SummaryPublished { comment_id: i64 },
    /// "A law in force is due for its ex-post evaluation", to one officer of its agency.
    EvaluationDue { law_id: i64, account_id: i64 },
    /// A one-time sign-in link. The job makes the link's secret and stores its hash, so the
    /// secret exists in clear only in the mail.
    SignInLink { link_id: i64 },
    /// An invitation to join the workspace. The job makes the invitation's secret and stores
    /// its hash, so the secret exists in clear only in the mail.
    Invitation { invitation_id: i64 },
    /// "Your comment was hidden (or published again)", with the moderator's reason, to its
    /// author.
    CommentModerated { comment_id: i64 },
}

impl BackgroundJob for MailJob {
    const KIND: &'static str = "send_mail";
    const MAX_ATTEMPTS: i32 = 10;

    async fn run(ctx: &Context, batch: Vec<Self>) -> anyhow::Result<()> {
        let mut transient = None;
        for job in &batch {
            let Some((kind, mail)) = build(ctx, job).await? else {
                continue;
            };
            if let Err(e) = mailings::deliver(&ctx.db, &ctx.mailer, kind, &mail).await {
                transient = Some(e);
            }
        }
        // The batch is retried as a whole; messages already sent are skipped on the retry.
        match transient {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

async fn build(ctx: &Context, job: &MailJob) -> anyhow::Result<Composed> {
    let (db, base) = (&ctx.db, ctx.settings.public_url.as_str());
    Ok(match *job {
        MailJob::CommentReceipt { comment_id } => {
            mailings::comment_receipt(db, base, comment_id).await?
        }
        MailJob::SubscriptionConfirm { subscription_id } => {
            mailings::subscription_confirm(db, base, subscription_id).await?
        }
        MailJob::ConsultationNotice {
            consultation_id,
            subscription_id,
            event,
        } => {
            mailings::consultation_notice(db, base, consultation_id, subscription_id, event).await?
        }
        MailJob::SummaryPublished { comment_id } => {
            mailings::summary_published(db, base, comment_id).await?
        }
        MailJob::EvaluationDue { law_id, account_id } => {
            mailings::evaluation_due(db, base, law_id, account_id).await?
        }
        MailJob::SignInLink { link_id } => mailings::sign_in_link(db, base, link_id).await?,
        MailJob::CommentModerated { comment_id } => {
            mailings::comment_moderated(db, base, comment_id).await?
        }
        MailJob::Invitation { invitation_id } => {
            mailings::invitation(db, base, invitation_id).await?
        }
    })
}
