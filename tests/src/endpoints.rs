//! One helper per operation of the API document (`openapi/openapi.json`), named after its
//! `operationId`, so that tests say what they do instead of spelling paths. Arguments come in
//! one order: the path's ids, the caller's token (`None` for anonymous), then the body, the
//! `Idempotency-Key` or the query (`&[("status", "open")]`, sent as given, so that tests can
//! send bad parameters too). For requests that are wrong on purpose (a malformed body, an
//! unknown path or method, odd headers) use [`TestApp::request`] and [`TestApp::raw`].

use reqwest::Method;
use serde_json::Value;

use crate::{Reply, TestApp, read};

type Query<'a> = &'a [(&'a str, &'a str)];

impl TestApp {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        query: Query<'_>,
        key: Option<&str>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        read(req.send().await.expect("the request is sent")).await
    }

    async fn get_op(&self, path: &str, token: Option<&str>, query: Query<'_>) -> Reply {
        self.call(Method::GET, path, token, None, query, None).await
    }

    async fn send_op(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        self.call(method, path, token, body, &[], None).await
    }

    // Agencies

    pub async fn list_agencies(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/agencies", token, query).await
    }

    pub async fn create_agency(&self, token: Option<&str>, body: &Value) -> Reply {
        self.send_op(Method::POST, "/api/v1/agencies", token, Some(body))
            .await
    }

    // Drafts and their versions

    pub async fn list_drafts(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/drafts", token, query).await
    }

    pub async fn create_draft(&self, token: Option<&str>, body: &Value) -> Reply {
        self.send_op(Method::POST, "/api/v1/drafts", token, Some(body))
            .await
    }

    pub async fn get_draft(&self, draft: i64, token: Option<&str>) -> Reply {
        self.get_op(&format!("/api/v1/drafts/{draft}"), token, &[])
            .await
    }

    pub async fn update_draft(&self, draft: i64, token: Option<&str>, body: &Value) -> Reply {
        let path = format!("/api/v1/drafts/{draft}");
        self.send_op(Method::PATCH, &path, token, Some(body)).await
    }

    pub async fn submit_draft(&self, draft: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/submit");
        self.send_op(Method::POST, &path, token, None).await
    }

    pub async fn list_versions(&self, draft: i64, token: Option<&str>) -> Reply {
        self.get_op(&format!("/api/v1/drafts/{draft}/versions"), token, &[])
            .await
    }

    pub async fn create_version(&self, draft: i64, token: Option<&str>, body: &Value) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/versions");
        self.send_op(Method::POST, &path, token, Some(body)).await
    }

    /// [`create_version`](Self::create_version) with an `Idempotency-Key`.
    pub async fn create_version_with_key(
        &self,
        draft: i64,
        token: Option<&str>,
        key: &str,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/versions");
        self.call(Method::POST, &path, token, Some(body), &[], Some(key))
            .await
    }

    pub async fn get_version(&self, draft: i64, number: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/versions/{number}");
        self.get_op(&path, token, &[]).await
    }

    /// [`get_version`](Self::get_version) as Akoma Ntoso XML (the text is in `Reply::text`).
    pub async fn get_version_akn(&self, draft: i64, number: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/versions/{number}/akn");
        self.get_op(&path, token, &[]).await
    }

    pub async fn diff_versions(
        &self,
        draft: i64,
        number: i64,
        against: i64,
        token: Option<&str>,
    ) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/versions/{number}/diff");
        self.get_op(&path, token, &[("against", against.to_string().as_str())])
            .await
    }

    pub async fn related_drafts(&self, draft: i64, token: Option<&str>) -> Reply {
        self.get_op(&format!("/api/v1/drafts/{draft}/related"), token, &[])
            .await
    }

    // Impact assessments

    pub async fn get_impact_assessment(&self, draft: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/impact-assessment");
        self.get_op(&path, token, &[]).await
    }

    pub async fn save_impact_assessment(
        &self,
        draft: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/impact-assessment");
        self.send_op(Method::PUT, &path, token, Some(body)).await
    }

    pub async fn publish_impact_assessment(&self, draft: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/impact-assessment/publish");
        self.send_op(Method::POST, &path, token, None).await
    }

    // Consultations

    pub async fn create_consultation(
        &self,
        draft: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/drafts/{draft}/consultations");
        self.send_op(Method::POST, &path, token, Some(body)).await
    }

    pub async fn list_consultations(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/consultations", token, query).await
    }

    pub async fn get_consultation(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}");
        self.get_op(&path, token, &[]).await
    }

    pub async fn reschedule_consultation(
        &self,
        consultation: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}");
        self.send_op(Method::PATCH, &path, token, Some(body)).await
    }

    pub async fn consultation_summary(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/summary");
        self.get_op(&path, token, &[]).await
    }

    // Comments and dispositions

    pub async fn create_comment(
        &self,
        consultation: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/comments");
        self.send_op(Method::POST, &path, token, Some(body)).await
    }

    /// [`create_comment`](Self::create_comment) with an `Idempotency-Key`.
    pub async fn create_comment_with_key(
        &self,
        consultation: i64,
        token: Option<&str>,
        key: &str,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/comments");
        self.call(Method::POST, &path, token, Some(body), &[], Some(key))
            .await
    }

    pub async fn list_comments(
        &self,
        consultation: i64,
        token: Option<&str>,
        query: Query<'_>,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/comments");
        self.get_op(&path, token, query).await
    }

    pub async fn moderate_comment(
        &self,
        consultation: i64,
        comment: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/comments/{comment}/moderation");
        self.send_op(Method::POST, &path, token, Some(body)).await
    }

    pub async fn record_disposition(
        &self,
        consultation: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/dispositions");
        self.send_op(Method::POST, &path, token, Some(body)).await
    }

    pub async fn list_dispositions(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/dispositions");
        self.get_op(&path, token, &[]).await
    }

    // Hearing summaries (reports)

    pub async fn compile_report(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/report/compile");
        self.send_op(Method::POST, &path, token, None).await
    }

    /// [`compile_report`](Self::compile_report) with an `Idempotency-Key`.
    pub async fn compile_report_with_key(
        &self,
        consultation: i64,
        token: Option<&str>,
        key: &str,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/report/compile");
        self.call(Method::POST, &path, token, None, &[], Some(key))
            .await
    }

    pub async fn publish_report(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/report/publish");
        self.send_op(Method::POST, &path, token, None).await
    }

    pub async fn get_report(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/report");
        self.get_op(&path, token, &[]).await
    }

    pub async fn get_report_html(&self, consultation: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/report/html");
        self.get_op(&path, token, &[]).await
    }

    pub async fn get_report_chart(
        &self,
        consultation: i64,
        name: &str,
        token: Option<&str>,
    ) -> Reply {
        let path = format!("/api/v1/consultations/{consultation}/report/charts/{name}");
        self.get_op(&path, token, &[]).await
    }

    // Search

    pub async fn search(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/search", token, query).await
    }

    // Subscriptions

    pub async fn create_subscription(&self, token: Option<&str>, body: &Value) -> Reply {
        self.send_op(Method::POST, "/api/v1/subscriptions", token, Some(body))
            .await
    }

    /// Confirms with the token of the confirmation mail.
    pub async fn confirm_subscription(&self, confirmation: &str) -> Reply {
        self.get_op(
            "/api/v1/subscriptions/confirm",
            None,
            &[("token", confirmation)],
        )
        .await
    }

    /// Unsubscribes with the token of a notice's link.
    pub async fn unsubscribe(&self, unsubscription: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/v1/subscriptions/unsubscribe",
            None,
            None,
            &[("token", unsubscription)],
            None,
        )
        .await
    }

    // Laws in force

    pub async fn create_law(&self, token: Option<&str>, body: &Value) -> Reply {
        self.send_op(Method::POST, "/api/v1/laws", token, Some(body))
            .await
    }

    pub async fn list_laws(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/laws", token, query).await
    }

    pub async fn get_law(&self, law: i64, token: Option<&str>) -> Reply {
        self.get_op(&format!("/api/v1/laws/{law}"), token, &[])
            .await
    }

    pub async fn create_evaluation_request(
        &self,
        law: i64,
        token: Option<&str>,
        body: &Value,
    ) -> Reply {
        let path = format!("/api/v1/laws/{law}/evaluation-requests");
        self.send_op(Method::POST, &path, token, Some(body)).await
    }

    pub async fn list_evaluation_requests(
        &self,
        law: i64,
        token: Option<&str>,
        query: Query<'_>,
    ) -> Reply {
        let path = format!("/api/v1/laws/{law}/evaluation-requests");
        self.get_op(&path, token, query).await
    }

    // The caller's account

    pub async fn list_changes(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/changes", token, query).await
    }

    // Bulk exports

    pub async fn list_exports(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/exports", token, query).await
    }

    pub async fn get_export_catalog(&self, token: Option<&str>) -> Reply {
        self.get_op("/api/v1/exports/catalog", token, &[]).await
    }

    /// A file of an export, with the request's headers (`Range`, `If-None-Match`...).
    pub async fn get_export_file(
        &self,
        dataset: &str,
        generation: &str,
        file: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let path = format!("/api/v1/exports/{dataset}/{generation}/{file}");
        self.request(Method::GET, &path, None, None, headers).await
    }

    pub async fn request_export(&self, dataset: &str, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/admin/exports/{dataset}");
        self.send_op(Method::POST, &path, token, None).await
    }

    pub async fn list_api_keys(&self, token: Option<&str>) -> Reply {
        self.get_op("/api/v1/account/tokens", token, &[]).await
    }

    pub async fn create_api_key(&self, token: Option<&str>, body: &Value) -> Reply {
        self.send_op(Method::POST, "/api/v1/account/tokens", token, Some(body))
            .await
    }

    pub async fn revoke_api_key(&self, key: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/account/tokens/{key}/revoke");
        self.send_op(Method::POST, &path, token, None).await
    }

    // Administration

    pub async fn list_jobs(&self, token: Option<&str>, query: Query<'_>) -> Reply {
        self.get_op("/api/v1/admin/jobs", token, query).await
    }

    pub async fn retry_job(&self, job: i64, token: Option<&str>) -> Reply {
        let path = format!("/api/v1/admin/jobs/{job}/retry");
        self.send_op(Method::POST, &path, token, None).await
    }

    pub async fn get_integrity(&self, token: Option<&str>) -> Reply {
        self.get_op("/api/v1/admin/integrity", token, &[]).await
    }

    pub async fn verify_integrity(&self, token: Option<&str>) -> Reply {
        self.send_op(Method::POST, "/api/v1/admin/integrity/verify", token, None)
            .await
    }

    // Health

    pub async fn health(&self) -> Reply {
        self.get_op("/healthz", None, &[]).await
    }

    pub async fn ready(&self) -> Reply {
        self.get_op("/readyz", None, &[]).await
    }
}
