# Thai messages of the site. Every key here must exist in ../en/main.ftl (a test checks).
service-name = รับฟัง
service-tagline = ระบบกลางรับฟังความคิดเห็นต่อร่างกฎหมาย
skip-link = ข้ามไปยังเนื้อหาหลัก
nav-label = เมนูหลัก
nav-consultations = การรับฟังความคิดเห็น
nav-drafts = ร่างกฎหมาย
nav-search = ค้นหา
language-switch = English
language-switch-label = Read this page in English
footer-about = เกี่ยวกับรับฟัง
footer-api = API และข้อมูลเปิด
footer-licence = ข้อความของร่างกฎหมายและความเห็นที่เผยแพร่ใช้ได้อย่างเสรี
unofficial-translation = คำแปลภาษาอังกฤษไม่เป็นทางการ ข้อความภาษาไทยเป็นฉบับที่ใช้อ้างอิง

home-title = การรับฟังความคิดเห็นต่อร่างกฎหมาย
home-lead = อ่านร่างกฎหมายและแสดงความคิดเห็นก่อนหน่วยงานของรัฐเสนอร่างต่อคณะรัฐมนตรีหรือรัฐสภา
home-open-heading = เปิดรับฟังความคิดเห็นอยู่
home-open-empty = ขณะนี้ยังไม่มีการรับฟังความคิดเห็นที่เปิดอยู่
home-summaries-heading = สรุปผลการรับฟังที่เผยแพร่ล่าสุด
home-summaries-empty = ยังไม่มีสรุปผลการรับฟังที่เผยแพร่
home-all-consultations = ดูการรับฟังความคิดเห็นทั้งหมด
days-left = { $days ->
    [0] ปิดรับวันนี้
   *[other] เหลืออีก { $days } วัน
}
closes-on = ปิดรับ { $date }
opens-on = เปิดรับ { $date }
summary-published-on = เผยแพร่สรุปผลเมื่อ { $date }

search-label = ค้นหาร่างกฎหมาย มาตรา และความคิดเห็น
search-button = ค้นหา
search-title = ค้นหา
search-results = ผลการค้นหา { $count ->
    [one] 1 รายการ
   *[other] { $count } รายการ
}
search-empty = ไม่พบผลลัพธ์ ลองใช้คำที่สั้นลง ตรวจตัวสะกด หรือค้นหาด้วยคำที่มีความหมายใกล้เคียง
search-kind-draft = ร่างกฎหมาย
search-kind-provision = มาตรา
search-kind-consultation = การรับฟังความคิดเห็น
search-kind-comment = ความคิดเห็น

consultations-title = การรับฟังความคิดเห็น
consultations-empty = ไม่พบการรับฟังความคิดเห็นตามเงื่อนไขที่เลือก
filter-heading = กรองรายการ
filter-status = สถานะ
filter-kind = ประเภท
filter-law-type = ประเภทกฎหมาย
filter-any = ทั้งหมด
filter-apply = กรองรายการ
next-page = หน้าถัดไป
pagination-label = เลขหน้า

status-scheduled = กำหนดการ
status-open = เปิดรับความคิดเห็น
status-closed = ปิดรับแล้ว
status-concluded = เผยแพร่สรุปผลแล้ว
kind-principles = หลักการของร่างกฎหมาย
kind-draft = ร่างกฎหมาย
kind-evaluation = การประเมินผลสัมฤทธิ์ของกฎหมาย

draft-status-preparing = อยู่ระหว่างจัดทำ
draft-status-in_consultation = อยู่ระหว่างรับฟังความคิดเห็น
draft-status-consulted = รับฟังความคิดเห็นแล้ว
draft-status-submitted = เสนอร่างแล้ว
draft-status-enacted = ประกาศใช้แล้ว
draft-status-withdrawn = ถอนร่างแล้ว
law-type-act = พระราชบัญญัติ
law-type-royal_decree = พระราชกฤษฎีกา
law-type-ministerial_regulation = กฎกระทรวง
law-type-rule = ระเบียบ
law-type-notification = ประกาศ
law-type-plan = แผน

consultation-draft = ร่างที่รับฟัง
consultation-agency = หน่วยงาน
consultation-kind = ประเภท
consultation-dates = ระยะเวลารับฟัง
consultation-version = ฉบับที่ { $version }
consultation-period = { $days } วัน
consultation-fifteen-days = กฎหมายกำหนดให้รับฟังความคิดเห็นผ่านระบบกลางไม่น้อยกว่า 15 วัน
consultation-short-reason = การรับฟังนี้สั้นกว่า 15 วัน เหตุผลที่หน่วยงานแจ้ง
consultation-announced = ประกาศกำหนดการเมื่อ { $date }
consultation-questions = คำถามของหน่วยงาน
consultation-no-questions = หน่วยงานไม่ได้ตั้งคำถามไว้ แสดงความคิดเห็นต่อร่างได้โดยตรง
consultation-read-draft = อ่านร่างกฎหมาย
consultation-not-open-scheduled = การรับฟังนี้ยังไม่เปิด จะเปิดรับความคิดเห็นวันที่ { $date }
consultation-not-open-closed = การรับฟังนี้ปิดรับความคิดเห็นแล้ว
consultation-not-open-concluded = การรับฟังนี้สิ้นสุดแล้ว และหน่วยงานได้เผยแพร่สรุปผลการรับฟังแล้ว
question-required = ต้องตอบ
question-kind-single_choice = เลือกได้หนึ่งข้อ
question-kind-multiple_choice = เลือกได้หลายข้อ
question-kind-scale = ระดับ 1 ถึง 5
question-kind-text = ตอบเป็นข้อความ

draft-agency = หน่วยงาน
draft-law-type = ประเภท
draft-status = สถานะ
draft-version = ฉบับที่ { $version }
draft-published-on = เผยแพร่ฉบับนี้เมื่อ { $date }
draft-contents = สารบัญ
draft-text = ข้อความของร่าง
draft-no-version = ร่างนี้ยังไม่มีฉบับที่เผยแพร่
draft-consultations = การรับฟังความคิดเห็นต่อร่างนี้
draft-summary = สาระสำคัญ
draft-provision-link = ลิงก์ถาวรของบทบัญญัตินี้
draft-unchaptered = บทบัญญัติ

not-found-title = ไม่พบหน้าที่ต้องการ
not-found-body = หากพิมพ์ที่อยู่เว็บเอง โปรดตรวจสอบว่าสะกดถูกต้อง หากวางที่อยู่เว็บมา โปรดตรวจสอบว่าคัดลอกมาครบถ้วน
not-found-home = กลับไปหน้าแรก
error-title = ขออภัย ระบบขัดข้อง
error-body = โปรดลองอีกครั้งในภายหลัง ความคิดเห็นที่ส่งแล้วและได้รับหมายเลขติดตามจะไม่สูญหาย
