//! Checking an assessment: every problem at once, with field paths and stable codes.

use super::model::*;
use super::render::format_thousands;
use crate::{error::FieldError, service::validate::Checks};

impl ImpactAssessment {
    /// Every problem, with field paths like `alternatives[2].description` and codes `required`,
    /// `too_long`, `too_many`, `out_of_range`, `invalid_value`, `missing_alternative` and
    /// `justification_required`, in the order of the fields.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut c = Checker::default();

        c.text("problem", &self.problem);
        c.text("cause", &self.cause);
        c.text("why_state_must_act", &self.why_state_must_act);

        c.list("objectives", &self.objectives, true);
        for (i, objective) in self.objectives.iter().enumerate() {
            c.text(&format!("objectives[{i}]"), objective);
        }

        self.validate_alternatives(&mut c);

        c.list("affected_groups", &self.affected_groups, true);
        for (i, g) in self.affected_groups.iter().enumerate() {
            c.text(&format!("affected_groups[{i}].group"), &g.group);
            c.text(
                &format!("affected_groups[{i}].how_affected"),
                &g.how_affected,
            );
        }

        c.text("economic_impact", &self.economic_impact);
        c.text("social_impact", &self.social_impact);
        c.text("environmental_impact", &self.environmental_impact);

        c.list("costs", &self.costs, false);
        for (i, cost) in self.costs.iter().enumerate() {
            c.text(&format!("costs[{i}].description"), &cost.description);
            c.money(&format!("costs[{i}].one_off_thb"), cost.one_off_thb);
            c.money(&format!("costs[{i}].annual_thb"), cost.annual_thb);
        }
        c.list("benefits", &self.benefits, false);
        for (i, benefit) in self.benefits.iter().enumerate() {
            c.text(&format!("benefits[{i}].description"), &benefit.description);
            if let Some(amount) = benefit.annual_thb {
                c.money(&format!("benefits[{i}].annual_thb"), amount);
            }
        }

        for (name, items) in [
            ("licences", &self.licences),
            ("committees", &self.committees),
            ("discretion", &self.discretion),
            ("criminal_penalties", &self.criminal_penalties),
        ] {
            c.list(name, items, false);
            for (i, item) in items.iter().enumerate() {
                if let Some(provision) = &item.provision_id {
                    c.text(&format!("{name}[{i}].provision_id"), provision);
                }
                c.text(&format!("{name}[{i}].description"), &item.description);
                c.justification(&format!("{name}[{i}].justification"), &item.justification);
            }
        }

        c.text("readiness.staff", &self.readiness.staff);
        c.money("readiness.budget_thb", self.readiness.budget_thb);
        c.text("readiness.systems", &self.readiness.systems);

        c.text("consultation_results", &self.consultation_results);

        let plan = &self.evaluation_plan;
        if !(1..=MAX_REVIEW_AFTER_YEARS).contains(&plan.review_after_years) {
            c.push(
                "evaluation_plan.review_after_years",
                "out_of_range",
                format!(
                    "the law must be evaluated within 1 to {MAX_REVIEW_AFTER_YEARS} years, not {}",
                    plan.review_after_years
                ),
            );
        }
        c.list("evaluation_plan.indicators", &plan.indicators, true);
        for (i, ind) in plan.indicators.iter().enumerate() {
            let at = format!("evaluation_plan.indicators[{i}]");
            c.text(&format!("{at}.name"), &ind.name);
            c.text(&format!("{at}.baseline"), &ind.baseline);
            c.text(&format!("{at}.target"), &ind.target);
            c.text(&format!("{at}.data_source"), &ind.data_source);
        }

        c.checks.into_errors()
    }

    fn validate_alternatives(&self, c: &mut Checker) {
        c.list("alternatives", &self.alternatives, false);
        for (i, alt) in self.alternatives.iter().enumerate() {
            c.text(&format!("alternatives[{i}].description"), &alt.description);
            c.text(&format!("alternatives[{i}].advantages"), &alt.advantages);
            c.text(
                &format!("alternatives[{i}].disadvantages"),
                &alt.disadvantages,
            );
        }
        let has = |kind| self.alternatives.iter().any(|a| a.kind == kind);
        if !has(AlternativeKind::DoNothing) {
            c.push(
                "alternatives",
                "missing_alternative",
                "the alternatives must include doing nothing (kind `do_nothing`)",
            );
        }
        if !has(AlternativeKind::NonLegal) {
            c.push(
                "alternatives",
                "missing_alternative",
                "the alternatives must include a non-legal measure (kind `non_legal`)",
            );
        }
        let chosen: Vec<usize> = (self.alternatives.iter().enumerate())
            .filter(|(_, a)| a.chosen)
            .map(|(i, _)| i)
            .collect();
        match chosen.len() {
            0 => c.push(
                "alternatives",
                "required",
                "mark exactly one alternative as chosen",
            ),
            1 => {}
            n => c.push(
                "alternatives",
                "invalid_value",
                format!(
                    "exactly one alternative may be chosen, but {n} are (alternatives {})",
                    chosen
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
}

/// Collects validation problems. Texts go through the checks every service uses
/// ([`Checks::text`]: visible characters, length, no control characters); blank justifications
/// get their own code.
#[derive(Default)]
struct Checker {
    checks: Checks,
}

impl Checker {
    fn push(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.checks.push(field, code, message);
    }

    fn text(&mut self, field: &str, value: &str) {
        self.checks.text(field, value, MAX_TEXT_CHARS);
    }

    fn justification(&mut self, field: &str, value: &str) {
        if crate::text::has_visible(value) {
            self.text(field, value);
        } else {
            self.push(
                field,
                "justification_required",
                format!("{field}: the draft must justify why it needs this"),
            );
        }
    }

    fn money(&mut self, field: &str, thb: u64) {
        if thb > MAX_THB {
            self.push(
                field,
                "out_of_range",
                format!(
                    "{field} must be at most {} baht",
                    format_thousands(u128::from(MAX_THB))
                ),
            );
        }
    }

    fn list<T>(&mut self, field: &str, items: &[T], at_least_one: bool) {
        if at_least_one && items.is_empty() {
            self.push(
                field,
                "required",
                format!("{field} needs at least one item"),
            );
        } else if items.len() > MAX_ITEMS {
            self.push(
                field,
                "too_many",
                format!("{field} may have at most {MAX_ITEMS} items"),
            );
        }
    }
}
