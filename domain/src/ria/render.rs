//! The published report: Markdown with every user text escaped, then sanitised HTML.

use super::model::*;

impl ImpactAssessment {
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
pub(super) fn format_thousands(value: u128) -> String {
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
pub(super) fn format_signed_thousands(value: i128) -> String {
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
