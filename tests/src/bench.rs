//! Small helpers shared by the benchmarks in `tests/benches/`: sizes from the environment,
//! memory readings, and the vocabulary their text generators draw from.

/// A size from the environment (`BENCH_COMMENTS=...`), or `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A memory figure of this process in MiB from `/proc/self/status`: `"VmRSS:"` (now) or
/// `"VmHWM:"` (peak). 0 where the file is missing.
pub fn memory_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Thai nouns of legislative texts, most frequent first where a generator weights them.
pub const THAI_NOUNS: &[&str] = &[
    "ข้อมูล",
    "ส่วนบุคคล",
    "คุ้มครอง",
    "ผู้ประกอบการ",
    "ขนาดย่อม",
    "ค่าธรรมเนียม",
    "ใบอนุญาต",
    "พนักงานเจ้าหน้าที่",
    "คณะกรรมการ",
    "สิ่งแวดล้อม",
    "ฝุ่นละออง",
    "มลพิษ",
    "ผู้บริโภค",
    "การคืนเงิน",
    "ตลาดออนไลน์",
    "แรงงาน",
    "แพลตฟอร์ม",
    "ประชาชน",
    "สิทธิ",
    "หน้าที่",
    "โทษปรับ",
    "จำคุก",
    "ระยะเวลา",
    "บังคับใช้",
    "ภาระ",
    "ต้นทุน",
    "ความปลอดภัย",
    "สุขภาพ",
    "การขนส่ง",
    "รถยนต์",
    "ควัน",
    "ดีเซล",
    "มาตรฐาน",
    "การตรวจสอบ",
    "รายงาน",
    "เปิดเผย",
    "ความยินยอม",
    "ผู้เยาว์",
    "ผู้ปกครอง",
    "ระบบอัตโนมัติ",
    "ปัญญาประดิษฐ์",
    "การตัดสินใจ",
    "ทบทวน",
    "ชดเชย",
    "ค่าเสียหาย",
    "ร้องเรียน",
    "ไกล่เกลี่ย",
    "ท้องถิ่น",
    "จังหวัด",
    "ชุมชน",
];

/// More Thai nouns (taxes, schools, hospitals, floods, land...), after [`THAI_NOUNS`].
pub const THAI_MORE_NOUNS: &[&str] = &[
    "เกษตรกร",
    "ภาษี",
    "งบประมาณ",
    "โรงเรียน",
    "นักเรียน",
    "โรงพยาบาล",
    "น้ำท่วม",
    "ภัยแล้ง",
    "ป่าไม้",
    "ที่ดิน",
];

/// English nouns and adjectives of legislative texts.
pub const ENGLISH_NOUNS: &[&str] = &[
    "privacy",
    "personal",
    "data",
    "protection",
    "business",
    "small",
    "fee",
    "licence",
    "officer",
    "committee",
    "environment",
    "dust",
    "pollution",
    "consumer",
    "refund",
    "online",
    "marketplace",
    "labour",
    "platform",
    "citizen",
    "rights",
    "duty",
    "penalty",
    "fine",
    "imprisonment",
    "period",
    "enforcement",
    "burden",
    "cost",
    "safety",
    "health",
    "transport",
    "diesel",
    "standard",
    "inspection",
    "report",
    "disclosure",
    "consent",
    "minor",
    "guardian",
    "automated",
    "decision",
    "review",
    "compensation",
    "complaint",
    "mediation",
];
