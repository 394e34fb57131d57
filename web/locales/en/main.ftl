# English messages of the site. Every key here must exist in ../th/main.ftl (a test checks).
service-name = Rabfang
service-tagline = Public consultations on draft laws
skip-link = Skip to main content
nav-label = Main menu
nav-consultations = Consultations
nav-drafts = Draft laws
nav-search = Search
language-switch = ภาษาไทย
language-switch-label = อ่านหน้านี้เป็นภาษาไทย
footer-about = About Rabfang
footer-api = API and open data
footer-licence = The texts of drafts and published comments are free to reuse
unofficial-translation = English translations are unofficial; the Thai text is authoritative

home-title = Public consultations on draft laws
home-lead = Read draft laws and comment on them before government agencies submit them to the Cabinet or Parliament
home-open-heading = Open for comment
home-open-empty = No consultation is open right now
home-summaries-heading = Recently published hearing summaries
home-summaries-empty = No hearing summary has been published yet
home-all-consultations = See all consultations
days-left = { $days ->
    [0] closes today
    [one] 1 day left
   *[other] { $days } days left
}
closes-on = Closes { $date }
opens-on = Opens { $date }
summary-published-on = Summary published { $date }

search-label = Search draft laws, provisions and comments
search-button = Search
search-title = Search
search-results = { $count ->
    [one] 1 result
   *[other] { $count } results
}
search-empty = Nothing found. Try fewer words, check the spelling, or use a word with a similar meaning
search-kind-draft = Draft law
search-kind-provision = Provision
search-kind-consultation = Consultation
search-kind-comment = Comment

consultations-title = Consultations
consultations-empty = No consultation matches the filters
filter-heading = Filter
filter-status = Status
filter-kind = Kind
filter-law-type = Type of law
filter-any = Any
filter-apply = Apply filters
next-page = Next page
pagination-label = Pages

status-scheduled = Scheduled
status-open = Open for comment
status-closed = Closed
status-concluded = Summary published
kind-principles = Principles of a draft law
kind-draft = Draft text
kind-evaluation = Evaluation of a law in force

draft-status-preparing = In preparation
draft-status-in_consultation = In consultation
draft-status-consulted = Consulted
draft-status-submitted = Submitted
draft-status-enacted = Enacted
draft-status-withdrawn = Withdrawn
law-type-act = Act
law-type-royal_decree = Royal Decree
law-type-ministerial_regulation = Ministerial Regulation
law-type-rule = Rule
law-type-notification = Notification
law-type-plan = Plan

consultation-draft = Draft consulted on
consultation-agency = Agency
consultation-kind = Kind
consultation-dates = Dates
consultation-version = version { $version }
consultation-period = { $days } days
consultation-fifteen-days = The law requires at least 15 days of consultation on the central system
consultation-short-reason = This consultation is shorter than 15 days. The agency's reason
consultation-announced = Dates announced { $date }
consultation-questions = The agency's questions
consultation-no-questions = The agency asked no questions; comment on the draft directly
consultation-read-draft = Read the draft
consultation-not-open-scheduled = This consultation is not open yet. It opens on { $date }
consultation-not-open-closed = This consultation is closed
consultation-not-open-concluded = This consultation has ended and the agency has published its hearing summary
question-required = Required
question-kind-single_choice = Choose one
question-kind-multiple_choice = Choose one or more
question-kind-scale = A scale from 1 to 5
question-kind-text = Answer in words

draft-agency = Agency
draft-law-type = Type
draft-status = Status
draft-version = Version { $version }
draft-published-on = This version was published { $date }
draft-contents = Contents
draft-text = Text of the draft
draft-no-version = This draft has no published version yet
draft-consultations = Consultations on this draft
draft-summary = Summary
draft-provision-link = Permanent link to this provision
draft-unchaptered = Provisions

not-found-title = Page not found
not-found-body = If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address
not-found-home = Go to the home page
error-title = Sorry, there is a problem with the service
error-body = Try again later. A comment that was sent and given a tracking number is not lost
