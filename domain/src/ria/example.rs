//! A complete, valid assessment for tests (compiled with the `test-support` feature).

use super::model::*;

pub(super) fn s(text: &str) -> String {
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
