//! The assessment as data, with the sums of its costs and benefits.

use serde::{Deserialize, Serialize};

/// Longest text field, in characters (Unicode scalar values, not bytes).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Most items in any list (objectives, alternatives, costs, indicators…).
pub const MAX_ITEMS: usize = 100;

/// Largest money value (ten trillion baht, more than half of Thailand's GDP) a single field may
/// hold. With at most [`MAX_ITEMS`] items per list, every sum of a valid assessment stays below
/// 2^53, so it survives JSON in any client, JavaScript included.
pub const MAX_THB: u64 = 10_000_000_000_000;

/// Longest interval before the law's first evaluation; the Act requires evaluation at least
/// every five years.
pub const MAX_REVIEW_AFTER_YEARS: u32 = 5;

/// The regulatory impact assessment of one draft law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct ImpactAssessment {
    /// The problem the draft addresses.
    pub problem: String,
    /// The problem's cause.
    pub cause: String,
    /// Why the state, rather than the market or society, must act.
    pub why_state_must_act: String,
    /// At least one.
    pub objectives: Vec<String>,
    /// Must include a `do_nothing` and a `non_legal` alternative; exactly one is `chosen`.
    pub alternatives: Vec<Alternative>,
    /// At least one.
    pub affected_groups: Vec<AffectedGroup>,
    pub economic_impact: String,
    pub social_impact: String,
    pub environmental_impact: String,
    pub costs: Vec<CostItem>,
    pub benefits: Vec<BenefitItem>,
    /// Licensing (permission, registration, notification) systems the draft creates.
    pub licences: Vec<Justified>,
    /// Committees the draft creates.
    pub committees: Vec<Justified>,
    /// Discretionary powers the draft gives officials.
    pub discretion: Vec<Justified>,
    /// Criminal penalties the draft creates.
    pub criminal_penalties: Vec<Justified>,
    pub readiness: Readiness,
    /// What the consultation found and how the draft responded.
    pub consultation_results: String,
    pub evaluation_plan: EvaluationPlan,
}

/// One way of solving the problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Alternative {
    pub kind: AlternativeKind,
    pub description: String,
    pub advantages: String,
    pub disadvantages: String,
    /// Whether this is the alternative the agency chose.
    pub chosen: bool,
}

/// What kind of measure an [`Alternative`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlternativeKind {
    /// Keep the current situation.
    DoNothing,
    /// A measure that needs no law: guidance, campaigns, self-regulation, administrative action.
    NonLegal,
    /// A legal measure (usually the draft itself).
    Legal,
}

/// A group the draft affects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct AffectedGroup {
    pub group: String,
    pub kind: GroupKind,
    /// Number of people or organisations, when known.
    pub estimated_size: Option<u64>,
    pub how_affected: String,
}

/// The kind of an [`AffectedGroup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Public,
    Business,
    /// Small and medium-sized enterprises.
    Sme,
    Government,
    Other,
}

/// Who bears a cost or receives a benefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bearer {
    Public,
    Business,
    State,
}

impl Bearer {
    /// Every bearer, in report order.
    pub const ALL: [Bearer; 3] = [Bearer::Public, Bearer::Business, Bearer::State];
}

/// A cost or burden, in whole baht.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct CostItem {
    pub bearer: Bearer,
    pub description: String,
    pub one_off_thb: u64,
    pub annual_thb: u64,
}

/// An expected benefit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct BenefitItem {
    pub beneficiary: Bearer,
    pub description: String,
    /// Annual value in whole baht; `None` when the benefit is not monetised.
    pub annual_thb: Option<u64>,
}

/// A licensing system, committee, discretionary power or criminal penalty, with the reason the
/// draft needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Justified {
    /// The provision that creates it, e.g. `s12`; when given it must not be blank.
    pub provision_id: Option<String>,
    pub description: String,
    pub justification: String,
}

/// Whether the agency can apply the law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Readiness {
    pub staff: String,
    pub budget_thb: u64,
    /// IT systems.
    pub systems: String,
}

/// How and when the law will be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct EvaluationPlan {
    /// `1..=MAX_REVIEW_AFTER_YEARS`.
    pub review_after_years: u32,
    /// At least one.
    pub indicators: Vec<Indicator>,
}

/// One measure of whether the law achieves its objectives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Indicator {
    pub name: String,
    pub baseline: String,
    pub target: String,
    pub data_source: String,
}

/// Amounts in whole baht per [`Bearer`], plus their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BearerTotals {
    pub public_thb: u128,
    pub business_thb: u128,
    pub state_thb: u128,
    pub total_thb: u128,
}

impl BearerTotals {
    /// The amount for one bearer.
    pub fn get(&self, bearer: Bearer) -> u128 {
        match bearer {
            Bearer::Public => self.public_thb,
            Bearer::Business => self.business_thb,
            Bearer::State => self.state_thb,
        }
    }

    fn add(&mut self, bearer: Bearer, amount: u64) {
        let amount = u128::from(amount);
        let slot = match bearer {
            Bearer::Public => &mut self.public_thb,
            Bearer::Business => &mut self.business_thb,
            Bearer::State => &mut self.state_thb,
        };
        // A Vec cannot hold 2^64 items, so u128 sums of u64 values cannot overflow; saturating
        // keeps that an arithmetic fact rather than an assumption.
        *slot = slot.saturating_add(amount);
        self.total_thb = self.total_thb.saturating_add(amount);
    }
}

/// The cost–benefit arithmetic of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub one_off_costs: BearerTotals,
    pub annual_costs: BearerTotals,
    /// Monetised benefits only.
    pub annual_benefits: BearerTotals,
    /// Benefits with `annual_thb: None`.
    pub unmonetised_benefits: usize,
    /// Monetised annual benefits minus annual costs (negative: a net annual cost).
    pub net_annual_thb: i128,
}

impl ImpactAssessment {
    /// One-off and annual costs per bearer, monetised annual benefits per beneficiary, and the
    /// net annual benefit.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for cost in &self.costs {
            t.one_off_costs.add(cost.bearer, cost.one_off_thb);
            t.annual_costs.add(cost.bearer, cost.annual_thb);
        }
        for benefit in &self.benefits {
            match benefit.annual_thb {
                Some(amount) => t.annual_benefits.add(benefit.beneficiary, amount),
                None => t.unmonetised_benefits += 1,
            }
        }
        let signed = |v: u128| i128::try_from(v).unwrap_or(i128::MAX);
        t.net_annual_thb =
            signed(t.annual_benefits.total_thb).saturating_sub(signed(t.annual_costs.total_thb));
        t
    }
}
