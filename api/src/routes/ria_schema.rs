//! The request and response schema of a regulatory impact assessment, for the API document.
//! The fields and rules are those of `domain::ria`; values convert through JSON, so the two
//! cannot drift without the conversion (and the tests) failing.

use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

/// A kind of alternative to the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AlternativeKind {
    DoNothing,
    NonLegal,
    Legal,
}

/// A kind of affected group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Public,
    Business,
    Sme,
    Government,
    Other,
}

/// Who bears a cost or receives a benefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Bearer {
    Public,
    Business,
    State,
}

/// An alternative considered, including doing nothing and non-legal measures.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub kind: AlternativeKind,
    /// What the alternative is.
    pub description: String,
    /// Its advantages.
    pub advantages: String,
    /// Its disadvantages.
    pub disadvantages: String,
    /// Whether this is the alternative chosen (exactly one is).
    pub chosen: bool,
}

/// A group of people or organisations the draft affects.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AffectedGroup {
    /// Who they are.
    pub group: String,
    pub kind: GroupKind,
    /// About how many, when known.
    #[serde(default)]
    #[oai(nullable)]
    pub estimated_size: Option<u64>,
    /// How the draft affects them.
    pub how_affected: String,
}

/// A cost or burden, in whole baht.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CostItem {
    pub bearer: Bearer,
    /// What the cost is.
    pub description: String,
    /// One-off cost, THB.
    pub one_off_thb: u64,
    /// Yearly cost, THB.
    pub annual_thb: u64,
}

/// A benefit, in whole baht per year when it can be monetised.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct BenefitItem {
    pub beneficiary: Bearer,
    /// What the benefit is.
    pub description: String,
    /// Yearly value, THB; `null` when not monetised.
    #[serde(default)]
    #[oai(nullable)]
    pub annual_thb: Option<u64>,
}

/// A licence, committee, discretionary power or criminal penalty the draft creates, with the
/// justification the law requires for it.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Justified {
    /// The provision that creates it (such as `s12`).
    #[serde(default)]
    #[oai(nullable)]
    pub provision_id: Option<String>,
    /// What it is.
    pub description: String,
    /// Why it is necessary (required).
    pub justification: String,
}

/// The agency's readiness to apply the law.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Readiness {
    /// Staff.
    pub staff: String,
    /// Budget, THB.
    pub budget_thb: u64,
    /// Systems (IT and others).
    pub systems: String,
}

/// An indicator of the evaluation plan.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// What is measured.
    pub name: String,
    /// Its value today.
    pub baseline: String,
    /// The value aimed at.
    pub target: String,
    /// Where the data comes from.
    pub data_source: String,
}

/// How and when the law will be evaluated.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EvaluationPlan {
    /// Years until the first evaluation, 1 to 5 (the law requires at least every 5 years).
    pub review_after_years: u32,
    /// At least one indicator.
    pub indicators: Vec<Indicator>,
}

/// The fields of a regulatory impact assessment (Act on Legislative Drafting and Evaluation of
/// Law B.E. 2562, s.13). Texts are required and up to 20,000 characters; lists hold at most 100
/// items.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ImpactAssessmentFields {
    /// The problem the draft addresses.
    pub problem: String,
    /// Its cause.
    pub cause: String,
    /// Why the state must act.
    pub why_state_must_act: String,
    /// The objectives (at least one).
    pub objectives: Vec<String>,
    /// Alternatives: at least one `do_nothing` and one `non_legal`; exactly one chosen.
    pub alternatives: Vec<Alternative>,
    /// Who is affected (at least one group).
    pub affected_groups: Vec<AffectedGroup>,
    /// Economic impact.
    pub economic_impact: String,
    /// Social impact.
    pub social_impact: String,
    /// Environmental impact.
    pub environmental_impact: String,
    /// Costs and burdens.
    pub costs: Vec<CostItem>,
    /// Benefits.
    pub benefits: Vec<BenefitItem>,
    /// Licensing systems the draft creates.
    pub licences: Vec<Justified>,
    /// Committees the draft creates.
    pub committees: Vec<Justified>,
    /// Discretionary powers of officials.
    pub discretion: Vec<Justified>,
    /// Criminal penalties.
    pub criminal_penalties: Vec<Justified>,
    pub readiness: Readiness,
    /// What the hearings found.
    pub consultation_results: String,
    pub evaluation_plan: EvaluationPlan,
}
