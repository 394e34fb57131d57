//! Regulatory impact assessment (RIA): the analysis a drafting agency must publish with a draft
//! law.
//!
//! Section 13 of the Act on Legislative Drafting and Evaluation of Law B.E. 2562 and the Cabinet
//! guidelines under it require, before a draft is submitted, an analysis of the problem and its
//! cause, why the state must act, the objectives, the alternatives (doing nothing and non-legal
//! measures included) with their pros and cons, who is affected and how, the economic, social
//! and environmental impacts, the costs and burdens on the public and the state, every licensing
//! system, committee, discretionary power and criminal penalty the draft creates (each with an
//! explicit justification), the agency's readiness, the consultation's results and a plan for
//! evaluating the law (at least every five years).
//!
//! [`ImpactAssessment`] is that document as data. The module is pure: no I/O, no clock, no
//! database.
//!
//! * [`ImpactAssessment::validate`] reports every problem at once as [`FieldError`]s with paths
//!   such as `alternatives[2].description` and stable codes: `required`, `too_long`, `too_many`
//!   (a list over [`MAX_ITEMS`]), `out_of_range` (review interval, or money over [`MAX_THB`]), `invalid_value` (more than one chosen
//!   alternative), `missing_alternative` and `justification_required`.
//! * [`ImpactAssessment::totals`] sums costs and monetised benefits per [`Bearer`]. Sums are
//!   `u128`, so no input can overflow them; money is whole baht, never floating point. (For
//!   assessments that passed validation every sum is below 2^53; `serde_json::Value` cannot hold
//!   numbers above `u64::MAX`, which only unvalidated input can reach.)
//! * [`ImpactAssessment::render`] produces the published report as Markdown (Thai headings with
//!   English in parentheses, cost and benefit tables with thousands separators) and as HTML
//!   sanitised by [`crate::markdown::render_html`].
//!
//! # User text in the generated Markdown
//!
//! Every user-supplied string is escaped before it is placed in the Markdown, so it always
//! renders as the literal text the user typed: no emphasis, links, raw HTML, headings, lists,
//! code blocks or table cells can be created from it. Inline markup characters
//! (`` \ ` * _ ~ [ ] < & | ``) are backslash-escaped everywhere; block markers (`#`, `>`, `-`,
//! `+`, `=`, `1.`/`1)`) are escaped at the start of each line; leading and trailing whitespace
//! of each line is dropped (no indented code blocks, no two-space hard breaks). In tables and
//! list items line breaks collapse to spaces; in paragraphs single line breaks become hard
//! breaks and blank lines separate paragraphs. The sanitiser is a second, independent line of
//! defence: even if escaping missed something, no script, event handler or `javascript:` URL
//! can reach the HTML.
//!
//! `render` does not validate: it renders whatever it is given (blank texts become `—`), so
//! callers should publish only assessments whose `validate` returned no errors.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

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

        c.errors
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

    /// The published report in Markdown (Thai headings with English in parentheses) with cost
    /// and benefit tables, and the same report rendered to sanitised HTML: `(markdown, html)`.
    ///
    /// Does not validate; see the module documentation.
    pub fn render(&self, draft_title_th: &str) -> (String, String) {
        let markdown = self.markdown(draft_title_th);
        let html = crate::markdown::render_html(&markdown);
        (markdown, html)
    }

    fn markdown(&self, draft_title_th: &str) -> String {
        let totals = self.totals();
        let mut d = Doc::default();

        d.heading(
            1,
            "รายงานการวิเคราะห์ผลกระทบที่อาจเกิดขึ้นจากกฎหมาย (Regulatory Impact Assessment)",
        );
        d.raw(&format!(
            "**ร่างกฎหมาย (Draft law):** {}",
            inline(draft_title_th)
        ));

        d.heading(2, "1. ปัญหาและสาเหตุของปัญหา (Problem and Its Cause)");
        d.heading(3, "สภาพปัญหา (Problem)");
        d.para(&self.problem);
        d.heading(3, "สาเหตุของปัญหา (Cause)");
        d.para(&self.cause);

        d.heading(2, "2. ความจำเป็นที่รัฐต้องดำเนินการ (Why the State Must Act)");
        d.para(&self.why_state_must_act);

        d.heading(2, "3. วัตถุประสงค์ (Objectives)");
        d.ordered_list(self.objectives.iter().map(String::as_str));

        d.heading(2, "4. ทางเลือกในการแก้ไขปัญหา (Alternatives)");
        if self.alternatives.is_empty() {
            d.none();
        }
        for (i, alt) in self.alternatives.iter().enumerate() {
            let chosen = if alt.chosen {
                " — ทางเลือกที่เลือก (Chosen)"
            } else {
                ""
            };
            d.heading(
                3,
                &format!(
                    "ทางเลือกที่ {}: {}{chosen}",
                    i + 1,
                    alternative_kind_label(alt.kind)
                ),
            );
            d.para(&alt.description);
            d.raw("**ข้อดี (Advantages)**");
            d.para(&alt.advantages);
            d.raw("**ข้อเสีย (Disadvantages)**");
            d.para(&alt.disadvantages);
        }

        d.heading(2, "5. ผู้ได้รับผลกระทบ (Affected Groups)");
        d.table(
            &[
                ("กลุ่ม (Group)", Align::Left),
                ("ประเภท (Type)", Align::Left),
                ("จำนวนโดยประมาณ (Estimated size)", Align::Right),
                ("ผลกระทบที่ได้รับ (How affected)", Align::Left),
            ],
            self.affected_groups
                .iter()
                .map(|g| {
                    vec![
                        inline(&g.group),
                        group_kind_label(g.kind).to_string(),
                        g.estimated_size.map_or_else(
                            || "ไม่ทราบ (Unknown)".to_string(),
                            |n| format_thousands(u128::from(n)),
                        ),
                        inline(&g.how_affected),
                    ]
                })
                .collect(),
        );

        d.heading(
            2,
            "6. ผลกระทบด้านเศรษฐกิจ สังคม และสิ่งแวดล้อม (Economic, Social and Environmental Impacts)",
        );
        d.heading(3, "ด้านเศรษฐกิจ (Economic)");
        d.para(&self.economic_impact);
        d.heading(3, "ด้านสังคม (Social)");
        d.para(&self.social_impact);
        d.heading(3, "ด้านสิ่งแวดล้อม (Environmental)");
        d.para(&self.environmental_impact);

        d.heading(2, "7. ต้นทุนและภาระต่อประชาชนและรัฐ (Costs and Burdens)");
        d.raw("หน่วย: บาท (Unit: THB)");
        if self.costs.is_empty() {
            d.none();
        } else {
            let mut rows: Vec<Vec<String>> = self
                .costs
                .iter()
                .map(|cost| {
                    vec![
                        bearer_label(cost.bearer).to_string(),
                        inline(&cost.description),
                        format_thousands(u128::from(cost.one_off_thb)),
                        format_thousands(u128::from(cost.annual_thb)),
                    ]
                })
                .collect();
            rows.push(vec![
                "**รวม (Total)**".to_string(),
                String::new(),
                bold(&format_thousands(totals.one_off_costs.total_thb)),
                bold(&format_thousands(totals.annual_costs.total_thb)),
            ]);
            d.table(
                &[
                    ("ผู้รับภาระ (Bearer)", Align::Left),
                    ("รายการ (Item)", Align::Left),
                    ("ต้นทุนครั้งเดียว (One-off)", Align::Right),
                    ("ต้นทุนต่อปี (Annual)", Align::Right),
                ],
                rows,
            );
        }
        d.heading(3, "สรุปต้นทุนตามผู้รับภาระ (Costs by Bearer)");
        let mut rows: Vec<Vec<String>> = Bearer::ALL
            .iter()
            .map(|&b| {
                vec![
                    bearer_label(b).to_string(),
                    format_thousands(totals.one_off_costs.get(b)),
                    format_thousands(totals.annual_costs.get(b)),
                ]
            })
            .collect();
        rows.push(vec![
            "**รวม (Total)**".to_string(),
            bold(&format_thousands(totals.one_off_costs.total_thb)),
            bold(&format_thousands(totals.annual_costs.total_thb)),
        ]);
        d.table(
            &[
                ("ผู้รับภาระ (Bearer)", Align::Left),
                ("ต้นทุนครั้งเดียว (One-off)", Align::Right),
                ("ต้นทุนต่อปี (Annual)", Align::Right),
            ],
            rows,
        );

        d.heading(2, "8. ประโยชน์ที่คาดว่าจะได้รับ (Benefits)");
        d.raw("หน่วย: บาทต่อปี (Unit: THB per year)");
        if self.benefits.is_empty() {
            d.none();
        } else {
            let mut rows: Vec<Vec<String>> = self
                .benefits
                .iter()
                .map(|benefit| {
                    vec![
                        bearer_label(benefit.beneficiary).to_string(),
                        inline(&benefit.description),
                        benefit.annual_thb.map_or_else(
                            || "ไม่ได้ประเมินเป็นตัวเงิน (Not monetised)".to_string(),
                            |v| format_thousands(u128::from(v)),
                        ),
                    ]
                })
                .collect();
            rows.push(vec![
                "**รวม (Total)**".to_string(),
                String::new(),
                bold(&format_thousands(totals.annual_benefits.total_thb)),
            ]);
            d.table(
                &[
                    ("ผู้ได้รับประโยชน์ (Beneficiary)", Align::Left),
                    ("รายการ (Item)", Align::Left),
                    ("มูลค่าต่อปี (Annual value)", Align::Right),
                ],
                rows,
            );
        }
        d.heading(3, "สรุปต้นทุนและประโยชน์ (Cost–Benefit Summary)");
        d.table(
            &[
                ("รายการ (Item)", Align::Left),
                ("บาทต่อปี (THB per year)", Align::Right),
            ],
            vec![
                vec![
                    "ประโยชน์ที่ประเมินเป็นตัวเงินได้ (Monetised benefits)".to_string(),
                    format_thousands(totals.annual_benefits.total_thb),
                ],
                vec![
                    "ต้นทุนต่อปี (Annual costs)".to_string(),
                    format_thousands(totals.annual_costs.total_thb),
                ],
                vec![
                    "**ประโยชน์สุทธิต่อปี (Net annual benefit)**".to_string(),
                    bold(&format_signed_thousands(totals.net_annual_thb)),
                ],
            ],
        );
        d.raw(&format!(
            "ต้นทุนครั้งเดียวรวม (Total one-off costs): {} บาท (THB)",
            format_thousands(totals.one_off_costs.total_thb)
        ));
        if totals.unmonetised_benefits > 0 {
            d.raw(&format!(
                "ประโยชน์ที่ไม่ได้ประเมินเป็นตัวเงิน {n} รายการ (Benefits not monetised: {n})",
                n = totals.unmonetised_benefits
            ));
        }

        d.heading(
            2,
            "9. ระบบอนุญาต คณะกรรมการ การใช้ดุลพินิจ และโทษทางอาญา (Licensing, Committees, Discretion and Criminal Penalties)",
        );
        for (title, items) in [
            ("ระบบอนุญาต (Licensing Systems)", &self.licences),
            ("คณะกรรมการ (Committees)", &self.committees),
            (
                "การใช้ดุลพินิจของเจ้าหน้าที่ของรัฐ (Discretionary Powers of Officials)",
                &self.discretion,
            ),
            ("โทษทางอาญา (Criminal Penalties)", &self.criminal_penalties),
        ] {
            d.heading(3, title);
            if items.is_empty() {
                d.none();
                continue;
            }
            d.table(
                &[
                    ("บทบัญญัติ (Provision)", Align::Left),
                    ("รายละเอียด (Description)", Align::Left),
                    ("เหตุผลความจำเป็น (Justification)", Align::Left),
                ],
                items
                    .iter()
                    .map(|item| {
                        vec![
                            item.provision_id
                                .as_deref()
                                .map_or_else(|| EMPTY.to_string(), inline),
                            inline(&item.description),
                            inline(&item.justification),
                        ]
                    })
                    .collect(),
            );
        }

        d.heading(2, "10. ความพร้อมของหน่วยงาน (Agency Readiness)");
        d.heading(3, "บุคลากร (Staff)");
        d.para(&self.readiness.staff);
        d.heading(3, "งบประมาณ (Budget)");
        d.raw(&format!(
            "{} บาท (THB)",
            format_thousands(u128::from(self.readiness.budget_thb))
        ));
        d.heading(3, "ระบบเทคโนโลยีสารสนเทศ (IT Systems)");
        d.para(&self.readiness.systems);

        d.heading(2, "11. ผลการรับฟังความคิดเห็น (Consultation Results)");
        d.para(&self.consultation_results);

        d.heading(2, "12. แผนการประเมินผลสัมฤทธิ์ (Evaluation Plan)");
        let years = self.evaluation_plan.review_after_years;
        d.raw(&format!(
            "**ประเมินผลสัมฤทธิ์ภายใน (Review after):** {years} ปี ({years} years)"
        ));
        d.table(
            &[
                ("ตัวชี้วัด (Indicator)", Align::Left),
                ("ค่าฐาน (Baseline)", Align::Left),
                ("ค่าเป้าหมาย (Target)", Align::Left),
                ("แหล่งข้อมูล (Data source)", Align::Left),
            ],
            self.evaluation_plan
                .indicators
                .iter()
                .map(|ind| {
                    vec![
                        inline(&ind.name),
                        inline(&ind.baseline),
                        inline(&ind.target),
                        inline(&ind.data_source),
                    ]
                })
                .collect(),
        );

        d.out
    }
}

