use domain::ids::ConsultationId;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::{service::summaries, stats::Statistics};
use poem::web::Data;
use poem_openapi::{Object, OpenApi, param::Path};

use super::{Tag, time};
use crate::{
    AppState,
    auth::MaybeSignedIn,
    error::{ApiResult, PublicRead},
    json::Json,
};

/// A value and how many comments have it.
#[derive(Debug, Object, serde::Serialize)]
pub struct Count {
    /// The value: a stance, a province, a provision id (`""` for the whole draft), a day (`YYYY-MM-DD`, Thailand time)...
    pub value: String,
    /// Number of comments.
    pub count: u64,
}

fn counts(map: &BTreeMap<String, u64>) -> Vec<Count> {
    map.iter()
        .map(|(value, count)| Count {
            value: value.clone(),
            count: *count,
        })
        .collect()
}

/// The answers to one question.
#[derive(Debug, Object, serde::Serialize)]
pub struct QuestionSummary {
    /// The question's id.
    pub question_id: String,
    /// How many comments answered it.
    pub answered: u64,
    /// For choice questions: how often each option was chosen.
    pub choices: Vec<Count>,
    /// For scale questions: how many answered 1, 2, 3, 4 and 5.
    pub scale: Vec<u64>,
    /// For scale questions: the mean answer.
    #[oai(nullable)]
    pub scale_mean: Option<f64>,
    /// For text questions: how many answered in words.
    pub texts: u64,
}

/// A group of identical or near-identical comments (a campaign).
#[derive(Debug, Object, serde::Serialize)]
pub struct ClusterSummary {
    /// Stable id of the cluster (the smallest id among its comments).
    pub id: i64,
    /// Number of comments in it.
    pub size: i32,
    /// A typical text of the cluster (empty when none of its comments is public).
    pub representative_text: String,
}

/// Statistics of a consultation's comments, computed by the background worker.
#[derive(Debug, Object, serde::Serialize)]
pub struct ConsultationSummary {
    /// The consultation.
    pub consultation_id: i64,
    /// When the statistics were computed; `null` if they have not been yet.
    #[oai(nullable)]
    #[serde(serialize_with = "crate::json::rfc3339_opt")]
    pub computed_at: Option<DateTime<Utc>>,
    /// Every comment received (private ones included; their words are not in `top_terms`).
    pub total: u64,
    /// Comments that are not part of a campaign cluster. `unique_comments` plus the sizes of all clusters equals `total`.
    pub unique_comments: u64,
    /// Comments inside campaign clusters.
    pub clustered_comments: u64,
    /// Per stance (`support`, `oppose`, `neutral`).
    pub by_stance: Vec<Count>,
    /// Per respondent type (`individual`, `organisation`, `business`, `government`, `academic`).
    pub by_respondent_type: Vec<Count>,
    /// Per province (`""` when not given).
    pub by_province: Vec<Count>,
    /// Per provision id (`""` for comments on the whole draft).
    pub by_provision: Vec<Count>,
    /// Per channel (`web`, `api`, `offline`).
    pub by_channel: Vec<Count>,
    /// Per day, Thailand time.
    pub by_day: Vec<Count>,
    /// Answers to each question.
    pub questions: Vec<QuestionSummary>,
    /// The most frequent words in public comments (Thai segmented into words), with the number of comments using each.
    pub top_terms: Vec<Count>,
    /// Campaign clusters, largest first.
    pub clusters: Vec<ClusterSummary>,
}

pub struct SummariesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "Tag::Consultations")]
impl SummariesApi {
    /// Statistics of a consultation: totals, counts by stance, respondent type, province,
    /// provision, channel and day, answers to each question, frequent terms and campaign clusters.
    #[oai(
        path = "/consultations/:id/summary",
        method = "get",
        operation_id = "consultation_summary"
    )]
    async fn summary(
        &self,
        state: Data<&AppState>,
        auth: MaybeSignedIn,
        id: Path<i64>,
    ) -> ApiResult<Json<ConsultationSummary>, PublicRead> {
        let s = summaries::summary(&state.ctx.db.conn, auth.actor(), ConsultationId(id.0)).await?;
        let clustered = s.clustered();
        let st = &s.statistics;
        Ok(Json(ConsultationSummary {
            consultation_id: s.consultation_id.get(),
            computed_at: s.computed_at.map(time),
            total: st.total,
            unique_comments: st.total.saturating_sub(clustered),
            clustered_comments: clustered,
            by_stance: counts(&st.by_stance),
            by_respondent_type: counts(&st.by_respondent_type),
            by_province: counts(&st.by_province),
            by_provision: counts(&st.by_provision),
            by_channel: counts(&st.by_channel),
            by_day: counts(&st.by_day),
            questions: st
                .questions
                .iter()
                .map(|(id, q)| QuestionSummary {
                    question_id: id.clone(),
                    answered: q.answered,
                    choices: counts(&q.choices),
                    scale: q.scale.to_vec(),
                    scale_mean: Statistics::scale_mean(q),
                    texts: q.texts,
                })
                .collect(),
            top_terms: st
                .top_terms(30)
                .into_iter()
                .map(|(value, count)| Count { value, count })
                .collect(),
            clusters: s
                .clusters
                .into_iter()
                .map(|c| ClusterSummary {
                    id: c.id,
                    size: c.size,
                    representative_text: c.representative_text,
                })
                .collect(),
        }))
    }
}
