use super::example::s;
use super::render::{format_signed_thousands, format_thousands};
use super::*;
use crate::error::FieldError;

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

#[test]
fn texts_follow_the_rules_of_every_other_text() {
    // The shared checks apply: no control characters, as in comments and drafts.
    let mut a = example();
    a.problem = s("ปัญหา\u{0007}");
    assert_only(&a, "problem", "control_character");
    let mut a = example();
    a.discretion[0].justification = s("เหตุผล\u{0000}");
    assert_only(&a, "discretion[0].justification", "control_character");
    let mut a = example();
    a.discretion[0].justification = s("\u{200B}");
    assert_only(&a, "discretion[0].justification", "justification_required");
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
    assert!(
        html.contains(
            "<h3>ทางเลือกที่ 3: มาตรการทางกฎหมาย (Legal measure) — ทางเลือกที่เลือก (Chosen)</h3>"
        )
    );
    // A single line break in user text is kept as a hard break.
    assert!(html.contains("ขนาดของผู้ประกอบการ<br>"), "{html}");
}

#[test]
fn negative_net_benefit_renders_with_a_minus_sign() {
    let mut a = example();
    a.benefits.clear();
    let (md, _) = a.render("ร่าง");
    assert!(md.contains("| **ประโยชน์สุทธิต่อปี (Net annual benefit)** | **-636,500,000** |"));
    assert!(md.contains(
        "## 8. ประโยชน์ที่คาดว่าจะได้รับ (Benefits)\n\nหน่วย: บาทต่อปี (Unit: THB per year)\n\nไม่มี (None)"
    ));
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