/// Collects validation problems.
#[derive(Default)]
struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    fn push(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    fn text(&mut self, field: &str, value: &str) {
        self.text_with(field, value, "required");
    }

    fn justification(&mut self, field: &str, value: &str) {
        self.text_with(field, value, "justification_required");
    }

    fn text_with(&mut self, field: &str, value: &str, blank_code: &'static str) {
        if !crate::text::has_visible(value) {
            let message = if blank_code == "justification_required" {
                format!("{field}: the draft must justify why it needs this")
            } else {
                format!("{field} must not be empty")
            };
            self.push(field, blank_code, message);
        } else if value.chars().count() > MAX_TEXT_CHARS {
            self.push(
                field,
                "too_long",
                format!("{field} must be at most {MAX_TEXT_CHARS} characters"),
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

/// Shown for blank or absent values.
const EMPTY: &str = "—";

fn alternative_kind_label(kind: AlternativeKind) -> &'static str {
    match kind {
        AlternativeKind::DoNothing => "ไม่ดำเนินการใด ๆ (Do nothing)",
        AlternativeKind::NonLegal => "มาตรการที่ไม่ใช่กฎหมาย (Non-legal measure)",
        AlternativeKind::Legal => "มาตรการทางกฎหมาย (Legal measure)",
    }
}

fn group_kind_label(kind: GroupKind) -> &'static str {
    match kind {
        GroupKind::Public => "ประชาชน (Public)",
        GroupKind::Business => "ภาคธุรกิจ (Business)",
        GroupKind::Sme => "วิสาหกิจขนาดกลางและขนาดย่อม (SME)",
        GroupKind::Government => "หน่วยงานของรัฐ (Government)",
        GroupKind::Other => "อื่น ๆ (Other)",
    }
}

fn bearer_label(bearer: Bearer) -> &'static str {
    match bearer {
        Bearer::Public => "ประชาชน (Public)",
        Bearer::Business => "ภาคธุรกิจ (Business)",
        Bearer::State => "รัฐ (State)",
    }
}

/// `1234567` → `1,234,567`.
fn format_thousands(value: u128) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `-1234` → `-1,234`.
fn format_signed_thousands(value: i128) -> String {
    let magnitude = format_thousands(value.unsigned_abs());
    if value < 0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}

fn bold(text: &str) -> String {
    format!("**{text}**")
}

/// Escapes one line of user text (no line breaks in it, already trimmed) so that it renders as
/// literal text wherever a Markdown block may start.
fn escape_line(line: &str, out: &mut String) {
    // `1.` / `1)` at the start of a line opens an ordered list.
    let leading_digits = line.bytes().take_while(u8::is_ascii_digit).count();
    for (i, ch) in line.char_indices() {
        let escape = match ch {
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '&' | '|' => true,
            '#' | '>' | '-' | '+' | '=' => i == 0,
            '.' | ')' => leading_digits > 0 && i == leading_digits,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// User text for a single-line position (table cell, list item, after a label): all whitespace,
/// line breaks included, collapses to single spaces.
fn inline(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return EMPTY.to_string();
    }
    let mut out = String::with_capacity(collapsed.len() + 8);
    escape_line(&collapsed, &mut out);
    out
}

/// User text as paragraphs: blank lines separate paragraphs, other line breaks become hard
/// breaks. CommonMark ends lines at `\n`, `\r\n` and a lone `\r`; all three are honoured.
fn block(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in normalised.split('\n').map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push_str("\\\n");
        }
        escape_line(line, &mut current);
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }
    if paragraphs.is_empty() {
        EMPTY.to_string()
    } else {
        paragraphs.join("\n\n")
    }
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// A Markdown document built block by block; every block is followed by a blank line.
#[derive(Default)]
struct Doc {
    out: String,
}

impl Doc {
    /// A block of already-safe Markdown.
    fn raw(&mut self, markdown: &str) {
        self.out.push_str(markdown);
        self.out.push_str("\n\n");
    }

    /// `text` is fixed text of this module, never user input.
    fn heading(&mut self, level: usize, text: &str) {
        self.out.push_str(&"#".repeat(level));
        self.out.push(' ');
        self.raw(text);
    }

    fn para(&mut self, user_text: &str) {
        self.raw(&block(user_text));
    }

    fn none(&mut self) {
        self.raw("ไม่มี (None)");
    }

    fn ordered_list<'a>(&mut self, items: impl Iterator<Item = &'a str>) {
        let mut any = false;
        for (i, item) in items.enumerate() {
            any = true;
            self.out.push_str(&format!("{}. {}\n", i + 1, inline(item)));
        }
        if any {
            self.out.push('\n');
        } else {
            self.none();
        }
    }

    /// Header cells are fixed text; row cells must already be escaped.
    fn table(&mut self, header: &[(&str, Align)], rows: Vec<Vec<String>>) {
        if rows.is_empty() {
            self.none();
            return;
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut s = String::from("|");
            for cell in cells {
                s.push(' ');
                s.push_str(cell);
                s.push_str(" |");
            }
            s.push('\n');
            s
        };
        self.out
            .push_str(&line(&mut header.iter().map(|(h, _)| *h)));
        self.out
            .push_str(&line(&mut header.iter().map(|(_, a)| match a {
                Align::Left => "---",
                Align::Right => "---:",
            })));
        for row in &rows {
            self.out
                .push_str(&line(&mut row.iter().map(String::as_str)));
        }
        self.out.push('\n');
    }
}

fn s(text: &str) -> String {
    text.to_string()
}

fn justified(provision: &str, description: &str, justification: &str) -> Justified {
    Justified {
        provision_id: Some(s(provision)),
        description: s(description),
        justification: s(justification),
    }
}

/// A complete, valid assessment (used by the demo data and the tests): an amendment to the Personal Data Protection Act B.E. 2562.
pub fn example() -> ImpactAssessment {
    ImpactAssessment {
        problem: s(
            "ปัจจุบันเหตุการละเมิดข้อมูลส่วนบุคคลเพิ่มขึ้นอย่างต่อเนื่อง ข้อมูลของประชาชนจำนวนมากรั่วไหลจากหน่วยงานของรัฐและเอกชน \
            และถูกนำไปใช้หลอกลวงทางโทรศัพท์และทางออนไลน์ ผู้ควบคุมข้อมูลส่วนบุคคลจำนวนมากไม่แจ้งเหตุการละเมิดต่อสำนักงาน \
            หรือแจ้งล่าช้า ทำให้เจ้าของข้อมูลไม่สามารถป้องกันความเสียหายได้ทันท่วงที",
        ),
        cause: s(
            "พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 กำหนดหน้าที่แจ้งเหตุไว้แต่ไม่มีกลไกตรวจสอบการปฏิบัติตาม \
            ไม่มีทะเบียนกลางของเหตุการละเมิด และโทษปรับทางปกครองไม่สอดคล้องกับขนาดของผู้ประกอบการ\n\
            ขณะเดียวกันวิสาหกิจขนาดกลางและขนาดย่อมขาดความรู้และทรัพยากรในการปฏิบัติตามกฎหมาย",
        ),
        why_state_must_act: s(
            "ข้อมูลส่วนบุคคลเป็นสิทธิขั้นพื้นฐานตามรัฐธรรมนูญ ผู้ควบคุมข้อมูลไม่มีแรงจูงใจทางตลาดเพียงพอที่จะเปิดเผยเหตุการละเมิดโดยสมัครใจ \
            และความเสียหายตกแก่บุคคลภายนอกซึ่งไม่มีอำนาจต่อรอง รัฐจึงต้องกำหนดหน้าที่และกลไกบังคับที่ชัดเจน",
        ),
        objectives: vec![
            s("ให้เจ้าของข้อมูลได้รับแจ้งเหตุการละเมิดภายในเจ็ดสิบสองชั่วโมง"),
            s("จัดให้มีทะเบียนกลางของเหตุการละเมิดข้อมูลส่วนบุคคลที่ประชาชนตรวจสอบได้"),
            s("ลดภาระการปฏิบัติตามกฎหมายของวิสาหกิจขนาดกลางและขนาดย่อม"),
        ],
        alternatives: vec![
            Alternative {
                kind: AlternativeKind::DoNothing,
                description: s("คงบทบัญญัติของกฎหมายไว้ตามเดิม"),
                advantages: s("ไม่เกิดต้นทุนการปฏิบัติตามกฎหมายเพิ่มเติม"),
                disadvantages: s("ปัญหาการไม่แจ้งเหตุและความเสียหายของประชาชนยังคงเพิ่มขึ้น"),
                chosen: false,
            },
            Alternative {
                kind: AlternativeKind::NonLegal,
                description: s("สำนักงานออกแนวปฏิบัติและรณรงค์ให้ผู้ประกอบการแจ้งเหตุโดยสมัครใจ"),
                advantages: s("ดำเนินการได้ทันทีและยืดหยุ่น"),
                disadvantages: s("ไม่มีสภาพบังคับ ผู้ประกอบการที่ไม่ปฏิบัติตามไม่มีผลร้าย"),
                chosen: false,
            },
            Alternative {
                kind: AlternativeKind::Legal,
                description: s("แก้ไขเพิ่มเติมพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562"),
                advantages: s("มีสภาพบังคับชัดเจน และกำหนดมาตรการผ่อนปรนสำหรับวิสาหกิจขนาดย่อมได้"),
                disadvantages: s("ผู้ประกอบการมีต้นทุนการปฏิบัติตามกฎหมายเพิ่มขึ้น"),
                chosen: true,
            },
        ],
        affected_groups: vec![
            AffectedGroup {
                group: s("ประชาชนผู้เป็นเจ้าของข้อมูลส่วนบุคคล"),
                kind: GroupKind::Public,
                estimated_size: Some(66_000_000),
                how_affected: s("ได้รับแจ้งเหตุเร็วขึ้นและตรวจสอบทะเบียนเหตุการละเมิดได้"),
            },
            AffectedGroup {
                group: s("ผู้ควบคุมข้อมูลส่วนบุคคลที่เป็นบริษัทขนาดใหญ่"),
                kind: GroupKind::Business,
                estimated_size: Some(12_000),
                how_affected: s("ต้องจัดระบบตรวจจับและแจ้งเหตุการละเมิด"),
            },
            AffectedGroup {
                group: s("วิสาหกิจขนาดกลางและขนาดย่อม"),
                kind: GroupKind::Sme,
                estimated_size: Some(3_200_000),
                how_affected: s("แจ้งเหตุผ่านแบบฟอร์มอย่างง่ายและได้รับยกเว้นบางหน้าที่"),
            },
            AffectedGroup {
                group: s("สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล"),
                kind: GroupKind::Government,
                estimated_size: None,
                how_affected: s("มีหน้าที่จัดทำทะเบียนกลางและตรวจสอบการแจ้งเหตุ"),
            },
        ],
        economic_impact: s(
            "ผู้ประกอบการมีต้นทุนเพิ่มขึ้นในระยะแรก แต่ความเสียหายจากการหลอกลวงลดลงและความเชื่อมั่นในเศรษฐกิจดิจิทัลเพิ่มขึ้น",
        ),
        social_impact: s("ประชาชนได้รับการคุ้มครองสิทธิในข้อมูลส่วนบุคคลอย่างมีประสิทธิภาพมากขึ้น"),
        environmental_impact: s("ไม่มีผลกระทบต่อสิ่งแวดล้อมอย่างมีนัยสำคัญ"),
        costs: vec![
            CostItem {
                bearer: Bearer::Business,
                description: s("ระบบตรวจจับและแจ้งเหตุการละเมิดของผู้ประกอบการ"),
                one_off_thb: 2_500_000_000,
                annual_thb: 600_000_000,
            },
            CostItem {
                bearer: Bearer::State,
                description: s("ระบบทะเบียนกลางของสำนักงาน"),
                one_off_thb: 85_000_000,
                annual_thb: 24_000_000,
            },
            CostItem {
                bearer: Bearer::Public,
                description: s("เวลาที่ประชาชนใช้ในการตรวจสอบทะเบียนและใช้สิทธิ"),
                one_off_thb: 0,
                annual_thb: 12_500_000,
            },
        ],
        benefits: vec![
            BenefitItem {
                beneficiary: Bearer::Public,
                description: s("ความเสียหายจากการหลอกลวงที่ลดลง"),
                annual_thb: Some(3_200_000_000),
            },
            BenefitItem {
                beneficiary: Bearer::State,
                description: s("ภาระการจัดการเรื่องร้องเรียนที่ลดลง"),
                annual_thb: Some(15_000_000),
            },
            BenefitItem {
                beneficiary: Bearer::Business,
                description: s("ความเชื่อมั่นของผู้บริโภคต่อธุรกิจดิจิทัล"),
                annual_thb: None,
            },
        ],
        licences: vec![justified(
            "s12",
            "การขึ้นทะเบียนผู้ตรวจประเมินการคุ้มครองข้อมูลส่วนบุคคล",
            "ผลการตรวจประเมินใช้ยืนยันการปฏิบัติตามกฎหมาย จึงต้องรับรองว่าผู้ตรวจประเมินมีความรู้และเป็นอิสระ",
        )],
        committees: vec![],
        discretion: vec![justified(
            "s15",
            "สำนักงานมีอำนาจสั่งให้ผู้ควบคุมข้อมูลระงับการประมวลผลชั่วคราว",
            "ต้องยับยั้งความเสียหายร้ายแรงได้ทันที โดยกำหนดหลักเกณฑ์การใช้ดุลพินิจและสิทธิอุทธรณ์ไว้ในกฎหมาย",
        )],
        criminal_penalties: vec![justified(
            "s79/1",
            "ผู้ใดขายข้อมูลส่วนบุคคลที่ได้มาจากเหตุการละเมิด ต้องระวางโทษจำคุกไม่เกินหนึ่งปี",
            "การค้าข้อมูลที่รั่วไหลเป็นการกระทำโดยเจตนาที่ก่อความเสียหายร้ายแรง โทษปรับทางปกครองไม่เพียงพอต่อการยับยั้ง",
        )],
        readiness: Readiness {
            staff: s("สำนักงานมีเจ้าหน้าที่ด้านการกำกับดูแล 40 คน และจะจัดอัตรากำลังเพิ่ม 15 อัตรา"),
            budget_thb: 109_000_000,
            systems: s("พัฒนาระบบทะเบียนกลางต่อยอดจากระบบรับแจ้งเหตุเดิมของสำนักงาน"),
        },
        consultation_results: s(
            "รับฟังความคิดเห็นผ่านระบบกลางทางกฎหมายเป็นเวลา 30 วัน มีผู้แสดงความคิดเห็น 1,284 ราย \
            ผู้ประกอบการขนาดย่อมขอให้ขยายระยะเวลาแจ้งเหตุ จึงได้กำหนดแบบฟอร์มอย่างง่ายแทน",
        ),
        evaluation_plan: EvaluationPlan {
            review_after_years: 3,
            indicators: vec![
                Indicator {
                    name: s("สัดส่วนเหตุการละเมิดที่แจ้งภายในเจ็ดสิบสองชั่วโมง"),
                    baseline: s("ร้อยละ 35"),
                    target: s("ร้อยละ 90"),
                    data_source: s("ทะเบียนกลางของสำนักงาน"),
                },
                Indicator {
                    name: s("จำนวนเรื่องร้องเรียนเกี่ยวกับการหลอกลวงด้วยข้อมูลที่รั่วไหล"),
                    baseline: s("48,000 เรื่องต่อปี"),
                    target: s("ลดลงร้อยละ 30"),
                    data_source: s("ศูนย์รับแจ้งเหตุออนไลน์"),
                },
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(errors: &[FieldError]) -> Vec<(String, &'static str)> {
        errors.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    fn assert_only(a: &ImpactAssessment, field: &str, code: &str) {
        let got = paths(&a.validate());
        assert_eq!(
            got,
            vec![(field.to_string(), code)],
            "expected only {field}/{code}"
        );
    }

    #[test]
    fn complete_example_is_valid() {
        assert_eq!(example().validate(), vec![]);
    }

    type Mutation = fn(&mut ImpactAssessment);

    #[test]
    fn every_blank_required_text_is_reported_with_its_path() {
        let cases: &[(&str, &str, Mutation)] = &[
            ("problem", "required", |a| a.problem = s("  \n\t ")),
            ("cause", "required", |a| a.cause.clear()),
            ("why_state_must_act", "required", |a| {
                a.why_state_must_act.clear()
            }),
            ("objectives[1]", "required", |a| a.objectives[1] = s(" ")),
            ("alternatives[0].description", "required", |a| {
                a.alternatives[0].description.clear()
            }),
            ("alternatives[1].advantages", "required", |a| {
                a.alternatives[1].advantages.clear()
            }),
            ("alternatives[2].disadvantages", "required", |a| {
                a.alternatives[2].disadvantages.clear()
            }),
            ("affected_groups[3].group", "required", |a| {
                a.affected_groups[3].group.clear()
            }),
            ("affected_groups[0].how_affected", "required", |a| {
                a.affected_groups[0].how_affected.clear()
            }),
            ("economic_impact", "required", |a| a.economic_impact.clear()),
            ("social_impact", "required", |a| a.social_impact.clear()),
            ("environmental_impact", "required", |a| {
                a.environmental_impact.clear()
            }),
            ("costs[2].description", "required", |a| {
                a.costs[2].description.clear()
            }),
            ("benefits[1].description", "required", |a| {
                a.benefits[1].description.clear()
            }),
            ("licences[0].description", "required", |a| {
                a.licences[0].description.clear()
            }),
            ("licences[0].provision_id", "required", |a| {
                a.licences[0].provision_id = Some(s(" "))
            }),
            ("readiness.staff", "required", |a| a.readiness.staff.clear()),
            ("readiness.systems", "required", |a| {
                a.readiness.systems.clear()
            }),
            ("consultation_results", "required", |a| {
                a.consultation_results.clear()
            }),
            ("evaluation_plan.indicators[0].name", "required", |a| {
                a.evaluation_plan.indicators[0].name.clear()
            }),
            ("evaluation_plan.indicators[1].baseline", "required", |a| {
                a.evaluation_plan.indicators[1].baseline.clear()
            }),
            ("evaluation_plan.indicators[1].target", "required", |a| {
                a.evaluation_plan.indicators[1].target.clear()
            }),
            (
                "evaluation_plan.indicators[0].data_source",
                "required",
                |a| a.evaluation_plan.indicators[0].data_source.clear(),
            ),
        ];
        for (field, code, mutate) in cases {
            let mut a = example();
            mutate(&mut a);
            assert_only(&a, field, code);
        }
    }

    #[test]
    fn absent_provision_id_is_fine() {
        let mut a = example();
        a.licences[0].provision_id = None;
        assert_eq!(a.validate(), vec![]);
    }

    #[test]
    fn every_kind_of_justified_item_needs_a_justification() {
        let item = || Justified {
            provision_id: None,
            description: s("รายการ"),
            justification: s(" \n "),
        };
        let cases: &[(&str, Mutation)] = &[
            ("licences[1].justification", |a| {
                a.licences.push(Justified {
                    provision_id: None,
                    description: s("ใบอนุญาตใหม่"),
                    justification: String::new(),
                })
            }),
            ("committees[0].justification", |a| {
                a.committees.push(Justified {
                    provision_id: Some(s("s20")),
                    description: s("คณะกรรมการผู้เชี่ยวชาญ"),
                    justification: s("   "),
                })
            }),
            ("discretion[0].justification", |a| {
                a.discretion[0].justification.clear()
            }),
            ("criminal_penalties[0].justification", |a| {
                a.criminal_penalties[0].justification = s("\t")
            }),
        ];
        for (field, mutate) in cases {
            let mut a = example();
            mutate(&mut a);
            assert_only(&a, field, "justification_required");
        }
        let mut a = example();
        a.committees = vec![item(), item()];
        assert_eq!(
            paths(&a.validate()),
            vec![
                (s("committees[0].justification"), "justification_required"),
                (s("committees[1].justification"), "justification_required"),
            ]
        );
    }

    #[test]
    fn texts_are_limited_in_characters_not_bytes() {
        let mut a = example();
        // Thai characters are three bytes each in UTF-8: 60,000 bytes, 20,000 characters.
        a.problem = "ก".repeat(MAX_TEXT_CHARS);
        a.alternatives[2].description = "ข".repeat(MAX_TEXT_CHARS);
        assert_eq!(a.validate(), vec![]);

        a.problem.push('ค');
        a.alternatives[2].description.push('x');
        a.evaluation_plan.indicators[1].target = "x".repeat(MAX_TEXT_CHARS + 1);
        a.criminal_penalties[0].justification = "y".repeat(MAX_TEXT_CHARS + 1);
        a.licences[0].provision_id = Some("z".repeat(MAX_TEXT_CHARS + 1));
        assert_eq!(
            paths(&a.validate()),
            vec![
                (s("problem"), "too_long"),
                (s("alternatives[2].description"), "too_long"),
                (s("licences[0].provision_id"), "too_long"),
                (s("criminal_penalties[0].justification"), "too_long"),
                (s("evaluation_plan.indicators[1].target"), "too_long"),
            ]
        );
    }

    #[test]
    fn lists_are_limited_to_max_items() {
        let mut a = example();
        a.objectives = vec![s("วัตถุประสงค์"); MAX_ITEMS];
        a.costs = vec![a.costs[0].clone(); MAX_ITEMS];
        assert_eq!(a.validate(), vec![]);

        let cases: &[(&str, Mutation)] = &[
            ("objectives", |a| {
                a.objectives = vec![s("ก"); MAX_ITEMS + 1]
            }),
            ("alternatives", |a| {
                let extra = a.alternatives[0].clone();
                a.alternatives.resize(MAX_ITEMS + 1, extra)
            }),
            ("affected_groups", |a| {
                a.affected_groups = vec![a.affected_groups[0].clone(); MAX_ITEMS + 1]
            }),
            ("costs", |a| {
                a.costs = vec![a.costs[0].clone(); MAX_ITEMS + 1]
            }),
            ("benefits", |a| {
                a.benefits = vec![a.benefits[0].clone(); MAX_ITEMS + 1]
            }),
            ("licences", |a| {
                a.licences = vec![a.licences[0].clone(); MAX_ITEMS + 1]
            }),
            ("committees", |a| {
                a.committees = vec![a.licences[0].clone(); MAX_ITEMS + 1]
            }),
            ("discretion", |a| {
                a.discretion = vec![a.discretion[0].clone(); MAX_ITEMS + 1]
            }),
            ("criminal_penalties", |a| {
                a.criminal_penalties = vec![a.criminal_penalties[0].clone(); MAX_ITEMS + 1]
            }),
            ("evaluation_plan.indicators", |a| {
                a.evaluation_plan.indicators =
                    vec![a.evaluation_plan.indicators[0].clone(); MAX_ITEMS + 1]
            }),
        ];
        for (field, mutate) in cases {
            let mut a = example();
            mutate(&mut a);
            assert_only(&a, field, "too_many");
        }
    }

    #[test]
    fn objectives_groups_and_indicators_need_at_least_one() {
        let cases: &[(&str, Mutation)] = &[
            ("objectives", |a| a.objectives.clear()),
            ("affected_groups", |a| a.affected_groups.clear()),
            ("evaluation_plan.indicators", |a| {
                a.evaluation_plan.indicators.clear()
            }),
        ];
        for (field, mutate) in cases {
            let mut a = example();
            mutate(&mut a);
            assert_only(&a, field, "required");
        }
    }

    #[test]
    fn optional_lists_may_be_empty() {
        let mut a = example();
        a.costs.clear();
        a.benefits.clear();
        a.licences.clear();
        a.committees.clear();
        a.discretion.clear();
        a.criminal_penalties.clear();
        assert_eq!(a.validate(), vec![]);
    }

    #[test]
    fn do_nothing_and_non_legal_alternatives_are_mandatory() {
        let mut a = example();
        a.alternatives.remove(0);
        assert_only(&a, "alternatives", "missing_alternative");
        assert!(a.validate()[0].message.contains("do_nothing"));

        let mut a = example();
        a.alternatives.remove(1);
        assert_only(&a, "alternatives", "missing_alternative");
        assert!(a.validate()[0].message.contains("non_legal"));

        let mut a = example();
        a.alternatives.clear();
        assert_eq!(
            paths(&a.validate()),
            vec![
                (s("alternatives"), "missing_alternative"),
                (s("alternatives"), "missing_alternative"),
                (s("alternatives"), "required"),
            ]
        );
    }

    #[test]
    fn exactly_one_alternative_is_chosen() {
        let mut a = example();
        a.alternatives[2].chosen = false;
        assert_only(&a, "alternatives", "required");

        let mut a = example();
        a.alternatives[0].chosen = true;
        assert_only(&a, "alternatives", "invalid_value");
        assert!(a.validate()[0].message.contains("alternatives 0, 2"));

        // The chosen one need not be legal.
        let mut a = example();
        a.alternatives[2].chosen = false;
        a.alternatives[1].chosen = true;
        assert_eq!(a.validate(), vec![]);
    }

    #[test]
    fn review_must_come_within_one_to_five_years() {
        for years in [1, 5] {
            let mut a = example();
            a.evaluation_plan.review_after_years = years;
            assert_eq!(a.validate(), vec![], "{years} years");
        }
        for years in [0, 6, u32::MAX] {
            let mut a = example();
            a.evaluation_plan.review_after_years = years;
            assert_only(&a, "evaluation_plan.review_after_years", "out_of_range");
        }
    }

    #[test]
    fn money_values_are_capped() {
        let mut a = example();
        a.costs[0].one_off_thb = MAX_THB;
        a.costs[0].annual_thb = MAX_THB;
        a.benefits[0].annual_thb = Some(MAX_THB);
        a.readiness.budget_thb = MAX_THB;
        assert_eq!(a.validate(), vec![]);

        a.costs[1].one_off_thb = MAX_THB + 1;
        a.costs[2].annual_thb = u64::MAX;
        a.benefits[1].annual_thb = Some(MAX_THB + 1);
        a.readiness.budget_thb = MAX_THB + 1;
        assert_eq!(
            paths(&a.validate()),
            vec![
                (s("costs[1].one_off_thb"), "out_of_range"),
                (s("costs[2].annual_thb"), "out_of_range"),
                (s("benefits[1].annual_thb"), "out_of_range"),
                (s("readiness.budget_thb"), "out_of_range"),
            ]
        );
    }

    #[test]
    fn sums_of_a_valid_assessment_are_safe_json_integers() {
        let mut a = example();
        let max_cost = CostItem {
            bearer: Bearer::State,
            description: s("ก"),
            one_off_thb: MAX_THB,
            annual_thb: MAX_THB,
        };
        a.costs = vec![max_cost; MAX_ITEMS];
        assert_eq!(a.validate(), vec![]);
        let t = a.totals();
        assert!(t.one_off_costs.total_thb < 1 << 53);
        let json = serde_json::to_value(t).unwrap();
        assert_eq!(
            json["annual_costs"]["state_thb"].as_u64(),
            Some(MAX_THB * MAX_ITEMS as u64)
        );
    }

    #[test]
    fn all_problems_are_reported_at_once_in_field_order() {
        let mut a = example();
        a.problem.clear();
        a.alternatives[2].chosen = false;
        a.alternatives.remove(0);
        a.discretion[0].justification.clear();
        a.evaluation_plan.review_after_years = 10;
        a.evaluation_plan.indicators.clear();
        assert_eq!(
            paths(&a.validate()),
            vec![
                (s("problem"), "required"),
                (s("alternatives"), "missing_alternative"),
                (s("alternatives"), "required"),
                (s("discretion[0].justification"), "justification_required"),
                (s("evaluation_plan.review_after_years"), "out_of_range"),
                (s("evaluation_plan.indicators"), "required"),
            ]
        );
    }

    #[test]
    fn totals_sum_per_bearer() {
        let t = example().totals();
        assert_eq!(
            t.one_off_costs,
            BearerTotals {
                public_thb: 0,
                business_thb: 2_500_000_000,
                state_thb: 85_000_000,
                total_thb: 2_585_000_000,
            }
        );
        assert_eq!(
            t.annual_costs,
            BearerTotals {
                public_thb: 12_500_000,
                business_thb: 600_000_000,
                state_thb: 24_000_000,
                total_thb: 636_500_000,
            }
        );
        assert_eq!(
            t.annual_benefits,
            BearerTotals {
                public_thb: 3_200_000_000,
                business_thb: 0,
                state_thb: 15_000_000,
                total_thb: 3_215_000_000,
            }
        );
        assert_eq!(t.unmonetised_benefits, 1);
        assert_eq!(t.net_annual_thb, 3_215_000_000 - 636_500_000);
        assert_eq!(t.annual_costs.get(Bearer::State), 24_000_000);
    }

    #[test]
    fn totals_accumulate_repeated_bearers_and_go_negative() {
        let mut a = example();
        a.costs = vec![
            CostItem {
                bearer: Bearer::State,
                description: s("ก"),
                one_off_thb: 10,
                annual_thb: 100,
            },
            CostItem {
                bearer: Bearer::State,
                description: s("ข"),
                one_off_thb: 5,
                annual_thb: 50,
            },
        ];
        a.benefits = vec![BenefitItem {
            beneficiary: Bearer::State,
            description: s("ค"),
            annual_thb: Some(30),
        }];
        let t = a.totals();
        assert_eq!(t.one_off_costs.state_thb, 15);
        assert_eq!(t.one_off_costs.total_thb, 15);
        assert_eq!(t.annual_costs.state_thb, 150);
        assert_eq!(t.unmonetised_benefits, 0);
        assert_eq!(t.net_annual_thb, -120);

        a.costs.clear();
        a.benefits.clear();
        assert_eq!(a.totals(), Totals::default());
    }

    #[test]
    fn totals_cannot_overflow() {
        let mut a = example();
        a.costs = vec![
            CostItem {
                bearer: Bearer::Business,
                description: s("ก"),
                one_off_thb: u64::MAX,
                annual_thb: u64::MAX,
            };
            3
        ];
        a.benefits.clear();
        let t = a.totals();
        let three_max = 3 * u128::from(u64::MAX);
        assert_eq!(t.one_off_costs.business_thb, three_max);
        assert_eq!(t.annual_costs.total_thb, three_max);
        assert_eq!(t.net_annual_thb, -(three_max as i128));
        let json = serde_json::to_string(&t).unwrap();
        assert!(
            json.contains(&format!("\"total_thb\":{three_max}")),
            "{json}"
        );
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(format_thousands(0), "0");
        assert_eq!(format_thousands(999), "999");
        assert_eq!(format_thousands(1_000), "1,000");
        assert_eq!(format_thousands(65_432), "65,432");
        assert_eq!(format_thousands(2_585_000_000), "2,585,000,000");
        assert_eq!(
            format_thousands(u128::from(u64::MAX)),
            "18,446,744,073,709,551,615"
        );
        assert_eq!(format_signed_thousands(-120), "-120");
        assert_eq!(format_signed_thousands(-1_234_567), "-1,234,567");
        assert_eq!(format_signed_thousands(2_578_500_000), "2,578,500,000");
        assert_eq!(
            format_signed_thousands(i128::MIN),
            "-170,141,183,460,469,231,731,687,303,715,884,105,728"
        );
    }

    #[test]
    fn render_has_headings_and_formatted_tables() {
        let (md, html) = example().render("ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล (ฉบับที่ ..) พ.ศ. ....");
        for heading in [
            "# รายงานการวิเคราะห์ผลกระทบที่อาจเกิดขึ้นจากกฎหมาย (Regulatory Impact Assessment)",
            "## 1. ปัญหาและสาเหตุของปัญหา (Problem and Its Cause)",
            "## 2. ความจำเป็นที่รัฐต้องดำเนินการ (Why the State Must Act)",
            "## 3. วัตถุประสงค์ (Objectives)",
            "## 4. ทางเลือกในการแก้ไขปัญหา (Alternatives)",
            "### ทางเลือกที่ 1: ไม่ดำเนินการใด ๆ (Do nothing)\n",
            "### ทางเลือกที่ 3: มาตรการทางกฎหมาย (Legal measure) — ทางเลือกที่เลือก (Chosen)",
            "## 5. ผู้ได้รับผลกระทบ (Affected Groups)",
            "## 6. ผลกระทบด้านเศรษฐกิจ สังคม และสิ่งแวดล้อม",
            "### ด้านสิ่งแวดล้อม (Environmental)",
            "## 7. ต้นทุนและภาระต่อประชาชนและรัฐ (Costs and Burdens)",
            "## 8. ประโยชน์ที่คาดว่าจะได้รับ (Benefits)",
            "### สรุปต้นทุนและประโยชน์ (Cost–Benefit Summary)",
            "## 9. ระบบอนุญาต คณะกรรมการ การใช้ดุลพินิจ และโทษทางอาญา",
            "### คณะกรรมการ (Committees)\n\nไม่มี (None)",
            "## 10. ความพร้อมของหน่วยงาน (Agency Readiness)",
            "## 11. ผลการรับฟังความคิดเห็น (Consultation Results)",
            "## 12. แผนการประเมินผลสัมฤทธิ์ (Evaluation Plan)",
        ] {
            assert!(md.contains(heading), "missing {heading:?} in\n{md}");
        }
        for row in [
            "**ร่างกฎหมาย (Draft law):** ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล (ฉบับที่ ..) พ.ศ. ....",
            "| ภาคธุรกิจ (Business) | ระบบตรวจจับและแจ้งเหตุการละเมิดของผู้ประกอบการ | 2,500,000,000 | 600,000,000 |",
            "| ประชาชน (Public) | เวลาที่ประชาชนใช้ในการตรวจสอบทะเบียนและใช้สิทธิ | 0 | 12,500,000 |",
            "| **รวม (Total)** |  | **2,585,000,000** | **636,500,000** |",
            "| รัฐ (State) | 85,000,000 | 24,000,000 |",
            "| ภาคธุรกิจ (Business) | ความเชื่อมั่นของผู้บริโภคต่อธุรกิจดิจิทัล | ไม่ได้ประเมินเป็นตัวเงิน (Not monetised) |",
            "| **รวม (Total)** |  | **3,215,000,000** |",
            "| **ประโยชน์สุทธิต่อปี (Net annual benefit)** | **2,578,500,000** |",
            "ประโยชน์ที่ไม่ได้ประเมินเป็นตัวเงิน 1 รายการ (Benefits not monetised: 1)",
            "| วิสาหกิจขนาดกลางและขนาดย่อม | วิสาหกิจขนาดกลางและขนาดย่อม (SME) | 3,200,000 |",
            "| สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล | หน่วยงานของรัฐ (Government) | ไม่ทราบ (Unknown) |",
            "| s79/1 | ผู้ใดขายข้อมูลส่วนบุคคลที่ได้มาจากเหตุการละเมิด",
            "109,000,000 บาท (THB)",
            "**ประเมินผลสัมฤทธิ์ภายใน (Review after):** 3 ปี (3 years)",
            "| จำนวนเรื่องร้องเรียนเกี่ยวกับการหลอกลวงด้วยข้อมูลที่รั่วไหล | 48,000 เรื่องต่อปี | ลดลงร้อยละ 30 | ศูนย์รับแจ้งเหตุออนไลน์ |",
            "1. ให้เจ้าของข้อมูลได้รับแจ้งเหตุการละเมิดภายในเจ็ดสิบสองชั่วโมง\n2. ",
        ] {
            assert!(md.contains(row), "missing {row:?} in\n{md}");
        }

        assert_eq!(html.matches("<h1>").count(), 1);
        assert_eq!(html.matches("<h2>").count(), 12);
        assert_eq!(html.matches("<table>").count(), 9);
        assert!(html.contains("<td>2,500,000,000</td>"), "{html}");
        assert!(html.contains("<strong>2,578,500,000</strong>"));
        assert!(html.contains(
            "<h3>ทางเลือกที่ 3: มาตรการทางกฎหมาย (Legal measure) — ทางเลือกที่เลือก (Chosen)</h3>"
        ));
        // A single line break in user text is kept as a hard break.
        assert!(html.contains("ขนาดของผู้ประกอบการ<br>"), "{html}");
    }

    #[test]
    fn negative_net_benefit_renders_with_a_minus_sign() {
        let mut a = example();
        a.benefits.clear();
        let (md, _) = a.render("ร่าง");
        assert!(md.contains("| **ประโยชน์สุทธิต่อปี (Net annual benefit)** | **-636,500,000** |"));
        assert!(md.contains("## 8. ประโยชน์ที่คาดว่าจะได้รับ (Benefits)\n\nหน่วย: บาทต่อปี (Unit: THB per year)\n\nไม่มี (None)"));
        assert!(!md.contains("Benefits not monetised"));
    }

    const HOSTILE: &str = "<script>alert(1)</script> ค่า | ใช้ [คลิก](javascript:alert(1)) \
        <a href=\"javascript:alert(2)\">ลิงก์</a> <img src=x onerror=alert(3)> <javascript:alert(4)> \
        **ตัวหนา** `code` ~~ขีด~~ &lt;b&gt; a\\|b \\\\| c \\";

    #[test]
    fn hostile_text_renders_as_literal_text() {
        let mut a = example();
        a.costs[0].description = s(HOSTILE);
        a.problem = s(HOSTILE);
        a.licences[0].justification = s(HOSTILE);
        a.objectives[0] = s(HOSTILE);
        let (md, html) = a.render(HOSTILE);

        for bad in [
            "<script",
            "</script",
            "<img",
            "<a ",
            "<a>",
            "<code>",
            "<strong>ตัวหนา",
            "<del>",
        ] {
            assert!(!html.contains(bad), "{bad:?} survived in\n{html}");
        }
        // The Markdown itself escapes every `<`.
        assert!(md.contains("\\<script>"));
        assert!(!md.replace("\\<", "").contains('<'));
        // The text itself is still there for readers to see.
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("[คลิก](javascript:alert(1))"));
        assert!(html.contains("**ตัวหนา** `code` ~~ขีด~~ &amp;lt;b&amp;gt; a\\|b \\\\| c \\"));

        // The `|` stays inside its cell: the cost row still has exactly four cells.
        let row_start = html
            .find("<td>ภาคธุรกิจ (Business)</td><td>&lt;script")
            .expect("cost row");
        let row = &html[row_start..];
        let row = &row[..row.find("</tr>").expect("row end")];
        assert_eq!(row.matches("<td").count(), 4, "{row}");
        assert!(row.contains("ค่า | ใช้"));
        assert!(
            row.ends_with("<td>2,500,000,000</td><td>600,000,000</td>"),
            "{row}"
        );
    }

    #[test]
    fn user_text_cannot_start_markdown_blocks() {
        let mut a = example();
        a.problem = s(
            "# หัวข้อ\n- รายการ\n+ รายการ\n* รายการ\n1. ลำดับ\n2) ลำดับ\n> อ้างอิง\n\
            \x20   โค้ด\n\t\tโค้ด\n```\nรั้ว\n~~~\n---\nข้อความ\n===\n___\n[ref]: https://example.com\n\
            <div>กล่อง</div>\n| a | b |\n|---|---|\nบรรทัด\rหลัง CR\r# CR heading",
        );
        let (md, html) = a.render("# ชื่อ\n---");
        assert_eq!(html.matches("<h1>").count(), 1, "{md}");
        assert_eq!(html.matches("<h2>").count(), 12);
        assert_eq!(html.matches("<ol>").count(), 1, "only the objectives list");
        assert_eq!(
            html.matches("<table>").count(),
            9,
            "no table from user text"
        );
        for bad in [
            "<ul>",
            "<blockquote>",
            "<pre>",
            "<code>",
            "<hr",
            "<div",
            "<em>",
        ] {
            assert!(!html.contains(bad), "{bad:?} in\n{html}");
        }
        assert!(html.contains("# หัวข้อ<br>"), "{html}");
        assert!(html.contains("1. ลำดับ<br>"));
        assert!(
            html.contains("บรรทัด<br>\nหลัง CR<br>\n# CR heading"),
            "{html}"
        );
    }

    #[test]
    fn blank_paragraphs_and_empty_assessments_render_without_panicking() {
        let mut a = example();
        a.problem = s("ย่อหน้าแรก\n\n\n   \nย่อหน้าที่สอง");
        let (_, html) = a.render("");
        assert!(html.contains("<p>ย่อหน้าแรก</p>\n<p>ย่อหน้าที่สอง</p>"), "{html}");

        let empty = ImpactAssessment {
            problem: String::new(),
            cause: s(" "),
            why_state_must_act: String::new(),
            objectives: vec![],
            alternatives: vec![],
            affected_groups: vec![],
            economic_impact: String::new(),
            social_impact: String::new(),
            environmental_impact: String::new(),
            costs: vec![],
            benefits: vec![],
            licences: vec![],
            committees: vec![],
            discretion: vec![],
            criminal_penalties: vec![],
            readiness: Readiness {
                staff: String::new(),
                budget_thb: 0,
                systems: String::new(),
            },
            consultation_results: String::new(),
            evaluation_plan: EvaluationPlan {
                review_after_years: 0,
                indicators: vec![],
            },
        };
        let (md, html) = empty.render("");
        assert!(md.contains("**ร่างกฎหมาย (Draft law):** —"));
        assert!(md.contains("### สภาพปัญหา (Problem)\n\n—\n\n"));
        assert!(html.contains("<h2>12. แผนการประเมินผลสัมฤทธิ์ (Evaluation Plan)</h2>"));
        assert!(!empty.validate().is_empty());
    }

    #[test]
    fn serde_round_trip_uses_snake_case() {
        let a = example();
        let json = serde_json::to_string(&a).unwrap();
        for token in [
            "\"kind\":\"do_nothing\"",
            "\"kind\":\"non_legal\"",
            "\"kind\":\"sme\"",
            "\"beneficiary\":\"state\"",
            "\"provision_id\":\"s12\"",
            "\"review_after_years\":3",
            "\"annual_thb\":null",
        ] {
            assert!(json.contains(token), "missing {token}");
        }
        let back: ImpactAssessment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn unknown_fields_are_rejected_at_every_level() {
        let base = serde_json::to_value(example()).unwrap();
        let pointers = [
            "",
            "/alternatives/0",
            "/affected_groups/1",
            "/costs/0",
            "/benefits/0",
            "/licences/0",
            "/readiness",
            "/evaluation_plan",
            "/evaluation_plan/indicators/0",
        ];
        for pointer in pointers {
            let mut v = base.clone();
            v.pointer_mut(pointer)
                .and_then(serde_json::Value::as_object_mut)
                .unwrap()
                .insert(s("weight"), serde_json::json!(1));
            let err = serde_json::from_value::<ImpactAssessment>(v).unwrap_err();
            assert!(
                err.to_string().contains("unknown field `weight`"),
                "{pointer}: {err}"
            );
        }
    }

    #[test]
    fn bad_values_are_rejected_by_serde() {
        let base = serde_json::to_value(example()).unwrap();
        let cases: &[(&str, serde_json::Value)] = &[
            ("/alternatives/0/kind", serde_json::json!("DoNothing")),
            ("/costs/0/annual_thb", serde_json::json!(-1)),
            ("/costs/0/one_off_thb", serde_json::json!(1.5)),
            (
                "/evaluation_plan/review_after_years",
                serde_json::json!("3"),
            ),
        ];
        for (pointer, value) in cases {
            let mut v = base.clone();
            *v.pointer_mut(pointer).unwrap() = value.clone();
            assert!(
                serde_json::from_value::<ImpactAssessment>(v).is_err(),
                "{pointer}"
            );
        }
        // A missing required field is an error; a missing optional one is `None`.
        let mut v = base.clone();
        v.as_object_mut().unwrap().remove("environmental_impact");
        assert!(serde_json::from_value::<ImpactAssessment>(v).is_err());
        let mut v = base;
        v.pointer_mut("/licences/0")
            .and_then(serde_json::Value::as_object_mut)
            .unwrap()
            .remove("provision_id");
        let a: ImpactAssessment = serde_json::from_value(v).unwrap();
        assert_eq!(a.licences[0].provision_id, None);
    }
}
